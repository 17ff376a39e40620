package dev.gander.internal.contract;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Starts a blocking call and returns once its thread is parked in a wait, so that a test acts on a
 * waiter that really waits, instead of sleeping a fixed time and hoping it does.
 */
public final class Blocked {
  private Blocked() {}

  /**
   * Submits {@code call} and waits (bounded, 30 s) until its thread waits.
   *
   * @param pool where to run it
   * @param call a call that blocks, such as {@code queue.poll(...)}
   * @param <T> its value
   * @return the call's future
   * @throws InterruptedException if interrupted
   */
  public static <T> Future<T> submit(ExecutorService pool, Callable<T> call)
      throws InterruptedException {
    AtomicReference<Thread> runner = new AtomicReference<>();
    Future<T> f =
        pool.submit(
            () -> {
              runner.set(Thread.currentThread());
              return call.call();
            });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline && !f.isDone()) {
      Thread t = runner.get();
      if (t != null
          && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING)) {
        return f;
      }
      TimeUnit.MICROSECONDS.sleep(200); // a bounded poll of the thread's state
    }
    return f; // done already (a job was ready), or slow to park: correct either way
  }
}
