package dev.gander.schedule;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A task as stored, with its state.
 *
 * @param task the task; its payload is the stored JSON as {@link dev.gander.queue.RawJson}
 * @param paused whether it is paused
 * @param nextFire the next tick a runner will fire, empty while paused (or if the expression has no
 *     later tick); in the past when it is due and no runner has fired it yet
 * @param lastFire the last tick that enqueued a job, empty if none has
 */
public record ScheduledTaskInfo(
    ScheduledTask task, boolean paused, Optional<Instant> nextFire, Optional<Instant> lastFire) {
  /**
   * Checks the fields.
   *
   * @param task the task
   * @param paused whether it is paused
   * @param nextFire the next tick
   * @param lastFire the last tick fired
   */
  public ScheduledTaskInfo {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(nextFire, "nextFire");
    Objects.requireNonNull(lastFire, "lastFire");
  }
}
