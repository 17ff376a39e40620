package dev.gander.internal.queue;

import dev.gander.LeaseLostException;
import dev.gander.internal.Times;
import dev.gander.internal.spi.Backend;
import dev.gander.internal.spi.ChangeNotifier;
import dev.gander.internal.spi.JobOps;
import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.TxRunner;
import dev.gander.internal.spi.TxWork;
import dev.gander.internal.spi.WakeKey;
import dev.gander.internal.wake.WakeHub;
import dev.gander.queue.EnqueueResult;
import dev.gander.queue.QueueOptions;
import dev.gander.store.Transaction;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a job, on any backend: enqueue, claim, settle, the retry and dead-letter decisions
 * with their backoff, and the dead letters' requeue. Its parts hold the rest: the insertion of jobs
 * and which job may hold a unique key ({@link JobEnqueue}), the sweep of expired leases and
 * expiries ({@link JobSweep}), the reads ({@link JobLookup}). The one place those rules live; it
 * calls only the backend's {@link JobOps} and never writes SQL. Shared by every queue handle of one
 * database.
 */
public final class JobLifecycle {
  private static final Logger log = LoggerFactory.getLogger(JobLifecycle.class);

  /** Dead-letter reasons. */
  static final String FAILED = "failed";

  static final String LEASE_EXPIRED = "lease-expired";
  static final String EXPIRED = "expired";
  static final String EXPIRED_WHILE_RETRYING = "expired-while-retrying";

  final TxRunner tx;
  final JobOps ops;
  final JsonCodec codec;
  final Clock clock;
  final WakeHub hub;
  final ChangeNotifier notifier;
  private final Runnable onConsumer;

  /** The insertion of jobs and the unique-key rule. */
  private final JobEnqueue inserts;

  /** Pollers of this process waiting on a queue, for an enqueue to claim for. */
  final HandOffs handOffs = new HandOffs();

  /** Reads of jobs and their records. */
  final JobLookup lookup;

  /** The recovery of what nobody will settle. */
  final JobSweep sweeps;

  /** Told the lease expiry of every claim, so the sweeper can wake in time for it. */
  LongConsumer leaseHint = t -> {};

  /**
   * Creates the lifecycle on a backend.
   *
   * @param backend the open database
   * @param codec JSON
   * @param clock time for run times, leases and TTLs
   * @param hub in-process waiters
   * @param notifier the database's notifier, shared by every capability
   * @param onConsumer called when something starts consuming (starts the sweeper)
   */
  public JobLifecycle(
      Backend backend,
      JsonCodec codec,
      Clock clock,
      WakeHub hub,
      ChangeNotifier notifier,
      Runnable onConsumer) {
    this.tx = backend.transactions();
    this.ops = backend.jobs();
    this.codec = codec;
    this.clock = clock;
    this.hub = hub;
    this.notifier = notifier;
    this.onConsumer = onConsumer;
    this.inserts = new JobEnqueue(this);
    this.lookup = new JobLookup(tx, ops, codec, clock);
    this.sweeps = new JobSweep(this);
  }

  /** Throws {@link dev.gander.GanderClosedException} once the database is closed. */
  void checkOpen() {
    if (tx.isClosed()) {
      throw tx.closedException();
    }
  }

  void consumerStarted() {
    notifier.start();
    onConsumer.run();
  }

  void changed(Tx t, WakeKey key) throws SQLException {
    notifier.changed(t, key);
  }

  /** A job ended for good: wakes those waiting for results and for its queue to drain. */
  void ended(Tx t, String queue) throws SQLException {
    notifier.changed(t, WakeKey.JobEnded.INSTANCE);
    notifier.changed(t, new WakeKey.QueueDrain(queue));
  }

  // ---------------------------------------------------------------- enqueue

  /**
   * Inserts jobs in one transaction, the caller's if given; returns their ids and duplicates. In a
   * transaction of its own, it also claims for a poller of this process that waits on the queue
   * (see {@link HandOffs}); never in the caller's, whose end may be far away.
   */
  List<EnqueueResult> enqueue(
      @Nullable Transaction caller, String queue, List<JobEnqueue.NewJob> jobs) {
    TxWork<List<EnqueueResult>> work = t -> inserts.insert(t, queue, jobs);
    if (caller != null) {
      return tx.runWrite(caller, work);
    }
    // Nobody of this process waits on the queue (the usual case under load: one map lookup);
    // inside a write function of this thread the enqueue joins it, and its commit comes later (or
    // never); a job not due yet no claim would take.
    if (!handOffs.anyWaiting(queue)
        || tx.insideWrite()
        || !JobEnqueue.anyDue(jobs, clock.millis())) {
      return tx.runWrite(work);
    }
    return handOffs.insertAndHandOver(tx, queue, work, this::claimIn, this::hintLease);
  }

  /** Inserts one encoded job in the given transaction (the scheduler's, with its cursor). */
  EnqueueResult enqueueIn(Tx t, String queue, JobEnqueue.NewJob job) throws SQLException {
    return inserts.insert(t, queue, List.of(job)).get(0);
  }

  // ------------------------------------------------------------------ claim

  List<JobImpl> claim(QueueHandle queue, String workerId, int max) {
    List<JobImpl> jobs = tx.runOneStatementWrite(t -> claimIn(t, queue, workerId, max));
    hintLease(jobs);
    return jobs;
  }

  /** Claims in {@code t}: one statement execution (promotion and lease) that wakes nobody. */
  List<JobImpl> claimIn(Tx t, QueueHandle queue, String workerId, int max) throws SQLException {
    long visibility = Times.millis(queue.options().visibilityTimeout());
    long now = clock.millis();
    long leaseUntil = Times.plus(now, visibility);
    List<JobOps.Claimed> rows =
        ops.claim(t, queue.name(), workerId, max, now, leaseUntil, visibility);
    List<JobImpl> out = new ArrayList<>(rows.size());
    for (JobOps.Claimed r : rows) {
      out.add(new JobImpl(this, queue, r, workerId, leaseUntil));
    }
    return out;
  }

  void hintLease(List<JobImpl> jobs) {
    if (!jobs.isEmpty()) {
      leaseHint.accept(jobs.get(0).leaseExpiresAt().toEpochMilli());
    }
  }

  // ---------------------------------------------------------------- settle

  long heartbeat(JobImpl job, Duration extension) {
    long ms = Times.millis(extension);
    long until = Times.plus(clock.millis(), ms);
    tx.runWrite(
        t -> {
          requireLease(ops.heartbeat(t, job.id, job.token, until, ms), job, "heartbeat");
          return null;
        });
    return until;
  }

  /**
   * Acks a job, storing its result (or the record that it succeeded) in the same transaction. The
   * job is marked settled only when that transaction commits.
   */
  void ack(JobImpl job, @Nullable Object result) {
    QueueOptions options = job.handle().options();
    String json = result == null ? null : codec.encode(result, options.maxPayloadBytes(), "result");
    tx.runWrite(
        t -> {
          List<JobOps.Succeeded> record = new ArrayList<>(1);
          addRecord(record, job, json, clock.millis());
          boolean acked =
              record.isEmpty()
                  ? ops.ack(t, job.id, job.token)
                  : ops.ackWithRecord(t, job.id, job.token, record.get(0));
          requireLease(acked, job, "ack");
          t.afterCommit(job::markSettled);
          ended(t, job.queue());
          return null;
        });
  }

  /** Adds the record of a succeeded job, unless its queue keeps none of that kind. */
  private static void addRecord(
      List<JobOps.Succeeded> into, JobImpl job, @Nullable String json, long now) {
    QueueOptions options = job.handle().options();
    Duration keep = json == null ? options.keepSucceeded() : options.resultTtl();
    if (!keep.isZero()) {
      into.add(
          new JobOps.Succeeded(
              job.id, job.queue(), json, job.attempt(), now, Times.plus(now, keep)));
    }
  }

  /**
   * Acks many jobs in one transaction; a job whose lease was lost is skipped. Each acked job is
   * marked settled when the transaction commits.
   *
   * @return for each job, whether it was acked
   */
  boolean[] ackAll(List<JobImpl> jobs) {
    return ackMany(jobs, null, job -> {});
  }

  /**
   * Encodes a handler's result for {@link #ackBatch}, checking its size; nothing is written.
   *
   * @throws dev.gander.PayloadCodecException if it cannot be serialised
   * @throws dev.gander.PayloadTooLargeException if it is over the queue's limit
   */
  @Nullable String encodeResult(JobImpl job, @Nullable Object result) {
    return result == null
        ? null
        : codec.encode(result, job.handle().options().maxPayloadBytes(), "result");
  }

  /**
   * Acks finished jobs of managed workers in one transaction, each with its encoded result (or
   * none); a job whose lease was lost is skipped. Each acked job is marked settled when the
   * transaction commits: until then it is not done, and a crash redelivers it.
   *
   * @param onCommit told of each acked job once the transaction committed, before any waiter it
   *     wakes; quick, must not throw
   * @return for each job, whether it was acked
   */
  boolean[] ackBatch(
      List<JobImpl> jobs, List<@Nullable String> results, Consumer<JobImpl> onCommit) {
    return ackMany(jobs, results, onCommit);
  }

  private boolean[] ackMany(
      List<JobImpl> jobs, @Nullable List<@Nullable String> results, Consumer<JobImpl> onCommit) {
    long[] ids = new long[jobs.size()];
    long[] tokens = new long[jobs.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = jobs.get(i).id;
      tokens[i] = jobs.get(i).token;
    }
    return tx.runWrite(
        t -> {
          long now = clock.millis();
          boolean[] acked = ops.ackMany(t, ids, tokens);
          List<JobImpl> done = new ArrayList<>(jobs.size());
          List<JobOps.Succeeded> records = new ArrayList<>(jobs.size());
          Set<String> queues = new HashSet<>();
          for (int i = 0; i < acked.length; i++) {
            if (acked[i]) {
              JobImpl job = jobs.get(i);
              done.add(job);
              queues.add(job.queue());
              addRecord(records, job, results == null ? null : results.get(i), now);
            }
          }
          ops.saveSucceeded(t, records);
          if (!done.isEmpty()) {
            // Before the wake-ups: whoever a commit wakes sees the job settled and counted.
            t.afterCommit(
                () -> {
                  for (JobImpl job : done) {
                    job.markSettled();
                    onCommit.accept(job);
                  }
                });
            for (String q : queues) {
              ended(t, q);
            }
          }
          return acked;
        });
  }

  /**
   * Exponential backoff with jitter for the next attempt after {@code attempt} failed: base ×
   * 2^(attempt−1), capped, times a factor in [0.5, 1].
   */
  static Duration backoff(QueueOptions o, int attempt) {
    long base = Times.millis(o.backoffBase());
    long cap = Times.millis(o.backoffCap());
    int shift = Math.min(Math.max(attempt - 1, 0), 30);
    long exp = base << shift;
    if (exp < 0 || (shift > 0 && exp >> shift != base)) {
      exp = cap;
    }
    long capped = Math.min(exp, cap);
    double factor = 0.5 + ThreadLocalRandom.current().nextDouble() * 0.5;
    return Duration.ofMillis(Math.max(1, (long) (capped * factor)));
  }

  /**
   * A failed attempt: puts the job back to run after {@code delay}, or dead-letters it when that
   * was its last attempt ({@code failed}) or when the retry would start after its expiry ({@code
   * expired-while-retrying}).
   */
  void retry(JobImpl job, Duration delay, String error) {
    if (job.attempt() >= job.maxAttempts()) {
      deadLetter(job, error, FAILED);
      return;
    }
    long now = clock.millis();
    long runAt = Times.plus(now, delay);
    if (job.expiresAt != Long.MAX_VALUE && runAt >= job.expiresAt) {
      deadLetter(job, error, EXPIRED_WHILE_RETRYING);
      return;
    }
    int state = runAt > now ? JobOps.SCHEDULED : JobOps.READY;
    tx.runWrite(
        t -> {
          requireLease(ops.retry(t, job.id, job.token, state, runAt, error), job, "retry");
          t.afterCommit(job::markSettled);
          changed(t, new WakeKey.QueueWork(job.queue()));
          return null;
        });
  }

  /** Gives a job back; {@code refundAttempt} when it was claimed but never started. */
  void release(JobImpl job, boolean refundAttempt) {
    tx.runWrite(
        t -> {
          if (ops.release(t, job.id, job.token, refundAttempt)) {
            changed(t, new WakeKey.QueueWork(job.queue()));
          }
          t.afterCommit(job::markSettled);
          return null;
        });
  }

  void deadLetter(JobImpl job, String error, String reason) {
    long now = clock.millis();
    tx.runWrite(
        t -> {
          requireLease(ops.bury(t, job.id, job.token, error, reason, now), job, "fail");
          t.afterCommit(job::markSettled);
          ended(t, job.queue());
          return null;
        });
  }

  private static void requireLease(boolean held, JobImpl job, String what) {
    if (!held) {
      throw new LeaseLostException(
          "Cannot "
              + what
              + " job "
              + job.id
              + " of queue '"
              + job.queue()
              + "': this worker's lease (attempt "
              + job.attempt()
              + ", token "
              + job.fencingToken()
              + ") was lost; the job was claimed again, dead-lettered or finished. Heartbeat"
              + " long jobs or raise the visibility timeout. Nothing was changed.");
    }
  }

  // ----------------------------------------------------------- dead letters

  /**
   * Moves dead letters back to the queue with a new attempt budget, under the unique-key rule (see
   * {@link JobOps#requeueDead}); logs how many stayed dead.
   *
   * @param id one dead job, or {@code null} for all of the queue's
   * @return how many were requeued
   */
  int requeueDead(String queue, @Nullable Long id) {
    long now = clock.millis();
    return tx.runWrite(
        t -> {
          JobOps.Requeued r = ops.requeueDead(t, queue, id, now);
          if (r.leftDead() > 0) {
            log.info(
                "Requeue of dead jobs of '{}': {} left dead because a live or newer job holds"
                    + " their unique key",
                queue,
                r.leftDead());
          }
          if (r.moved() > 0) {
            changed(t, new WakeKey.QueueWork(queue));
          }
          return r.moved();
        });
  }

  int purgeDead(String queue, @Nullable Long id) {
    return tx.runWrite(t -> ops.purgeDead(t, queue, id));
  }
}
