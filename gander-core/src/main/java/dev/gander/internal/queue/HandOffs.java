package dev.gander.internal.queue;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Pollers of this process that wait on a queue, for an enqueue of this process to claim for: its
 * own transaction inserts the jobs and claims for the longest-waiting poller with that poller's
 * worker id, lease and batch size, and hands over what it claimed right after the commit. The
 * poller then returns without a claim transaction of its own: one write less per job, and a wake-up
 * that does not wait for it.
 *
 * <p>A poller offers its {@link Slot} only while it waits. An enqueue {@linkplain #reserve
 * reserves} a waiting slot before it claims; from then on the poller does not leave without the
 * outcome, which comes right after the enqueue's commit: the jobs ({@link Slot#deliver}), or
 * nothing if the transaction failed or claimed nothing ({@link Slot#release}), after which the slot
 * waits again. A claim inside the enqueue's transaction is the same claim a poller makes, so what a
 * poller may get (order, priority, run time, lease) does not change.
 */
final class HandOffs {
  private static final int IDLE = 0;
  private static final int WAITING = 1;
  private static final int RESERVED = 2;
  private static final int DELIVERED = 3;

  private final ConcurrentHashMap<String, Queue<Slot>> slots = new ConcurrentHashMap<>();

  /**
   * Registers a poller; it offers nothing until {@link Slot#offer}.
   *
   * @param handle the queue handle it polls through (name and options)
   * @param workerId its worker id
   * @param max the most jobs it takes at once
   * @return its slot, to close when the poll ends
   */
  Slot open(QueueHandle handle, String workerId, int max) {
    Slot s = new Slot(handle, workerId, max, Thread.currentThread());
    slots.compute(
        handle.name(),
        (k, q) -> {
          Queue<Slot> out = q == null ? new ConcurrentLinkedQueue<>() : q;
          out.add(s);
          return out;
        });
    return s;
  }

  /**
   * Reserves the longest-waiting poller of {@code queue}, if any waits.
   *
   * @param queue the queue
   * @return the reserved slot, or null
   */
  @Nullable Slot reserve(String queue) {
    Queue<Slot> q = slots.get(queue);
    if (q == null) {
      return null;
    }
    for (Slot s : q) {
      if (s.state.compareAndSet(WAITING, RESERVED)) {
        return s;
      }
    }
    return null;
  }

  /** One poller's place: offered while it waits, reserved by an enqueue, then given the jobs. */
  final class Slot {
    final QueueHandle handle;
    final String workerId;
    final int max;
    private final Thread owner;
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private volatile @Nullable List<JobImpl> jobs;

    private Slot(QueueHandle handle, String workerId, int max, Thread owner) {
      this.handle = handle;
      this.workerId = workerId;
      this.max = max;
      this.owner = owner;
    }

    /** The poller is about to wait: enqueues may claim for it from now on. */
    void offer() {
      state.compareAndSet(IDLE, WAITING);
    }

    /**
     * The poller stops waiting: takes what was handed over, first waiting for the outcome of a
     * reservation in progress (an enqueue's commit, a moment away). The thread's interrupt status
     * is kept, never acted on here.
     *
     * @return the jobs handed over, or an empty list
     */
    List<JobImpl> withdraw() {
      boolean interrupted = false;
      try {
        while (true) {
          int s = state.get();
          if (s == IDLE || (s == WAITING && state.compareAndSet(WAITING, IDLE))) {
            return List.of();
          }
          if (s == DELIVERED) {
            List<JobImpl> out = jobs;
            jobs = null;
            state.set(IDLE);
            return out == null ? List.of() : out;
          }
          if (s == RESERVED) {
            LockSupport.park(this);
            interrupted |= Thread.interrupted();
          }
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /**
     * The enqueue committed with these jobs claimed for this poller.
     *
     * @param claimed the jobs, leased to this poller's worker id; none releases the slot
     */
    void deliver(List<JobImpl> claimed) {
      if (claimed.isEmpty()) {
        release();
        return;
      }
      jobs = claimed;
      if (state.compareAndSet(RESERVED, DELIVERED)) {
        LockSupport.unpark(owner);
      }
    }

    /** The enqueue claimed nothing for this poller, or did not commit: it waits again. */
    void release() {
      if (state.compareAndSet(RESERVED, WAITING)) {
        LockSupport.unpark(owner);
      }
    }

    /**
     * Ends the poll: withdraws, and unregisters the slot.
     *
     * @return jobs handed over that the poller has not taken, for it to give back
     */
    List<JobImpl> close() {
      List<JobImpl> left = withdraw();
      slots.computeIfPresent(
          handle.name(),
          (k, q) -> {
            q.remove(this);
            return q.isEmpty() ? null : q;
          });
      return left;
    }
  }
}
