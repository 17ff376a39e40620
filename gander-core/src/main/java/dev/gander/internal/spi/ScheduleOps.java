package dev.gander.internal.spi;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * A backend's operations on cron schedules, in domain terms. A task's {@code lastFire} is the tick
 * cursor: the last tick handled (fired or skipped), or when it was added or resumed. Moving it is a
 * compare-and-set, and a tick's jobs are enqueued in the same transaction, so a tick fires once
 * even if two runners believe they lead.
 */
public interface ScheduleOps {
  /**
   * A task's row.
   *
   * @param name the task
   * @param queue the target queue
   * @param cron the expression
   * @param zone the time zone id
   * @param payload the jobs' payload, JSON
   * @param priority the jobs' priority
   * @param expiresMs the jobs' expiry after their tick, or 0 for none
   * @param jitterMs the largest random delay of a job's run time
   * @param missedPolicy the missed-fire policy, encoded ({@code FIRE_ONCE}, {@code SKIP}, {@code
   *     FIRE_ALL:100})
   * @param paused whether it is paused
   * @param lastFire the tick cursor, epoch ms
   * @param lastJob the last tick that enqueued a job, epoch ms, or 0 if none has
   */
  record Task(
      String name,
      String queue,
      String cron,
      String zone,
      String payload,
      int priority,
      long expiresMs,
      long jitterMs,
      String missedPolicy,
      boolean paused,
      long lastFire,
      long lastJob) {}

  /**
   * Inserts a task with its cursor at {@code now}, or replaces an existing one's definition
   * (keeping its paused state and cursor).
   */
  void upsert(Tx tx, Task task, long now) throws SQLException;

  /** Deletes a task; false if there was none. */
  boolean delete(Tx tx, String name) throws SQLException;

  /**
   * Pauses or resumes a task; resuming moves its cursor to {@code now} if it is behind, so that
   * ticks of the pause never fire. False if there was no such task.
   */
  boolean setPaused(Tx tx, String name, boolean paused, long now) throws SQLException;

  /** The tasks, by name. */
  List<Task> list(Tx tx) throws SQLException;

  /** One task. */
  Optional<Task> get(Tx tx, String name) throws SQLException;

  /**
   * Moves a task's cursor from {@code expectedLastFire} to {@code newLastFire} (and its last job to
   * {@code lastJob} when that is not 0), if the cursor is still {@code expectedLastFire} and the
   * task is not paused.
   *
   * @return whether it moved: only then may the caller enqueue the ticks, in the same transaction
   */
  boolean advance(Tx tx, String name, long expectedLastFire, long newLastFire, long lastJob)
      throws SQLException;
}
