package dev.gander.internal.spi;

import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * For backends: the bounded pools of named daemon threads they start lazily for asynchronous work.
 */
public final class DaemonPools {
  private DaemonPools() {}

  /**
   * A pool of at most {@code threads} daemon threads named {@code prefix-N}, which end after 30 s
   * idle, so that a store whose asynchronous calls are not used owns no thread for them.
   *
   * @param prefix the threads' name before {@code -N}
   * @param threads the most threads
   * @param made told of every thread made, so that a shutdown can wait for the threads to end, not
   *     just for the work to finish
   * @return the pool
   */
  public static ThreadPoolExecutor idling(String prefix, int threads, Set<Thread> made) {
    AtomicInteger counter = new AtomicInteger();
    ThreadPoolExecutor p =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, prefix + "-" + counter.incrementAndGet());
              t.setDaemon(true);
              made.add(t);
              return t;
            });
    p.allowCoreThreadTimeOut(true);
    return p;
  }
}
