package dev.gander.internal.queue;

import dev.gander.GanderClosedException;
import dev.gander.internal.Times;
import dev.gander.internal.Uninterruptibly;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The maintenance thread of one database, started when something first consumes: it makes
 * lease-expired jobs claimable again (dead-lettering those on their last attempt, without waiting
 * for anyone to claim), dead-letters jobs that expired unclaimed, and purges expired results. It
 * sleeps until the earliest of those is due, re-reading at least once a second so that leases taken
 * by other processes are noticed too.
 */
final class Sweeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Sweeper.class);
  private static final long MAX_SLEEP_MS = 1000;

  private final JobLifecycle engine;
  private final String name;
  private final Object lock = new Object();
  private Thread thread;
  private long wakeAt = Long.MAX_VALUE;
  private boolean closed;

  Sweeper(JobLifecycle engine, String name) {
    this.engine = engine;
    this.name = name;
  }

  void ensureStarted() {
    synchronized (lock) {
      if (thread != null || closed) {
        return;
      }
      Thread t = new Thread(this::run, "gander-sweeper-" + name);
      t.setDaemon(true);
      thread = t;
      t.start();
    }
  }

  /** Tells the sweeper something is due at {@code at} (epoch ms), waking it earlier if needed. */
  void hint(long at) {
    synchronized (lock) {
      if (at < wakeAt) {
        wakeAt = at;
        lock.notifyAll();
      }
    }
  }

  private void run() {
    while (true) {
      try {
        long now = engine.clock.millis();
        long next = engine.sweeps.nextSweepAt();
        if (next <= now) {
          int changed = engine.sweeps.sweep();
          if (changed > 0) {
            log.debug("swept {} row(s)", changed);
          }
          continue;
        }
        synchronized (lock) {
          if (closed) {
            return;
          }
          wakeAt = Math.min(next, Times.plus(now, MAX_SLEEP_MS));
          // Bounded by real (monotonic) time, not by the clock: a clock stepped back must not
          // keep the sweeper asleep until it catches up with where it was.
          long realDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_SLEEP_MS);
          long sleep;
          while (!closed && (sleep = wakeAt - engine.clock.millis()) > 0) {
            long realLeft = realDeadline - System.nanoTime();
            if (realLeft <= 0) {
              break;
            }
            TimeUnit.NANOSECONDS.timedWait(
                lock, Math.min(TimeUnit.MILLISECONDS.toNanos(sleep), realLeft));
          }
          if (closed) {
            return;
          }
          wakeAt = Long.MAX_VALUE;
        }
      } catch (InterruptedException e) {
        return;
      } catch (GanderClosedException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("Sweep of {} failed: {}", name, e.toString());
        synchronized (lock) {
          try {
            if (!closed) {
              lock.wait(TimeUnit.SECONDS.toMillis(1));
            }
          } catch (InterruptedException ie) {
            return;
          }
          if (closed) {
            return;
          }
        }
      }
    }
  }

  @Override
  public void close() {
    Thread t;
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
      t = thread;
    }
    if (t != null) {
      t.interrupt();
      // Even from an interrupted thread: the sweep must end before the store closes under it.
      Uninterruptibly.join(t, System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }
  }
}
