package dev.gander.internal.spi;

/**
 * What a blocked waiter waits for, as a type rather than a string built in one place and parsed in
 * another. Backends carry keys from the committing process to others (SQLite's commit watcher
 * re-checks them; PostgreSQL's NOTIFY names them); capability logic signals and awaits them.
 */
public sealed interface WakeKey {
  /**
   * Work may have become claimable in a queue, or its next run time changed.
   *
   * @param queue the queue
   */
  record QueueWork(String queue) implements WakeKey {}

  /**
   * A job of a queue ended (succeeded or died): drain waiters re-check.
   *
   * @param queue the queue
   */
  record QueueDrain(String queue) implements WakeKey {}

  /**
   * Events were appended to a stream: its subscribers read on.
   *
   * @param stream the stream
   */
  record StreamAppended(String stream) implements WakeKey {}

  /**
   * A lock was released: those waiting to take it try again.
   *
   * @param name the lock
   */
  record LockReleased(String name) implements WakeKey {}

  /** A job ended somewhere: result waiters re-check. */
  record JobEnded() implements WakeKey {
    /** The one instance. */
    public static final JobEnded INSTANCE = new JobEnded();
  }
}
