package dev.gander.internal.sqlite;

import dev.gander.internal.Uninterruptibly;
import dev.gander.internal.spi.DaemonPools;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A bounded pool of named daemon threads that start on first use and stop after 30 s idle, so a
 * store that never uses it owns no thread for it.
 */
final class LazyExecutor implements Executor {
  private final String prefix;
  private final int threads;

  /** Every thread made, so that shutdown can wait for them to end, not just to finish work. */
  private final Set<Thread> made = ConcurrentHashMap.newKeySet();

  private @Nullable ThreadPoolExecutor pool;
  private boolean shutdown;

  LazyExecutor(String prefix, int threads) {
    this.prefix = prefix;
    this.threads = threads;
  }

  /** After shutdown, runs {@code command} on the calling thread: it completes a caller's future. */
  @Override
  public void execute(Runnable command) {
    synchronized (this) {
      if (!shutdown) {
        submit(command);
        return;
      }
    }
    command.run();
  }

  private void submit(Runnable command) {
    ThreadPoolExecutor p = pool;
    if (p == null) {
      p = DaemonPools.idling(prefix, threads, made);
      pool = p;
    }
    p.execute(command);
  }

  /**
   * Tasks never started complete futures that callers wait on: run them on the closing thread
   * rather than drop them (after close they fail fast with GanderClosedException).
   */
  private static void runInstead(java.util.List<Runnable> tasks) {
    for (Runnable r : tasks) {
      try {
        r.run();
      } catch (RuntimeException e) {
        // Each task completes its own future, exceptionally if need be; nothing to add here.
      }
    }
  }

  /**
   * Runs what was submitted, then stops the threads, waiting at most {@code timeoutNanos} before
   * running what is left on the calling thread.
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
    // An interrupted caller still waits (and keeps its flag): the store closes its connections
    // next, under tasks that would otherwise still be running.
    long deadline = System.nanoTime() + timeoutNanos;
    if (!Uninterruptibly.awaitUntil(
        deadline, nanos -> p.awaitTermination(nanos, TimeUnit.NANOSECONDS))) {
      runInstead(p.shutdownNow());
      Uninterruptibly.awaitUntil(
          System.nanoTime() + TimeUnit.SECONDS.toNanos(1),
          nanos -> p.awaitTermination(nanos, TimeUnit.NANOSECONDS));
    }
    // awaitTermination returns once the work is done, a moment before the threads end.
    long threadsDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (Thread t : made) {
      Uninterruptibly.join(t, threadsDeadline);
    }
  }
}
