package dev.gander.internal.postgres;

import dev.gander.internal.spi.DaemonPools;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads of {@code Store.writeAsync} and {@code readAsync} on PostgreSQL: a bounded pool of
 * named daemon threads ({@code gander-async-<schema>-N}) that start on first use and end after 30 s
 * idle, so a store that never goes async owns none. Each task runs its transaction and then
 * completes its future on the same thread, once the transaction has ended and its connection is
 * back in the pool: a dependent stage that runs there holds no connection and no lock of Gander's,
 * and may call the store again. As many threads as the pool has connections: more could only wait
 * for one.
 *
 * <p>Thread-safe. {@link #shutdown(long, Supplier)} runs what was submitted, bounded by a timeout,
 * then fails what is left.
 */
final class PgAsync {
  private static final Logger log = LoggerFactory.getLogger(PgAsync.class);

  private final String prefix;
  private final int threads;
  private final Supplier<? extends RuntimeException> closed;
  private final Set<Thread> made = ConcurrentHashMap.newKeySet();
  private @Nullable ThreadPoolExecutor pool;
  private boolean shutdown;

  /**
   * Creates the pool; no thread starts yet.
   *
   * @param prefix the threads' name, before {@code -N}
   * @param threads the most threads
   * @param closed the failure of work submitted after {@link #shutdown}, or never started by then
   */
  PgAsync(String prefix, int threads, Supplier<? extends RuntimeException> closed) {
    this.prefix = prefix;
    this.threads = threads;
    this.closed = closed;
  }

  /** Work whose value (or failure) completes a caller's future. */
  private static final class Task<T> implements Runnable {
    final Supplier<T> work;
    final CompletableFuture<T> future = new CompletableFuture<>();

    Task(Supplier<T> work) {
      this.work = work;
    }

    @Override
    public void run() {
      T value;
      try {
        value = work.get();
      } catch (Throwable t) {
        future.completeExceptionally(t);
        return;
      }
      future.complete(value);
    }
  }

  /**
   * Runs {@code work} on one of the threads.
   *
   * @param work the work: a transaction of the store's
   * @param <T> its value's type
   * @return its future, completed on the thread that ran it
   */
  <T extends @Nullable Object> CompletableFuture<T> submit(Supplier<T> work) {
    Task<T> task = new Task<>(work);
    synchronized (this) {
      if (!shutdown) {
        try {
          executor().execute(task);
          return task.future;
        } catch (RejectedExecutionException e) {
          // The pool is shut down: fail like any work submitted after close.
        }
      }
    }
    task.future.completeExceptionally(closed.get());
    return task.future;
  }

  private ThreadPoolExecutor executor() {
    ThreadPoolExecutor p = pool;
    if (p == null) {
      p = DaemonPools.idling(prefix, threads, made);
      pool = p;
    }
    return p;
  }

  /**
   * Runs what was submitted, waiting up to {@code timeoutNanos}; fails what has not started by
   * then, and lets the threads end. An interrupt does not cut the wait short; the flag is set again
   * on return. Called from one of the pool's own threads (a dependent stage that closes the
   * Gander), it does not wait for itself.
   *
   * @param timeoutNanos the longest wait
   */
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
    if (made.contains(Thread.currentThread())) {
      return;
    }
    long deadline = System.nanoTime() + timeoutNanos;
    boolean interrupted = false;
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        try {
          if (p.awaitTermination(Math.max(0, left), TimeUnit.NANOSECONDS) || left <= 0) {
            break;
          }
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (!p.isTerminated()) {
        List<Runnable> never = p.shutdownNow();
        log.warn(
            "{}: {} asynchronous transaction(s) did not start before the close timeout; they fail",
            prefix,
            never.size());
        for (Runnable r : never) {
          ((Task<?>) r).future.completeExceptionally(closed.get());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
