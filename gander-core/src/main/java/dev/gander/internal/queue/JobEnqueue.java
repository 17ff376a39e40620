package dev.gander.internal.queue;

import dev.gander.GanderException;
import dev.gander.internal.Times;
import dev.gander.internal.spi.JobOps;
import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.WakeKey;
import dev.gander.queue.EnqueueOptions;
import dev.gander.queue.EnqueueResult;
import dev.gander.queue.JobId;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The insertion of jobs, on any backend, inside the transaction {@link JobLifecycle#enqueue} runs:
 * each job's row (its run time, state and expiry from the options), runs of jobs without a unique
 * key in one call, and the unique-key rule (which job may hold a key). Calls only {@link JobOps}.
 */
final class JobEnqueue {
  /** An encoded job ready to insert. */
  record NewJob(String payload, EnqueueOptions options, int maxAttempts) {}

  private final JobLifecycle life;

  JobEnqueue(JobLifecycle life) {
    this.life = life;
  }

  /** Inserts jobs in {@code t}; returns their ids, and the holder's id for a duplicate. */
  List<EnqueueResult> insert(Tx t, String queue, List<NewJob> jobs) throws SQLException {
    long now = life.clock.millis();
    List<EnqueueResult> ids = new ArrayList<>(jobs.size());
    // Runs of jobs without a unique key go in one call; a keyed job on its own, in order, so that
    // ids follow the order given.
    List<JobOps.NewJob> run = new ArrayList<>();
    for (NewJob job : jobs) {
      JobOps.NewJob row = row(queue, job, now);
      if (row.uniqueKey() == null) {
        run.add(row);
        continue;
      }
      insertRun(t, run, ids);
      OptionalLong id = life.ops.insert(t, row);
      if (id.isEmpty() && freeUniqueKey(t, queue, row.uniqueKey(), now)) {
        id = life.ops.insert(t, row);
      }
      if (id.isPresent()) {
        ids.add(new EnqueueResult(JobId.of(id.getAsLong()), false));
      } else {
        // A live job of this queue holds the unique key: hand back its id, write nothing.
        JobOps.Holder holder =
            life.ops
                .holder(t, queue, row.uniqueKey())
                .orElseThrow(
                    () ->
                        new GanderException("unique key conflict without a live job in " + queue));
        ids.add(new EnqueueResult(JobId.of(holder.id()), true));
      }
    }
    insertRun(t, run, ids);
    if (ids.stream().anyMatch(r -> !r.duplicate())) {
      // Scheduled jobs wake waiters too: they re-read the queue's next run time.
      life.changed(t, new WakeKey.QueueWork(queue));
    }
    return ids;
  }

  /** Whether any of {@code jobs} is due at {@code now}, so that a claim may take it at once. */
  static boolean anyDue(List<NewJob> jobs, long now) {
    for (NewJob job : jobs) {
      if (runAt(job.options(), now) <= now) {
        return true;
      }
    }
    return false;
  }

  private static long runAt(EnqueueOptions o, long now) {
    return o.runAt().map(Times::epochMillis).orElse(Times.plus(now, o.delay()));
  }

  private static JobOps.NewJob row(String queue, NewJob job, long now) {
    EnqueueOptions o = job.options();
    long runAt = runAt(o, now);
    return new JobOps.NewJob(
        queue,
        job.payload(),
        o.priority(),
        runAt,
        runAt > now ? JobOps.SCHEDULED : JobOps.READY,
        job.maxAttempts(),
        o.uniqueKey().orElse(null),
        o.expiresIn().map(d -> Times.plus(now, d)).orElse(Long.MAX_VALUE),
        now);
  }

  /** Inserts a run of jobs without unique keys, if any, and empties it. */
  private void insertRun(Tx t, List<JobOps.NewJob> run, List<EnqueueResult> ids)
      throws SQLException {
    if (run.isEmpty()) {
      return;
    }
    for (long id : life.ops.insertMany(t, run)) {
      ids.add(new EnqueueResult(JobId.of(id), false));
    }
    run.clear();
  }

  /**
   * The unique-key rule: a job that can no longer run (expired unclaimed, or running on its last
   * attempt with its lease run out) does not hold its key. Such a holder is dead-lettered now, as
   * the sweeper would a moment later, so a new job is never dropped in favour of it.
   *
   * @return whether the key was freed
   */
  private boolean freeUniqueKey(Tx t, String queue, String uniqueKey, long now)
      throws SQLException {
    Optional<JobOps.Holder> found = life.ops.holder(t, queue, uniqueKey);
    if (found.isEmpty()) {
      return false;
    }
    JobOps.Holder h = found.get();
    String reason;
    String error;
    if (h.state() != JobOps.RUNNING && h.expiresAt() <= now) {
      reason = h.attempt() == 0 ? JobLifecycle.EXPIRED : JobLifecycle.EXPIRED_WHILE_RETRYING;
      error = null;
    } else if (h.state() == JobOps.RUNNING
        && h.leaseUntil() <= now
        && h.attempt() >= h.maxAttempts()) {
      reason = JobLifecycle.LEASE_EXPIRED;
      error = "lease expired";
    } else {
      return false;
    }
    if (!life.ops.bury(t, h.id(), -1, error, reason, now)) {
      return false;
    }
    life.ended(t, queue);
    return true;
  }
}
