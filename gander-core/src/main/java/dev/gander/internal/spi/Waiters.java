package dev.gander.internal.spi;

import java.util.List;

/**
 * The waiters of one database in this process, as a backend's notifier sees them: which keys are
 * waited on, and how to wake them.
 */
public interface Waiters {
  /**
   * The keys someone waits on now.
   *
   * @return the keys
   */
  List<WakeKey> waitedKeys();

  /**
   * Whether anyone waits on any key.
   *
   * @return {@code true} if someone waits
   */
  boolean anyWaiters();

  /**
   * Blocks until someone waits, the waiters close, or the time runs out.
   *
   * @param timeoutNanos the longest wait
   * @throws InterruptedException if interrupted
   */
  void awaitWaiters(long timeoutNanos) throws InterruptedException;

  /**
   * Wakes every waiter of {@code key}.
   *
   * @param key the key
   */
  void signal(WakeKey key);

  /** Wakes every waiter of every key, for a notifier that may have missed changes (a reconnect). */
  void signalAll();
}
