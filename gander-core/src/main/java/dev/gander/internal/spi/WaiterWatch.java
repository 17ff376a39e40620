package dev.gander.internal.spi;

import java.util.function.BooleanSupplier;

/**
 * A backend's watch for other processes' commits that a waiting thread may run itself. Where the
 * watch is a thread of its own, each wake-up from another process passes through it: the kernel
 * wakes the watch thread, which wakes the waiter. A waiter that runs the watch while nobody else
 * does is woken by the kernel directly, one thread hand-off fewer, and each hand-off is a chance to
 * meet a busy core. Only one thread watches at a time; the others wait as before and are woken by
 * the one that watches.
 */
public interface WaiterWatch {
  /**
   * Runs the watch on the calling thread while {@code waiting} holds and the deadline has not
   * passed, if nobody else runs it now. The watch signals the waited keys that other processes'
   * commits concern, the caller's own included; {@link #wake()} makes it look at {@code waiting}
   * again.
   *
   * @param key the key the caller waits on
   * @param waiting whether the caller still waits; cheap, called after each look
   * @param deadlineNanos when to stop, in {@link System#nanoTime()} terms
   * @return {@code false} at once, without watching, if someone else watches now or the watch
   *     cannot run on a waiting thread (polling, closed); {@code true} once it watched
   * @throws InterruptedException if the calling thread is interrupted
   */
  boolean watchWhile(WakeKey key, BooleanSupplier waiting, long deadlineNanos)
      throws InterruptedException;

  /**
   * Makes the thread in {@link #watchWhile}, if any, look at its {@code waiting} condition soon.
   * Called after a signal in this process; harmless when nobody watches.
   */
  void wake();
}
