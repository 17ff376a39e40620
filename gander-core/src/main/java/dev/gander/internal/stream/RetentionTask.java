package dev.gander.internal.stream;

import dev.gander.GanderClosedException;
import dev.gander.internal.spi.StreamOps;
import dev.gander.stream.CompactReport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies every stream's retention rule, every period, on a thread of its own ({@code
 * gander-retention-<name>}). Started by the first subscription or retention rule of this process: a
 * process that only publishes starts no thread. Rules live in the database, so whichever process
 * runs it applies the same ones; running in several processes at once is harmless.
 */
final class RetentionTask implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RetentionTask.class);

  private final StreamRuntime rt;
  private final String name;
  private final long periodNanos;
  private final Object lock = new Object();
  private Thread thread;
  private boolean closed;

  RetentionTask(StreamRuntime rt, String name, Duration period) {
    this.rt = rt;
    this.name = name;
    this.periodNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), period.toNanos());
  }

  void ensureStarted() {
    synchronized (lock) {
      if (thread != null || closed) {
        return;
      }
      Thread t = new Thread(this::run, "gander-retention-" + name);
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
            return;
          }
        }
        if (closed) {
          return;
        }
      }
      applyAll();
    }
  }

  /** Applies every rule once; a failure is logged and tried again next period. */
  void applyAll() {
    try {
      List<StreamOps.Retention> rules = rt.tx.runRead(rt.ops::retentions);
      for (StreamOps.Retention rule : rules) {
        CompactReport r = rt.applyRetention(rule.stream());
        if (r.removed() > 0) {
          log.debug("Retention removed {} event(s) of stream '{}'", r.removed(), rule.stream());
        }
      }
    } catch (GanderClosedException e) {
      close();
    } catch (RuntimeException e) {
      log.warn("Applying the streams' retention failed; trying again later: {}", e.toString());
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
