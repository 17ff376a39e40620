package dev.gander.queue;

import java.util.Objects;

/**
 * The outcome of {@link Queue#submit}: the job's id, and whether it is a new job or the live job
 * that already held the unique key (as Oban's {@code conflict?} tells).
 *
 * @param id the new job, or the live job holding the unique key
 * @param duplicate {@code true} if nothing was written because a live job of the queue held the
 *     same {@code uniqueKey}; the payload given was dropped
 */
public record EnqueueResult(JobId id, boolean duplicate) {
  /**
   * Checks that the id is given.
   *
   * @param id the job's id
   * @param duplicate whether it was a duplicate
   */
  public EnqueueResult {
    Objects.requireNonNull(id, "id");
  }

  /**
   * Whether a new job was written.
   *
   * @return {@code !duplicate()}
   */
  public boolean isNew() {
    return !duplicate;
  }
}
