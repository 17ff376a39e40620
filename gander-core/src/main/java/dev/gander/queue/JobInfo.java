package dev.gander.queue;

import java.util.Objects;
import java.util.Optional;

/**
 * What became of a job, as read by {@link Results#info(JobId)} at one moment.
 *
 * @param id the job
 * @param state where it is in its life; {@link JobState#UNKNOWN} if there is no trace of it
 * @param queue its queue, when known
 * @param attempts how many times it was claimed (for a succeeded job: the attempt that acked it)
 * @param lastError the error of its last failed attempt, or of its dead-lettering
 * @param deadReason for a {@link JobState#DEAD} job: {@code failed}, {@code expired}, {@code
 *     expired-while-retrying} or {@code lease-expired}
 * @param result for a {@link JobState#SUCCEEDED} job acked with a result: that result
 */
public record JobInfo(
    JobId id,
    JobState state,
    Optional<String> queue,
    int attempts,
    Optional<String> lastError,
    Optional<String> deadReason,
    Optional<JobResult> result) {

  /**
   * Checks that nothing is null.
   *
   * @param id the job
   * @param state where it is in its life
   * @param queue its queue, when known
   * @param attempts how many times it was claimed
   * @param lastError the error of its last failed attempt
   * @param deadReason why it is dead, for a dead job
   * @param result its result, for a job that succeeded with one
   */
  public JobInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(lastError, "lastError");
    Objects.requireNonNull(deadReason, "deadReason");
    Objects.requireNonNull(result, "result");
  }

  /**
   * The record of a job Gander knows nothing of.
   *
   * @param id the job
   * @return an {@link JobState#UNKNOWN} record
   */
  public static JobInfo unknown(JobId id) {
    return new JobInfo(
        id,
        JobState.UNKNOWN,
        Optional.empty(),
        0,
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }
}
