package dev.gander.internal.pubsub;

import dev.gander.GanderClosedException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes stored notifications older than the retention, every quarter of it, on a thread of its
 * own ({@code gander-pubsub-prune-<name>}), while this process has sent any that may still be
 * stored: it stops once everything this process sent is older than the retention and a prune has
 * run since, and the next send starts it again. So what a process sent is gone about one retention
 * later whether or not anyone sends after it; a process that sends nothing starts no thread.
 */
final class Pruner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Pruner.class);

  private final Runnable prune;
  private final String name;
  private final long keepNanos;
  private final long periodNanos;
  private final Object lock = new Object();
  private @Nullable Thread thread;
  private boolean closed;
  private long lastSent;

  /**
   * Creates the pruner; starts nothing.
   *
   * @param prune deletes what is older than the retention, in a write of its own
   * @param name the database's name, for the thread's
   * @param retentionMs the retention
   */
  Pruner(Runnable prune, String name, long retentionMs) {
    this.prune = prune;
    this.name = name;
    this.keepNanos = TimeUnit.MILLISECONDS.toNanos(retentionMs);
    this.periodNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), keepNanos / 4);
  }

  /** A notification was stored: prune until it is older than the retention. */
  void sent() {
    synchronized (lock) {
      lastSent = System.nanoTime();
      if (thread != null || closed) {
        return;
      }
      Thread t = new Thread(this::run, "gander-pubsub-prune-" + name);
      t.setDaemon(true);
      thread = t;
      t.start();
    }
  }

  private void run() {
    while (true) {
      synchronized (lock) {
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
      long started = System.nanoTime();
      try {
        prune.run();
      } catch (GanderClosedException e) {
        synchronized (lock) {
          thread = null;
          return;
        }
      } catch (RuntimeException e) {
        log.warn("Pruning old notifications failed; trying again later: {}", e.toString());
      }
      synchronized (lock) {
        // The prune that just ran deleted what was sent before started - retention: if that is
        // everything this process sent (with a period's margin for the clocks), stop.
        if (closed || started - lastSent > keepNanos + periodNanos) {
          thread = null;
          return;
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
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
