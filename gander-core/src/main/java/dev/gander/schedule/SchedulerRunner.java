package dev.gander.schedule;

/**
 * A running scheduler in this process: a thread that competes for the scheduler lock and, while it
 * holds it, fires due ticks. Thread-safe. Closing it stops the thread and releases the lock, so
 * that another process's runner takes over at once; a runner that dies without closing is replaced
 * once its lock runs out.
 */
public interface SchedulerRunner extends AutoCloseable {
  /**
   * Whether this runner holds the scheduler lock now (as of its last heartbeat).
   *
   * @return whether it leads
   */
  boolean isLeader();

  /**
   * Who this runner is, as given to {@link Scheduler#start}.
   *
   * @return the owner
   */
  String owner();

  /** Stops firing, releases the lock if held, and waits for the thread to end. Idempotent. */
  @Override
  void close();
}
