package dev.gander.internal.queue;

import dev.gander.GanderClosedException;
import dev.gander.GanderException;
import dev.gander.internal.Uninterruptibly;
import dev.gander.queue.JobHandler;
import dev.gander.queue.Worker;
import dev.gander.queue.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker pool on one queue: a dispatcher thread claims as many jobs as there are free slots (in
 * one transaction), woken by commits, keeping up to {@code concurrency} claimed ahead; a fixed pool
 * of {@code concurrency} threads runs them; a heartbeat thread extends the leases of running and
 * claimed-ahead jobs. On close, jobs claimed ahead and not started are given back at once.
 *
 * <p>Every job it claims is settled by it, whatever its handler does (returns, throws an exception
 * or an {@link Error}, returns a result that cannot be stored), or given back on close; only a
 * failure of the database itself leaves a job leased until its lease runs out.
 *
 * <p>This class owns the threads and stops them; the jobs it holds are counted, sized and given
 * back by {@link WorkerJobs}, and each runs and is settled by a {@link WorkerJobTask}.
 */
public final class ManagedWorker implements Worker {
  private static final Logger log = LoggerFactory.getLogger(ManagedWorker.class);

  /** How long close waits for the dispatcher to stop, and for pool threads to end. */
  private static final long THREAD_EXIT_MILLIS = TimeUnit.SECONDS.toMillis(10);

  private static final Duration MAX_NANOS = Duration.ofNanos(Long.MAX_VALUE);
  private static final Duration MAX_MILLIS = Duration.ofMillis(Long.MAX_VALUE);

  final QueueHandle queue;
  final JobHandler handler;
  private final WorkerOptions options;
  private final String workerId;
  private final ThreadPoolExecutor pool;
  private final @Nullable ScheduledExecutorService heartbeats;
  private final Thread dispatcher;

  /** The jobs claimed and neither settled nor given back yet. */
  final WorkerJobs jobs;

  final AtomicLong processed = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  private final Object closeLock = new Object();
  private boolean closed;

  /** The job whose own handler closed this worker; its thread finishes stopping it. */
  private volatile @Nullable JobImpl closedFrom;

  /**
   * Acks the finished jobs of all pool threads together, one transaction per batch. A job stays
   * held (heartbeated, holding its slot) until that transaction commits.
   */
  final WorkerSettler settler;

  private final AtomicBoolean stopped = new AtomicBoolean();
  private final CountDownLatch stoppedLatch = new CountDownLatch(1);

  ManagedWorker(QueueHandle queue, JobHandler handler, WorkerOptions options) {
    this.queue = queue;
    this.handler = handler;
    this.options = options;
    this.workerId = options.workerId().orElseGet(() -> defaultWorkerId(queue.name()));
    this.jobs = new WorkerJobs(workerId, options.concurrency());
    String prefix = "gander-worker-" + queue.name() + "-";
    AtomicInteger n = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            options.concurrency(),
            options.concurrency(),
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, prefix + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    if (options.heartbeat()) {
      this.heartbeats =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "gander-heartbeat-" + queue.name());
                t.setDaemon(true);
                return t;
              });
    } else {
      this.heartbeats = null;
    }
    this.dispatcher = new Thread(this::dispatch, "gander-dispatch-" + queue.name());
    this.dispatcher.setDaemon(true);
    this.settler =
        new WorkerSettler(
            queue.engine(),
            "gander-settle-" + queue.name(),
            new WorkerSettler.Listener() {
              @Override
              public void committed(JobImpl job) {
                processed.incrementAndGet();
              }

              @Override
              public void settled(JobImpl job, WorkerSettler.Outcome outcome) {
                ManagedWorker.this.settled(job, outcome);
              }
            });
  }

  private static String defaultWorkerId(String queue) {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      host = "localhost";
    }
    return host + "-" + ProcessHandle.current().pid() + "-" + queue;
  }

  /** {@code d} in nanoseconds, or {@code Long.MAX_VALUE} if it is longer than that can count. */
  static long saturatedNanos(Duration d) {
    return d.compareTo(MAX_NANOS) >= 0 ? Long.MAX_VALUE : d.toNanos();
  }

  /** {@code d} in milliseconds, or {@code Long.MAX_VALUE} if it is longer than that can count. */
  static long saturatedMillis(Duration d) {
    return d.compareTo(MAX_MILLIS) >= 0 ? Long.MAX_VALUE : d.toMillis();
  }

  void start() {
    ScheduledExecutorService hb = heartbeats;
    if (hb != null) {
      long every = Math.max(10, saturatedMillis(queue.options().visibilityTimeout()) / 3);
      hb.scheduleWithFixedDelay(
          () -> jobs.heartbeatAll(queue.options().visibilityTimeout()),
          every,
          every,
          TimeUnit.MILLISECONDS);
    }
    settler.start();
    dispatcher.start();
    log.info(
        "Worker {} started on queue '{}' with concurrency {}",
        workerId,
        queue.name(),
        options.concurrency());
  }

  private void dispatch() {
    while (jobs.accepting()) {
      int free;
      try {
        free = jobs.takeSlots();
      } catch (InterruptedException e) {
        break;
      }
      List<JobImpl> claimed;
      try {
        // A long wait: commits and run times wake it, and close() interrupts it. Short waits
        // would cost an idle worker a claim transaction each time they run out.
        claimed = queue.pollInternal(workerId, free, TimeUnit.SECONDS.toNanos(30));
      } catch (GanderClosedException e) {
        jobs.returnSlots(free);
        abandon();
        break;
      } catch (GanderException e) {
        jobs.returnSlots(free);
        if (!jobs.accepting()) {
          break;
        }
        log.error("Worker {} could not claim from '{}'", workerId, queue.name(), e);
        if (!pause()) {
          break;
        }
        continue;
      }
      jobs.returnSlots(free - claimed.size());
      for (JobImpl job : claimed) {
        jobs.hold(job);
        if (!jobs.accepting()) {
          // Claimed but never started: give it back at once, attempt and all.
          jobs.giveBackUnstarted(job);
          continue;
        }
        try {
          pool.execute(new WorkerJobTask(this, job));
        } catch (RejectedExecutionException e) {
          jobs.giveBackUnstarted(job); // close() shut the pool down meanwhile
        }
      }
    }
    Thread.interrupted();
  }

  /** Waits a little after a failed claim; false if interrupted (closing). */
  private boolean pause() {
    try {
      Thread.sleep(1000);
      return true;
    } catch (InterruptedException e) {
      return false;
    }
  }

  /**
   * The database was closed under this worker without closing it first (closing the Gander closes
   * its workers first): nothing can be claimed or settled any more, so end the threads.
   */
  private void abandon() {
    if (jobs.accepting()) {
      log.warn("Worker {}: the database closed under it; stopping", workerId);
    }
    jobs.stopAccepting();
    pool.shutdown();
    finishStop();
  }

  /**
   * A job the settler finished: acked, lost (its lease was taken meanwhile), or not settled at all
   * because the database failed (it runs again after its lease).
   */
  private void settled(JobImpl job, WorkerSettler.Outcome outcome) {
    if (outcome == WorkerSettler.Outcome.LEASE_LOST && !jobs.wasGivenBack(job)) {
      log.warn("Worker {} lost the lease of job {} before its ack", workerId, job.id);
    } else if (outcome == WorkerSettler.Outcome.FAILED) {
      log.error(
          "Worker {} could not settle job {} of '{}'; it will run again when its lease runs out",
          workerId,
          job.id,
          queue.name());
    }
    finished(job);
  }

  /**
   * A job leaves the worker, settled or given back, by its pool thread or by the settler; the job
   * whose own handler closed the worker finishes stopping it (see close).
   */
  void finished(JobImpl job) {
    jobs.done(job);
    if (job == closedFrom) {
      finishStop();
    }
  }

  /** Whether the settler and heartbeats were stopped: a job can no longer be handed to them. */
  boolean isStopped() {
    return stopped.get();
  }

  @Override
  public String workerId() {
    return workerId;
  }

  @Override
  public long processed() {
    return processed.get();
  }

  @Override
  public long failed() {
    return failed.get();
  }

  @Override
  public boolean isRunning() {
    return jobs.accepting();
  }

  @Override
  public void close() {
    close(false);
  }

  /**
   * Stops the worker: stops claiming, gives back jobs claimed ahead, waits for running jobs up to
   * the shutdown timeout and gives back those that did not finish, then stops the heartbeats.
   *
   * <p>Called from a handler of this worker, it cannot wait for that handler: it waits for the
   * others and returns, and the caller's job is settled when its handler returns, after which the
   * heartbeats stop. With {@code databaseClosing}, the database closes when this returns, so the
   * caller's job could not be settled then: it is given back now, its attempt counted.
   *
   * <p>A second call, from another thread, returns once the first has stopped the worker.
   *
   * @param databaseClosing whether the database is closing (through {@code Gander.close()})
   */
  void close(boolean databaseClosing) {
    @Nullable JobImpl own = jobs.inHandlerOf(Thread.currentThread());
    boolean alreadyClosing = false;
    synchronized (closeLock) {
      if (closed) {
        alreadyClosing = true;
      } else {
        closed = true;
        closedFrom = own;
      }
    }
    if (alreadyClosing) {
      awaitOtherClose(own, databaseClosing);
      return;
    }
    jobs.stopAccepting();
    dispatcher.interrupt();
    // Every wait of close is bounded but not cut short by an interrupt of the closing thread
    // (Uninterruptibly keeps its flag): a close that gave up at the interrupt would return with
    // the worker's threads still running, and the database would close under them.
    Uninterruptibly.join(dispatcher, exitDeadline());
    pool.shutdown();
    giveBackQueued();
    if (!jobs.awaitOthers(own, saturatedNanos(options.shutdownTimeout()))) {
      log.warn(
          "Worker {}: {} job(s) still running after {}; releasing their leases",
          workerId,
          jobs.count() - (own == null ? 0 : 1),
          options.shutdownTimeout());
      jobs.giveBackStartedBut(own);
      if (own == null) {
        pool.shutdownNow();
      } else {
        jobs.interruptHandlersBut(own);
      }
    }
    if (own == null) {
      Uninterruptibly.awaitUntil(
          exitDeadline(), nanos -> pool.awaitTermination(nanos, TimeUnit.NANOSECONDS));
      finishStop();
    } else if (databaseClosing) {
      jobs.giveBackStarted(own);
      finishStop();
    }
    // Else the caller's own thread finishes stopping once its job is settled (see finished).
  }

  /**
   * Close was called again, maybe while the first call still waits for running jobs. Returns once
   * the worker stopped, so that the database is not closed under running jobs; a handler of this
   * worker cannot wait for itself.
   */
  private void awaitOtherClose(@Nullable JobImpl own, boolean databaseClosing) {
    if (own != null) {
      if (databaseClosing) {
        jobs.giveBackStarted(own);
      }
      return;
    }
    long timeout = saturatedNanos(options.shutdownTimeout());
    long margin = TimeUnit.MILLISECONDS.toNanos(2 * THREAD_EXIT_MILLIS);
    timeout = timeout > Long.MAX_VALUE - margin ? Long.MAX_VALUE : timeout + margin;
    boolean stoppedInTime;
    try {
      stoppedInTime = stoppedLatch.await(timeout, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stoppedInTime = false;
    }
    if (!stoppedInTime && databaseClosing) {
      // The job of a handler that closed this worker itself and is still running.
      jobs.giveBackStartedBut(null);
    }
  }

  private static long exitDeadline() {
    return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(THREAD_EXIT_MILLIS);
  }

  /** Gives back the jobs claimed ahead that no thread has started. */
  private void giveBackQueued() {
    List<Runnable> queued = new ArrayList<>();
    pool.getQueue().drainTo(queued);
    for (Runnable task : queued) {
      if (task instanceof WorkerJobTask) {
        jobs.giveBackUnstarted(((WorkerJobTask) task).job);
      }
    }
  }

  /** Stops the heartbeats and the settler, last; once. */
  private void finishStop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    settler.stop(exitDeadline()); // after every ack handed over before: those settle first
    ScheduledExecutorService hb = heartbeats;
    if (hb != null) {
      hb.shutdownNow();
      Uninterruptibly.awaitUntil(
          exitDeadline(), nanos -> hb.awaitTermination(nanos, TimeUnit.NANOSECONDS));
    }
    log.info(
        "Worker {} stopped on queue '{}' ({} processed, {} failed)",
        workerId,
        queue.name(),
        processed.get(),
        failed.get());
    stoppedLatch.countDown();
  }
}
