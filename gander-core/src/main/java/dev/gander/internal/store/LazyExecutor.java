package dev.gander.internal.store;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A bounded pool of named daemon threads that start on first use and stop after 30 s idle, so a
 * store that never uses it owns no thread for it.
 */
final class LazyExecutor implements Executor {
  private final String prefix;
  private final int threads;
  private final AtomicInteger counter = new AtomicInteger();
  private @Nullable ThreadPoolExecutor pool;
  private boolean shutdown;

  LazyExecutor(String prefix, int threads) {
    this.prefix = prefix;
    this.threads = threads;
  }

  @Override
  public synchronized void execute(Runnable command) {
    if (shutdown) {
      throw new IllegalStateException(prefix + " has been shut down");
    }
    ThreadPoolExecutor p = pool;
    if (p == null) {
      p =
          new ThreadPoolExecutor(
              threads,
              threads,
              30,
              TimeUnit.SECONDS,
              new LinkedBlockingQueue<>(),
              r -> {
                Thread t = new Thread(r, prefix + "-" + counter.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      p.allowCoreThreadTimeOut(true);
      pool = p;
    }
    p.execute(command);
  }

  /** Runs what was submitted, then stops the threads, waiting at most {@code timeoutNanos}. */
  void shutdown(long timeoutNanos) {
    ThreadPoolExecutor p;
    synchronized (this) {
      shutdown = true;
      p = pool;
    }
    if (p == null) {
      return;
    }
    p.shutdown();
    try {
      if (!p.awaitTermination(timeoutNanos, TimeUnit.NANOSECONDS)) {
        p.shutdownNow();
        p.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.shutdownNow();
    }
  }
}
