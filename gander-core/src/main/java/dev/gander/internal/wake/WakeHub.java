package dev.gander.internal.wake;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * In-process wake-up signals, one per key ({@code q:emails}, {@code results}). A waiter reads the
 * key's sequence number, checks the database, and if there is nothing for it waits until the
 * number changes: a signal that lands between the check and the wait is never lost.
 *
 * <p>Signals are hints: a woken waiter always re-checks the database.
 */
public final class WakeHub {
  private final ConcurrentHashMap<String, Signal> signals = new ConcurrentHashMap<>();
  private final Object waitersChanged = new Object();
  private int totalWaiters;
  private volatile boolean closed;

  private static final class Signal {
    long seq;
    int waiters;
  }

  private Signal slot(String key) {
    return signals.computeIfAbsent(key, k -> new Signal());
  }

  /**
   * The current sequence number of a key; read it before checking the database.
   *
   * @param key the key
   * @return the number
   */
  public long seq(String key) {
    Signal s = slot(key);
    synchronized (s) {
      return s.seq;
    }
  }

  /**
   * Wakes every waiter of {@code key}.
   *
   * @param key the key
   */
  public void signal(String key) {
    Signal s = signals.get(key);
    if (s == null) {
      return;
    }
    synchronized (s) {
      s.seq++;
      if (s.waiters > 0) {
        s.notifyAll();
      }
    }
  }

  /** Wakes every waiter of every key: used on close. */
  public void signalAll() {
    for (String key : signals.keySet()) {
      signal(key);
    }
  }

  /**
   * Waits until {@code key} is signalled after {@code seen}, or the time runs out.
   *
   * @param key the key
   * @param seen the sequence number read before checking the database
   * @param timeoutNanos the longest wait
   * @return {@code true} if signalled, {@code false} on timeout or close
   * @throws InterruptedException if interrupted
   */
  public boolean await(String key, long seen, long timeoutNanos) throws InterruptedException {
    Signal s = slot(key);
    long deadline = System.nanoTime() + timeoutNanos;
    synchronized (s) {
      if (s.seq != seen) {
        return true;
      }
      if (closed) {
        return false;
      }
      s.waiters++;
      changeWaiters(1);
      try {
        while (s.seq == seen && !closed) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          TimeUnit.NANOSECONDS.timedWait(s, left);
        }
        return s.seq != seen;
      } finally {
        s.waiters--;
        changeWaiters(-1);
      }
    }
  }

  private void changeWaiters(int delta) {
    synchronized (waitersChanged) {
      totalWaiters += delta;
      if (totalWaiters > 0) {
        waitersChanged.notifyAll();
      }
    }
  }

  /**
   * The keys that have at least one waiter now.
   *
   * @return the keys
   */
  public List<String> waitedKeys() {
    List<String> keys = new ArrayList<>();
    signals.forEach(
        (k, s) -> {
          synchronized (s) {
            if (s.waiters > 0) {
              keys.add(k);
            }
          }
        });
    return keys;
  }

  /**
   * Whether anyone is waiting on any key.
   *
   * @return {@code true} if someone waits
   */
  public boolean anyWaiters() {
    synchronized (waitersChanged) {
      return totalWaiters > 0;
    }
  }

  /**
   * Blocks until someone waits, the hub closes, or the time runs out.
   *
   * @param timeoutNanos the longest wait
   * @throws InterruptedException if interrupted
   */
  public void awaitWaiters(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    synchronized (waitersChanged) {
      while (totalWaiters == 0 && !closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        TimeUnit.NANOSECONDS.timedWait(waitersChanged, left);
      }
    }
  }

  /** Wakes everyone for good: waits return at once from now on. */
  public void close() {
    closed = true;
    for (Signal s : signals.values()) {
      synchronized (s) {
        s.notifyAll();
      }
    }
    synchronized (waitersChanged) {
      waitersChanged.notifyAll();
    }
  }

  /**
   * Whether {@link #close()} was called.
   *
   * @return {@code true} once closed
   */
  public boolean isClosed() {
    return closed;
  }
}
