package dev.gander.internal.wake;

import dev.gander.internal.spi.WaiterWatch;
import dev.gander.internal.spi.Waiters;
import dev.gander.internal.spi.WakeKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * In-process wake-up signals, one per {@link WakeKey}. A waiter reads the key's sequence number,
 * checks the database, and if there is nothing for it waits until the number changes: a signal that
 * lands between the check and the wait is never lost.
 *
 * <p>Signals are hints: a woken waiter always re-checks the database.
 *
 * <p>Where the backend lends its watch for other processes' commits ({@link
 * #watchOnWaitingThreads}), a waiter first tries to run that watch itself, and waits on the key's
 * monitor only if someone else runs it.
 */
public final class WakeHub implements Waiters {
  private final ConcurrentHashMap<WakeKey, Signal> signals = new ConcurrentHashMap<>();
  private final Object waitersChanged = new Object();
  private int totalWaiters;

  /** Of {@link #totalWaiters}, those running (or about to run) the backend's watch themselves. */
  private int watchingWaiters;

  private volatile @Nullable WaiterWatch watch;
  private volatile boolean closed;

  /** A key's state; it exists only while someone holds an {@link Interest} in the key. */
  private static final class Signal {
    long seq;
    int waiters;

    /** Waiters of this key running the backend's watch: a signal must wake them there. */
    int watching;

    /** Interests held; guarded by the map's per-key lock ({@code compute}). */
    int holders;
  }

  /**
   * Registers interest in {@code key}: signals to it are counted from now until the interest is
   * closed. A key nobody holds an interest in takes no memory, so waiting on many distinct keys
   * over time does not grow the hub.
   *
   * @param key the key
   * @return the interest; close it when done waiting
   */
  public Interest interest(WakeKey key) {
    Signal s =
        signals.compute(
            key,
            (k, v) -> {
              Signal r = v == null ? new Signal() : v;
              r.holders++;
              return r;
            });
    return new Interest(key, s);
  }

  private void release(WakeKey key) {
    signals.computeIfPresent(key, (k, v) -> --v.holders == 0 ? null : v);
  }

  /** Interest in one key: read its sequence number, check the database, then wait for a change. */
  public final class Interest implements AutoCloseable {
    private final WakeKey key;
    private final Signal s;
    private boolean released;

    private Interest(WakeKey key, Signal s) {
      this.key = key;
      this.s = s;
    }

    /**
     * The current sequence number of the key; read it before checking the database.
     *
     * @return the number
     */
    public long seq() {
      synchronized (s) {
        return s.seq;
      }
    }

    /**
     * Waits until the key is signalled after {@code seen}, or the time runs out, or the hub closes.
     *
     * @param seen the sequence number read before checking the database
     * @param timeoutNanos the longest wait
     * @return {@code true} if signalled, {@code false} on timeout or close
     * @throws InterruptedException if interrupted
     */
    public boolean await(long seen, long timeoutNanos) throws InterruptedException {
      return WakeHub.this.await(key, s, seen, timeoutNanos);
    }

    /** Gives up the interest; the key's memory is released when nobody else holds it. */
    @Override
    public void close() {
      if (!released) {
        released = true;
        release(key);
      }
    }
  }

  /**
   * Wakes every waiter of {@code key}. A key nobody is interested in costs one map lookup.
   *
   * @param key the key
   */
  @Override
  public void signal(WakeKey key) {
    Signal s = signals.get(key);
    if (s == null) {
      return;
    }
    boolean wakeWatch;
    synchronized (s) {
      s.seq++;
      if (s.waiters > 0) {
        s.notifyAll();
      }
      wakeWatch = s.watching > 0;
    }
    WaiterWatch w = watch;
    if (wakeWatch && w != null) {
      w.wake();
    }
  }

  /**
   * Lets waiters run the backend's watch themselves (see {@link WaiterWatch}).
   *
   * @param watch the watch
   */
  @Override
  public void watchOnWaitingThreads(WaiterWatch watch) {
    this.watch = watch;
  }

  /** Wakes every waiter of every key: used on close. */
  @Override
  public void signalAll() {
    for (WakeKey key : signals.keySet()) {
      signal(key);
    }
  }

  /**
   * How many keys take memory now, for tests of the rule that memory per name is released.
   *
   * @return the number of keys with an interest
   */
  public int keyCount() {
    return signals.size();
  }

  private boolean await(WakeKey key, Signal s, long seen, long timeoutNanos)
      throws InterruptedException {
    long deadline = dev.gander.internal.Times.deadline(timeoutNanos);
    WaiterWatch w = watch;
    synchronized (s) {
      if (s.seq != seen) {
        return true;
      }
      if (closed) {
        return false;
      }
      s.waiters++;
      if (w != null) {
        s.watching++;
      }
    }
    try {
      if (w != null) {
        // Counted as watching from the start, so that the backend's own watch thread is not
        // woken for a waiter that will most often watch for itself.
        changeWaiters(1, 1);
        boolean watched;
        try {
          watched = w.watchWhile(key, () -> stillWaiting(s, seen), deadline);
        } catch (InterruptedException | RuntimeException | Error e) {
          changeWaiters(-1, -1);
          throw e;
        } finally {
          synchronized (s) {
            s.watching--;
          }
        }
        if (watched) {
          changeWaiters(-1, -1);
          synchronized (s) {
            return s.seq != seen;
          }
        }
        // Someone else watches: wait to be woken, counted as a waiter the watch thread serves.
        changeWaiters(0, -1);
      } else {
        changeWaiters(1, 0);
      }
      try {
        synchronized (s) {
          while (s.seq == seen && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              return false;
            }
            TimeUnit.NANOSECONDS.timedWait(s, left);
          }
          return s.seq != seen;
        }
      } finally {
        changeWaiters(-1, 0);
      }
    } finally {
      synchronized (s) {
        s.waiters--;
      }
    }
  }

  private boolean stillWaiting(Signal s, long seen) {
    synchronized (s) {
      return s.seq == seen && !closed;
    }
  }

  private void changeWaiters(int delta, int watchingDelta) {
    synchronized (waitersChanged) {
      totalWaiters += delta;
      watchingWaiters += watchingDelta;
      if (totalWaiters > watchingWaiters) {
        waitersChanged.notifyAll();
      }
    }
  }

  /**
   * The keys that have at least one waiter now.
   *
   * @return the keys
   */
  @Override
  public List<WakeKey> waitedKeys() {
    List<WakeKey> keys = new ArrayList<>();
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
  @Override
  public boolean anyWaiters() {
    synchronized (waitersChanged) {
      return totalWaiters > 0;
    }
  }

  /**
   * Blocks until someone waits without running the backend's watch, the hub closes, or the time
   * runs out.
   *
   * @param timeoutNanos the longest wait
   * @return whether someone waits without watching
   * @throws InterruptedException if interrupted
   */
  @Override
  public boolean awaitWaiters(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    synchronized (waitersChanged) {
      while (totalWaiters <= watchingWaiters && !closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(waitersChanged, left);
      }
      return totalWaiters > watchingWaiters;
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
    WaiterWatch w = watch;
    if (w != null) {
      w.wake();
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
