package dev.gander.internal;

import dev.gander.GanderClosedException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Work done every period on a daemon thread of its own, started when first needed: a process that
 * never needs it starts no thread. A round may end the thread when there is nothing left to do; the
 * next {@link #start()} begins a new one, and a start that comes while the thread is deciding to
 * end keeps it going instead. {@link #close()} ends it for good and waits for it.
 */
public abstract class PeriodicTask implements AutoCloseable {
  private final String threadName;
  private final long periodNanos;
  private final Object lock = new Object();
  private @Nullable Thread thread;
  private boolean closed;
  private boolean startedAgain;

  /**
   * Creates the task; starts nothing.
   *
   * @param threadName the thread's name
   * @param periodNanos the pause before each round, at least a millisecond
   */
  protected PeriodicTask(String threadName, long periodNanos) {
    this.threadName = threadName;
    this.periodNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), periodNanos);
  }

  /**
   * One round, after each period's pause. A {@link GanderClosedException} ends the thread; the
   * round handles every other failure itself.
   *
   * @return whether to go on with more rounds; {@code false} ends the thread until the next start
   */
  protected abstract boolean round();

  /** Starts the thread, unless it runs or the task is closed. */
  public final void start() {
    synchronized (lock) {
      startedAgain = true;
      if (thread != null || closed) {
        return;
      }
      Thread t = new Thread(this::run, threadName);
      t.setDaemon(true);
      thread = t;
      t.start();
    }
  }

  private void run() {
    while (true) {
      synchronized (lock) {
        startedAgain = false;
        long deadline = System.nanoTime() + periodNanos;
        long left;
        while (!closed && (left = deadline - System.nanoTime()) > 0) {
          try {
            TimeUnit.NANOSECONDS.timedWait(lock, left);
          } catch (InterruptedException e) {
            thread = null;
            return;
          }
        }
        if (closed) {
          thread = null;
          return;
        }
      }
      boolean more;
      try {
        more = round();
      } catch (GanderClosedException e) {
        synchronized (lock) {
          thread = null;
          return;
        }
      }
      synchronized (lock) {
        if (closed || !(more || startedAgain)) {
          thread = null;
          return;
        }
      }
    }
  }

  /** Ends the thread for good, waiting (up to ten seconds) for a round in progress. */
  @Override
  public void close() {
    Thread t;
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
      t = thread;
    }
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
