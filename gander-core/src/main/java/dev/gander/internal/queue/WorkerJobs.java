package dev.gander.internal.queue;

import dev.gander.LeaseLostException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs a {@link ManagedWorker} holds: claimed and neither settled nor given back yet, waiting
 * for a pool thread or running. It bounds how many the worker claims (slots, and a target that
 * follows how long handlers take), knows which pool thread runs which job's handler, gives jobs
 * back, and extends their leases. Whether the worker still accepts jobs is kept here too, since it
 * decides who waits for a job to leave.
 *
 * <p>Thread-safe: the dispatcher, the pool threads, the heartbeat thread, the settler and close()
 * all use it. Waiting for a job to leave is on one monitor, notified by {@link #done}.
 */
final class WorkerJobs {
  /** Logs as the worker: everything a worker reports is under one name. */
  private static final Logger log = LoggerFactory.getLogger(ManagedWorker.class);

  /** The most jobs held at once by a worker whose handlers are fast. */
  private static final int MAX_CLAIM_AHEAD = 256;

  private static final int REFILL_DIVISOR = 2;

  /** Claimed-ahead jobs should start within about this long. */
  private static final double AHEAD_HORIZON_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private final String workerId;
  private final int concurrency;
  private final Semaphore slots;

  /** Jobs claimed and neither settled nor given back yet: waiting for a thread, or running. */
  private final Set<JobImpl> running = ConcurrentHashMap.newKeySet();

  /** Notified whenever a job leaves {@link #running}. */
  private final Object jobDone = new Object();

  /** The job each pool thread runs a handler for; tells close() that a handler called it. */
  private final Map<Thread, JobImpl> inHandler = new ConcurrentHashMap<>();

  /** Started jobs that close() gave back: their handler's outcome is not recorded. */
  private final Set<JobImpl> givenBack = ConcurrentHashMap.newKeySet();

  /**
   * A moving average of how long handlers take, for {@link #aheadTarget()}; starts high, so that a
   * new worker claims little until it knows. Written by pool threads without a lock: a lost update
   * only delays the average a little.
   */
  private volatile double handlerNanos = TimeUnit.SECONDS.toNanos(1);

  private volatile boolean accepting = true;

  WorkerJobs(String workerId, int concurrency) {
    this.workerId = workerId;
    this.concurrency = concurrency;
    // Claim ahead as many jobs as there are threads: the threads find the next job waiting when
    // they finish one, instead of each waiting for a claim transaction of its own.
    this.slots = new Semaphore(maxAhead(concurrency));
  }

  /** The most jobs a worker holds at once, running or claimed ahead. */
  private static int maxAhead(int concurrency) {
    return Math.max(2 * concurrency, MAX_CLAIM_AHEAD);
  }

  /**
   * How many jobs to hold, running or claimed ahead, given how long handlers take: enough for about
   * {@link #AHEAD_HORIZON_NANOS} of work beyond the running ones, between twice the concurrency
   * (slow jobs: claiming more would only keep them from other processes' workers) and {@link
   * #MAX_CLAIM_AHEAD} (fast jobs: claims and acks in large batches).
   */
  private int aheadTarget() {
    int c = concurrency;
    double perJob = Math.max(handlerNanos, 1);
    double ahead = c + c * (AHEAD_HORIZON_NANOS / perJob);
    return (int) Math.min(maxAhead(c), Math.max(2 * c, ahead));
  }

  /** How few jobs a worker holds before it claims more: a quarter below its target. */
  private static int refillAt(int target) {
    return target - Math.max(1, target / REFILL_DIVISOR);
  }

  // ------------------------------------------------------------------- accepting

  /** Whether the worker still claims and starts jobs; false once it is closing. */
  boolean accepting() {
    return accepting;
  }

  /** The worker claims and starts no more jobs. */
  void stopAccepting() {
    accepting = false;
  }

  // -------------------------------------------------------------------- claiming

  /**
   * Takes the slots of the next claim, once the worker holds few enough jobs: at least one, and no
   * more than bring it to its target.
   *
   * @return how many jobs the next claim may take; give back what it did not take with {@link
   *     #returnSlots}
   * @throws InterruptedException if interrupted while waiting (close() stops the dispatcher so)
   */
  int takeSlots() throws InterruptedException {
    waitBelowTarget();
    slots.acquire();
    int free = 1 + slots.drainPermits();
    int allowed = Math.max(1, aheadTarget() - running.size());
    if (free > allowed) {
      slots.release(free - allowed);
      free = allowed;
    }
    return free;
  }

  /** Gives back slots a claim took and did not use. */
  void returnSlots(int n) {
    slots.release(n);
  }

  /**
   * Waits until the worker holds no more than {@link #refillAt(int)} jobs, so that it claims in
   * batches of a quarter of its target or more, not a job at a time as each one finishes.
   */
  private void waitBelowTarget() throws InterruptedException {
    synchronized (jobDone) {
      while (accepting && running.size() > refillAt(aheadTarget())) {
        jobDone.wait();
      }
    }
  }

  /** A job claimed: held until {@link #done}. */
  void hold(JobImpl job) {
    running.add(job);
  }

  /** A job leaves the worker: settled or given back. */
  void done(JobImpl job) {
    givenBack.remove(job);
    if (running.remove(job)) {
      slots.release();
      int left = running.size();
      // Only the dispatcher (below its refill mark) and close() (once few are left) wait.
      if (left <= refillAt(aheadTarget()) || left <= 1 || !accepting) {
        synchronized (jobDone) {
          jobDone.notifyAll();
        }
      }
    }
  }

  /** How many jobs the worker holds. */
  int count() {
    return running.size();
  }

  // -------------------------------------------------------------------- handlers

  /** A pool thread starts running a job's handler. */
  void enterHandler(Thread thread, JobImpl job) {
    inHandler.put(thread, job);
  }

  /**
   * A pool thread's handler returned or threw; its time, since {@code startedNanos}, counts in the
   * average that sizes claims.
   */
  void exitHandler(Thread thread, long startedNanos) {
    inHandler.remove(thread);
    handlerNanos = 0.9 * handlerNanos + 0.1 * (System.nanoTime() - startedNanos);
  }

  /** The job whose handler {@code thread} runs, if it runs one. */
  @Nullable JobImpl inHandlerOf(Thread thread) {
    return inHandler.get(thread);
  }

  /** Interrupts the threads running handlers, but the one of {@code own}. */
  void interruptHandlersBut(JobImpl own) {
    inHandler.forEach(
        (thread, job) -> {
          if (job != own) {
            thread.interrupt();
          }
        });
  }

  /**
   * Waits until no job but {@code own} is running; false on timeout (an interrupt does not end the
   * wait, and its flag is kept).
   */
  boolean awaitOthers(@Nullable JobImpl own, long timeoutNanos) {
    long start = System.nanoTime();
    boolean interrupted = false;
    try {
      synchronized (jobDone) {
        while (running.size() > (own != null && running.contains(own) ? 1 : 0)) {
          // Elapsed time, not a deadline: start + a saturated timeout would overflow.
          long left = timeoutNanos - (System.nanoTime() - start);
          if (left <= 0) {
            return false;
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(jobDone, left);
          } catch (InterruptedException e) {
            interrupted = true; // close waits as long from an interrupted thread; flag kept
          }
        }
      }
      return true;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ------------------------------------------------------------------ giving back

  void giveBackUnstarted(JobImpl job) {
    releaseQuietly(job, false);
    done(job);
  }

  /** Gives back a job whose handler is still running; what the handler does next is ignored. */
  void giveBackStarted(JobImpl job) {
    givenBack.add(job); // first: the handler may return at any moment
    releaseQuietly(job, true);
  }

  /** Gives back every job held but {@code own}, as {@link #giveBackStarted}. */
  void giveBackStartedBut(@Nullable JobImpl own) {
    for (JobImpl job : running) {
      if (job != own) {
        giveBackStarted(job);
      }
    }
  }

  /** Whether close() gave the job back while its handler ran. */
  boolean wasGivenBack(JobImpl job) {
    return givenBack.contains(job);
  }

  void releaseQuietly(JobImpl job, boolean started) {
    try {
      if (started) {
        job.releaseStarted();
      } else {
        job.release();
      }
    } catch (RuntimeException e) {
      log.warn("Worker {} could not release job {}: {}", workerId, job.id, e.toString());
    }
  }

  // ------------------------------------------------------------------ heartbeats

  /** Extends the lease of every job held and not settled by {@code lease}. */
  void heartbeatAll(Duration lease) {
    for (JobImpl job : running) {
      if (job.isSettled()) {
        continue;
      }
      try {
        job.heartbeat(lease);
      } catch (LeaseLostException e) {
        log.warn("Worker {} lost the lease of running job {}", workerId, job.id);
      } catch (RuntimeException e) {
        log.debug("heartbeat of job {} failed: {}", job.id, e.toString());
      }
    }
  }
}
