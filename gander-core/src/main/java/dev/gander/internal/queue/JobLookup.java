package dev.gander.internal.queue;

import dev.gander.internal.spi.JobOps;
import dev.gander.internal.spi.TxRunner;
import dev.gander.queue.DeadLetter;
import dev.gander.queue.JobId;
import dev.gander.queue.JobInfo;
import dev.gander.queue.JobResult;
import dev.gander.queue.JobState;
import dev.gander.queue.QueueStats;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads of a database's jobs, each in one snapshot: a queue's next run time, whether it drained,
 * its counts and dead letters, a job's result and what became of it. Calls only {@link JobOps}.
 */
final class JobLookup {
  private final TxRunner tx;
  private final JobOps ops;
  private final JsonCodec codec;
  private final Clock clock;

  JobLookup(TxRunner tx, JobOps ops, JsonCodec codec, Clock clock) {
    this.tx = tx;
    this.ops = ops;
    this.codec = codec;
    this.clock = clock;
  }

  OptionalLong nextScheduled(String queue) {
    return tx.runRead(t -> ops.nextScheduled(t, queue));
  }

  boolean isDrained(String queue) {
    return tx.runRead(t -> ops.isDrained(t, queue));
  }

  QueueStats stats(String queue) {
    long now = clock.millis();
    return tx.runRead(t -> ops.stats(t, queue, now));
  }

  List<DeadLetter> deadLetters(String queue, int limit) {
    return tx.runRead(t -> ops.deadLetters(t, queue, limit));
  }

  Optional<JobResult> result(long id) {
    long now = clock.millis();
    return tx.runRead(
        t ->
            ops.result(t, id, now)
                .map(r -> new ResultImpl(codec, JobId.of(id), r.json(), r.expiresAt())));
  }

  /** What became of a job, in one snapshot. */
  JobInfo info(JobId jobId) {
    long now = clock.millis();
    Optional<JobOps.Found> found = tx.runRead(t -> ops.find(t, jobId.value(), now));
    if (found.isEmpty()) {
      return JobInfo.unknown(jobId);
    }
    JobOps.Found f = found.get();
    Optional<String> queue = Optional.ofNullable(f.queue());
    Optional<String> lastError = Optional.ofNullable(f.lastError());
    switch (f.where()) {
      case LIVE:
        JobState s =
            f.state() == JobOps.RUNNING
                ? JobState.RUNNING
                : f.state() == JobOps.READY || f.runAt() <= now
                    ? JobState.READY
                    : JobState.SCHEDULED;
        return new JobInfo(
            jobId, s, queue, f.attempt(), lastError, Optional.empty(), Optional.empty());
      case DEAD:
        return new JobInfo(
            jobId,
            JobState.DEAD,
            queue,
            f.attempt(),
            lastError,
            Optional.ofNullable(f.deadReason()),
            Optional.empty());
      case SUCCEEDED:
      default:
        String json = f.json();
        Optional<JobResult> result =
            json == null
                ? Optional.empty()
                : Optional.of(new ResultImpl(codec, jobId, json, f.expiresAt()));
        return new JobInfo(
            jobId,
            JobState.SUCCEEDED,
            queue,
            f.attempt(),
            Optional.empty(),
            Optional.empty(),
            result);
    }
  }
}
