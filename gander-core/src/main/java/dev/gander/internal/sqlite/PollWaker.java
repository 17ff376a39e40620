package dev.gander.internal.sqlite;

import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Wakes a waiting thread that runs the commit watch (see {@link CommitWatcher}) out of a {@link
 * WatchService#poll(long, TimeUnit)}, from another thread. A watch service's poll ends only on a
 * key, its timeout, its close or an interrupt, so the wake-up is an interrupt: sent only while the
 * owner blocks in the poll, and taken back before the owner returns, so that its caller never sees
 * it. An interrupt of the caller's own still ends the wait: one already pending when a wake-up
 * comes is left alone, and one that lands while the poll runs is rethrown. (One that lands between
 * a wake-up's interrupt and its taking back is taken with it: the two are indistinguishable, and
 * the window is microseconds.) A wake-up while the owner is not in the poll makes its next poll
 * return at once.
 */
final class PollWaker {
  private final Object lock = new Object();

  // Guarded by lock.
  private @Nullable Thread owner;
  private boolean inPoll;
  private boolean pending;
  private boolean interruptSent;

  /** Makes the calling thread the one that {@link #wake()} wakes, until {@link #end()}. */
  void begin() {
    synchronized (lock) {
      owner = Thread.currentThread();
      pending = false;
      interruptSent = false;
    }
  }

  /** Ends {@link #begin()}: takes back a wake-up's interrupt that the poll did not take. */
  void end() {
    synchronized (lock) {
      owner = null;
      inPoll = false;
      if (interruptSent) {
        interruptSent = false;
        Thread.interrupted();
      }
    }
  }

  /**
   * Polls {@code service}; on the owner's thread, a {@link #wake()} ends it early.
   *
   * @return the key, or null on timeout or wake-up
   * @throws InterruptedException if the caller's own interrupt ends the poll
   */
  @Nullable WatchKey poll(WatchService service, long nanos) throws InterruptedException {
    synchronized (lock) {
      if (owner != Thread.currentThread()) {
        // The watcher thread: interrupts mean closing, and nobody wakes it this way.
        return service.poll(nanos, TimeUnit.NANOSECONDS);
      }
      if (pending) {
        pending = false;
        return null;
      }
      inPoll = true;
    }
    try {
      return service.poll(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      synchronized (lock) {
        if (!interruptSent) {
          throw e;
        }
      }
      return null;
    } finally {
      synchronized (lock) {
        inPoll = false;
        if (interruptSent) {
          interruptSent = false;
          Thread.interrupted();
        }
      }
    }
  }

  /** Ends the owner's current or next poll early; nothing if there is no owner. */
  void wake() {
    synchronized (lock) {
      Thread t = owner;
      if (t == null) {
        return;
      }
      if (inPoll) {
        if (!interruptSent && !t.isInterrupted()) {
          interruptSent = true;
          t.interrupt();
        }
      } else {
        pending = true;
      }
    }
  }
}
