package dev.gander.schedule;

import dev.gander.InvalidNameException;
import java.time.Duration;
import java.util.List;

/**
 * The cron schedules of one database. Tasks live in the database, so every process sharing it sees
 * the same tasks; adding one does not start anything. {@link #start} starts a runner; any number of
 * processes may run one, and only the holder of the scheduler lock fires. Thread-safe.
 */
public interface Scheduler {
  /** The time to live of the scheduler lock, unless {@link #start(String, Duration)} sets one. */
  Duration DEFAULT_LOCK_TTL = Duration.ofSeconds(10);

  /**
   * Adds a task, or replaces the definition of the task of that name (keeping its paused state and
   * the last tick it fired, so that re-adding a task at every start neither repeats nor loses a
   * tick). A new task's first tick is the first after now.
   *
   * @param task the task
   * @throws InvalidCronException if the cron expression is not valid, with the parser's reason
   * @throws InvalidNameException if the task's or the queue's name breaks the queue-name rule
   */
  void add(ScheduledTask task) throws InvalidCronException, InvalidNameException;

  /**
   * Removes a task; jobs it already enqueued stay.
   *
   * @param name the task
   * @return whether there was such a task
   */
  boolean remove(String name);

  /**
   * Pauses a task: no tick fires until it is resumed.
   *
   * @param name the task
   * @return whether there was such a task
   */
  boolean pause(String name);

  /**
   * Resumes a paused task. Ticks that came due while it was paused never fire: the next is the
   * first after now.
   *
   * @param name the task
   * @return whether there was such a task
   */
  boolean resume(String name);

  /**
   * The tasks, by name, with their next fire times.
   *
   * @return the tasks
   */
  List<ScheduledTaskInfo> list();

  /**
   * Starts a runner in this process with the default lock time to live ({@link #DEFAULT_LOCK_TTL}).
   *
   * @param owner who runs it, such as a host name and pid: 1 to 256 characters
   * @return the runner; close it to stop
   */
  SchedulerRunner start(String owner);

  /**
   * Starts a runner in this process. The leader extends its lock every third of {@code lockTtl};
   * when it dies, another runner takes over within about {@code lockTtl}.
   *
   * @param owner who runs it, such as a host name and pid: 1 to 256 characters
   * @param lockTtl the scheduler lock's time to live, at least 30 ms
   * @return the runner; close it to stop
   */
  SchedulerRunner start(String owner, Duration lockTtl);
}
