package dev.gander.internal.queue;

import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.TxRunner;
import dev.gander.internal.spi.TxWork;
import dev.gander.queue.EnqueueResult;
import java.sql.SQLException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Pollers of this process that wait on a queue, for an enqueue of this process to claim for: its
 * own transaction inserts the jobs and claims for the longest-registered waiting poller with that
 * poller's worker id, lease and batch size, and hands over what it claimed right after the commit.
 * The poller then returns without a claim transaction of its own: one write less per job, and a
 * wake-up that does not wait for it.
 *
 * <p>A poller offers its {@link Slot} only while it waits. An enqueue {@linkplain #reserve
 * reserves} a waiting slot before it claims; from then on the poller does not leave without the
 * outcome, which comes right after the enqueue's commit: the jobs ({@link Slot#deliver}), or
 * nothing if the transaction failed or claimed nothing ({@link Slot#release}), after which the slot
 * waits again. Each reservation has an id, so an outcome meant for an earlier one can never settle
 * a later one. A claim inside the enqueue's transaction is the same claim a poller makes, so what a
 * poller may get (order, priority, run time, lease) does not change.
 */
final class HandOffs {
  private static final int IDLE = 0;
  private static final int WAITING = 1;
  private static final int RESERVED = 2;
  private static final int DELIVERED = 3;

  /** A slot reserved by one enqueue, with the id its outcome must name. */
  record Reservation(Slot slot, long id) {}

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
   * Whether a poller of this process may be waiting on {@code queue}: one map lookup, so that an
   * enqueue nobody waits for skips the rest.
   *
   * @param queue the queue
   * @return {@code false} if no poller of the queue is registered
   */
  boolean anyWaiting(String queue) {
    return slots.containsKey(queue);
  }

  /** The ordinary claim, in a given transaction, for a poller's worker id and batch size. */
  interface Claim {
    List<JobImpl> claim(Tx t, QueueHandle handle, String workerId, int max) throws SQLException;
  }

  /**
   * Runs {@code insert} in a write of its own and, if it inserted a job, claims in the same
   * transaction for the longest-registered waiting poller of {@code queue}, handing the jobs over
   * right after the commit.
   *
   * @param tx the database's transactions
   * @param queue the queue
   * @param insert the insertion of the jobs, returning their ids
   * @param claim the ordinary claim
   * @param claimed told of the jobs handed over, after the commit (for the sweeper's plan)
   * @return what {@code insert} returned
   */
  List<EnqueueResult> insertAndHandOver(
      TxRunner tx,
      String queue,
      TxWork<List<EnqueueResult>> insert,
      Claim claim,
      Consumer<List<JobImpl>> claimed) {
    // The work may run more than once (a group commit runs it again when another request of its
    // group failed), so the reservation is made once and kept across runs.
    HandOff h = new HandOff();
    boolean done = false;
    try {
      List<EnqueueResult> ids =
          tx.runWrite(
              t -> {
                List<EnqueueResult> out = insert.run(t);
                h.claimed = List.of();
                if (out.stream().anyMatch(r -> !r.duplicate())) {
                  // Only then does the insert signal the queue's waiters, the poller included.
                  if (h.reservation == null) {
                    h.reservation = reserve(queue);
                  }
                  Reservation r = h.reservation;
                  if (r != null) {
                    Slot s = r.slot();
                    List<JobImpl> jobs = claim.claim(t, s.handle, s.workerId, s.max);
                    h.claimed = jobs;
                    t.afterCommit(
                        () -> {
                          h.committed = true;
                          h.delivered = s.deliver(r.id(), jobs);
                          claimed.accept(jobs);
                        });
                  }
                }
                return out;
              });
      done = true;
      return ids;
    } finally {
      Reservation r = h.reservation;
      if (r != null && !h.delivered) {
        r.slot().release(r.id()); // nothing if the poller was given its outcome already
        // Claimed for a poller that did not get them (its reservation was no longer current), or
        // a write whose commit may have happened though it failed (a connection lost during
        // COMMIT): give them back. A release is fenced by the lease token, so nothing happens to
        // a job that was not claimed after all.
        if (h.committed || !done) {
          for (JobImpl job : h.claimed) {
            releaseQuietly(job);
          }
        }
      }
    }
  }

  /** One enqueue's hand-off: set on the writing thread, read after the write returns. */
  private static final class HandOff {
    volatile @Nullable Reservation reservation;
    volatile List<JobImpl> claimed = List.of();
    volatile boolean committed;
    volatile boolean delivered;
  }

  private static void releaseQuietly(JobImpl job) {
    try {
      job.release();
    } catch (RuntimeException e) {
      // Closed or failing: its lease runs out and the sweeper makes it claimable again.
    }
  }

  /**
   * Reserves the longest-registered waiting poller of {@code queue}, if any waits.
   *
   * @param queue the queue
   * @return the reservation, or null
   */
  @Nullable Reservation reserve(String queue) {
    Queue<Slot> q = slots.get(queue);
    if (q == null) {
      return null;
    }
    for (Slot s : q) {
      Reservation r = s.tryReserve();
      if (r != null) {
        return r;
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

    // Guarded by this. Changes are rare and short; the owner parks outside the lock.
    private int state = IDLE;
    private long reservations;
    private @Nullable List<JobImpl> jobs;

    private Slot(QueueHandle handle, String workerId, int max, Thread owner) {
      this.handle = handle;
      this.workerId = workerId;
      this.max = max;
      this.owner = owner;
    }

    /** The poller is about to wait: enqueues may claim for it from now on. */
    synchronized void offer() {
      if (state == IDLE) {
        state = WAITING;
      }
    }

    private synchronized @Nullable Reservation tryReserve() {
      if (state != WAITING) {
        return null;
      }
      state = RESERVED;
      return new Reservation(this, ++reservations);
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
          synchronized (this) {
            if (state == DELIVERED) {
              List<JobImpl> out = jobs;
              jobs = null;
              state = IDLE;
              return out == null ? List.of() : out;
            }
            if (state != RESERVED) {
              state = IDLE;
              return List.of();
            }
          }
          LockSupport.park(this);
          interrupted |= Thread.interrupted();
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    /**
     * The enqueue of reservation {@code id} committed with these jobs claimed for this poller.
     *
     * @param id the reservation
     * @param claimed the jobs, leased to this poller's worker id; none releases the slot
     * @return whether the poller takes them; if not, the caller gives them back
     */
    boolean deliver(long id, List<JobImpl> claimed) {
      if (claimed.isEmpty()) {
        release(id);
        return true;
      }
      synchronized (this) {
        if (state != RESERVED || reservations != id) {
          return false;
        }
        jobs = claimed;
        state = DELIVERED;
      }
      LockSupport.unpark(owner);
      return true;
    }

    /**
     * The enqueue of reservation {@code id} claimed nothing for this poller, or did not commit: it
     * waits again. Nothing if that reservation was settled already.
     *
     * @param id the reservation
     */
    void release(long id) {
      synchronized (this) {
        if (state != RESERVED || reservations != id) {
          return;
        }
        state = WAITING;
      }
      LockSupport.unpark(owner);
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
