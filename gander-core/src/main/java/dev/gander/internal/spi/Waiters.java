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
   * Blocks until someone waits without watching (see {@link #watchOnWaitingThreads}), the waiters
   * close, or the time runs out.
   *
   * @param timeoutNanos the longest wait
   * @return whether someone waits without watching
   * @throws InterruptedException if interrupted
   */
  boolean awaitWaiters(long timeoutNanos) throws InterruptedException;

  /**
   * Wakes every waiter of {@code key}.
   *
   * @param key the key
   */
  void signal(WakeKey key);

  /**
   * Lets waiting threads run {@code watch} themselves while nobody else does, instead of waiting to
   * be woken by the notifier's thread. Such a waiter counts in {@link #waitedKeys()} but not in
   * {@link #awaitWaiters}: the notifier's own thread is needed only for the others.
   *
   * @param watch the backend's watch
   */
  void watchOnWaitingThreads(WaiterWatch watch);

  /** Wakes every waiter of every key, for a notifier that may have missed changes (a reconnect). */
  void signalAll();
}
