package dev.gander.internal;

import java.util.concurrent.TimeUnit;

/**
 * Bounded waits for shutdown code, which must finish its work even when the closing thread is
 * interrupted: an interrupt does not end the wait early (the deadline does), and the thread's
 * interrupt flag is set again on return so that the caller still sees it. Giving up at the
 * interrupt is how close() used to leak the writer connection and leave the WAL behind.
 */
public final class Uninterruptibly {
  /** A wait of at most a number of nanoseconds, as the {@code java.util.concurrent} ones are. */
  @FunctionalInterface
  public interface TimedWait {
    /**
     * Waits.
     *
     * @param nanos the longest wait, possibly 0
     * @return whether the awaited condition was met
     * @throws InterruptedException if interrupted
     */
    boolean await(long nanos) throws InterruptedException;
  }

  private Uninterruptibly() {}

  /**
   * Waits until the condition is met or {@code deadline} passes, whatever interrupts arrive.
   *
   * @param deadline a {@link System#nanoTime()} value
   * @param wait the wait
   * @return whether the condition was met
   */
  public static boolean awaitUntil(long deadline, TimedWait wait) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return wait.await(Math.max(0, deadline - System.nanoTime()));
        } catch (InterruptedException e) {
          // Throwing cleared the flag, so the next attempt waits for real.
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Waits for {@code t} to end, at most until {@code deadline}.
   *
   * @param t the thread
   * @param deadline a {@link System#nanoTime()} value
   * @return whether it ended
   */
  public static boolean join(Thread t, long deadline) {
    return awaitUntil(
        deadline,
        nanos -> {
          TimeUnit.NANOSECONDS.timedJoin(t, nanos);
          return !t.isAlive();
        });
  }
}
