package dev.gander.internal.queue;

import dev.gander.GanderClosedException;
import dev.gander.GanderException;
import dev.gander.LeaseLostException;
import dev.gander.PayloadCodecException;
import dev.gander.PayloadTooLargeException;
import dev.gander.queue.JobHandler;
import dev.gander.queue.NonRetryableException;
import dev.gander.queue.Worker;
import dev.gander.queue.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
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
 */
public final class ManagedWorker implements Worker {
  private static final Logger log = LoggerFactory.getLogger(ManagedWorker.class);

  /** How long close waits for the dispatcher to stop, and for pool threads to end. */
  private static final long THREAD_EXIT_MILLIS = TimeUnit.SECONDS.toMillis(10);

  private static final Duration MAX_NANOS = Duration.ofNanos(Long.MAX_VALUE);
  private static final Duration MAX_MILLIS = Duration.ofMillis(Long.MAX_VALUE);

  private final QueueHandle queue;
  private final JobHandler handler;
  private final WorkerOptions options;
  private final String workerId;
  private final Semaphore slots;
  private final ThreadPoolExecutor pool;
  private final @Nullable ScheduledExecutorService heartbeats;
  private final Thread dispatcher;

  /** Jobs claimed and neither settled nor given back yet: waiting for a thread, or running. */
  private final Set<JobImpl> running = ConcurrentHashMap.newKeySet();

  /** Notified whenever a job leaves {@link #running}. */
  private final Object jobDone = new Object();

  /** The job each pool thread runs a handler for; tells close() that a handler called it. */
  private final Map<Thread, JobImpl> inHandler = new ConcurrentHashMap<>();

  /** Started jobs that close() gave back: their handler's outcome is not recorded. */
  private final Set<JobImpl> givenBack = ConcurrentHashMap.newKeySet();

  private final AtomicLong processed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile boolean accepting = true;
  private final Object closeLock = new Object();
  private boolean closed;

  /** The job whose own handler closed this worker; its thread finishes stopping it. */
  private volatile @Nullable JobImpl closedFrom;

  /**
   * Acks the finished jobs of all pool threads together, one transaction per batch. A job stays in
   * {@link #running} (heartbeated, holding its slot) until that transaction commits.
   */
  private final WorkerSettler settler;

  /** The most jobs held at once by a worker whose handlers are fast. */
  private static final int MAX_CLAIM_AHEAD = 256;

  private static final int REFILL_DIVISOR = 2;

  /** Claimed-ahead jobs should start within about this long. */
  private static final double AHEAD_HORIZON_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  /**
   * A moving average of how long handlers take, for {@link #aheadTarget()}; starts high, so that a
   * new worker claims little until it knows. Written by pool threads without a lock: a lost update
   * only delays the average a little.
   */
  private volatile double handlerNanos = TimeUnit.SECONDS.toNanos(1);

  private final AtomicBoolean stopped = new AtomicBoolean();
  private final CountDownLatch stoppedLatch = new CountDownLatch(1);

  ManagedWorker(QueueHandle queue, JobHandler handler, WorkerOptions options) {
    this.queue = queue;
    this.handler = handler;
    this.options = options;
    this.workerId = options.workerId().orElseGet(() -> defaultWorkerId(queue.name()));
    // Claim ahead as many jobs as there are threads: the threads find the next job waiting when
    // they finish one, instead of each waiting for a claim transaction of its own.
    this.slots = new Semaphore(maxAhead(options.concurrency()));
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
    int c = options.concurrency();
    double perJob = Math.max(handlerNanos, 1);
    double ahead = c + c * (AHEAD_HORIZON_NANOS / perJob);
    return (int) Math.min(maxAhead(c), Math.max(2 * c, ahead));
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
      hb.scheduleWithFixedDelay(this::heartbeatAll, every, every, TimeUnit.MILLISECONDS);
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
    while (accepting) {
      int free;
      try {
        waitBelowTarget();
        slots.acquire();
        free = 1 + slots.drainPermits();
        int allowed = Math.max(1, aheadTarget() - running.size());
        if (free > allowed) {
          slots.release(free - allowed);
          free = allowed;
        }
      } catch (InterruptedException e) {
        break;
      }
      List<JobImpl> jobs;
      try {
        // A long wait: commits and run times wake it, and close() interrupts it. Short waits
        // would cost an idle worker a claim transaction each time they run out.
        jobs = queue.pollInternal(workerId, free, TimeUnit.SECONDS.toNanos(30));
      } catch (GanderClosedException e) {
        slots.release(free);
        abandon();
        break;
      } catch (GanderException e) {
        slots.release(free);
        if (!accepting) {
          break;
        }
        log.error("Worker {} could not claim from '{}'", workerId, queue.name(), e);
        if (!pause()) {
          break;
        }
        continue;
      }
      slots.release(free - jobs.size());
      for (JobImpl job : jobs) {
        running.add(job);
        if (!accepting) {
          // Claimed but never started: give it back at once, attempt and all.
          giveBackUnstarted(job);
          continue;
        }
        try {
          pool.execute(new JobTask(job));
        } catch (RejectedExecutionException e) {
          giveBackUnstarted(job); // close() shut the pool down meanwhile
        }
      }
    }
    Thread.interrupted();
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

  /** How few jobs a worker holds before it claims more: a quarter below its target. */
  private static int refillAt(int target) {
    return target - Math.max(1, target / REFILL_DIVISOR);
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
    if (accepting) {
      log.warn("Worker {}: the database closed under it; stopping", workerId);
    }
    accepting = false;
    pool.shutdown();
    finishStop();
  }

  /** A claimed job handed to the pool; close() takes back the ones no thread has started. */
  private final class JobTask implements Runnable {
    final JobImpl job;

    JobTask(JobImpl job) {
      this.job = job;
    }

    @Override
    public void run() {
      ManagedWorker.this.run(job);
    }
  }

  private void run(JobImpl job) {
    Thread self = Thread.currentThread();
    boolean interrupted = false;
    boolean handedOff = false; // to the settler, which finishes the job once its ack commits
    try {
      if (!accepting) {
        // Claimed ahead and not started before close: give it back at once, attempt and all.
        releaseQuietly(job, false);
        return;
      }
      @Nullable Object result = null;
      @Nullable Throwable failure = null;
      inHandler.put(self, job);
      long started = System.nanoTime();
      try {
        result = handler.handle(job);
      } catch (Throwable e) { // even an Error: the job must not stay leased, the worker lives on
        failure = e;
        interrupted = e instanceof InterruptedException;
      } finally {
        inHandler.remove(self);
        handlerNanos = 0.9 * handlerNanos + 0.1 * (System.nanoTime() - started);
      }
      if (givenBack.contains(job)) {
        log.debug("Job {} was given back while its handler ran; not settling it", job.id);
      } else if (failure == null) {
        handedOff = settleSucceeded(job, result);
      } else {
        settleFailed(job, failure);
      }
    } catch (LeaseLostException e) {
      log.warn("Worker {} lost the lease of job {}: {}", workerId, job.id, e.getMessage());
    } catch (IllegalStateException e) {
      // Settled meanwhile (given back by a timed-out close); nothing to do.
      log.debug("job {} already settled: {}", job.id, e.getMessage());
    } catch (Throwable e) { // the database failed: the job is claimed again after its lease
      log.error(
          "Worker {} could not settle job {} of '{}'; it will run again when its lease runs out",
          workerId,
          job.id,
          queue.name(),
          e);
    } finally {
      if (!handedOff) {
        done(job);
        if (job == closedFrom) {
          finishStop();
        }
      }
      if (interrupted) {
        self.interrupt(); // the handler was interrupted: keep the flag, once its job is settled
      }
    }
  }

  /**
   * Acks a job whose handler returned: hands it to the settler, which acks the finished jobs of all
   * threads in one transaction, so that the pool thread can take its next job at once.
   *
   * @return whether the settler took it (and will finish it)
   */
  private boolean settleSucceeded(JobImpl job, @Nullable Object result) {
    if (job.isSettled()) {
      processed.incrementAndGet(); // the handler settled it itself
      return false;
    }
    try {
      String json = queue.engine().encodeResult(job, result);
      if (!stopped.get()) {
        settler.add(job, json);
        return true;
      }
      job.ack(result); // the settler has stopped (the database closed under the worker)
    } catch (PayloadCodecException | PayloadTooLargeException e) {
      // Nothing was written. The result would be as unstorable on every attempt, and each would
      // repeat the handler's side effects: dead-letter the job now.
      failed.incrementAndGet();
      try {
        job.fail(ErrorText.of(e));
      } finally {
        warn(
            e,
            "Job {} of '{}' returned a result that cannot be stored; dead-lettering it",
            job.id,
            queue.name());
      }
      return false;
    }
    processed.incrementAndGet();
    return false;
  }

  /**
   * A job the settler finished: acked, lost (its lease was taken meanwhile), or not settled at all
   * because the database failed (it runs again after its lease).
   */
  private void settled(JobImpl job, WorkerSettler.Outcome outcome) {
    if (outcome == WorkerSettler.Outcome.LEASE_LOST && !givenBack.contains(job)) {
      log.warn("Worker {} lost the lease of job {} before its ack", workerId, job.id);
    } else if (outcome == WorkerSettler.Outcome.FAILED) {
      log.error(
          "Worker {} could not settle job {} of '{}'; it will run again when its lease runs out",
          workerId,
          job.id,
          queue.name());
    }
    done(job);
    if (job == closedFrom) {
      finishStop();
    }
  }

  private void settleFailed(JobImpl job, Throwable e) {
    failed.incrementAndGet();
    if (job.isSettled()) {
      warn(e, "Job {} of '{}' threw after its handler settled it", job.id, queue.name());
      return;
    }
    // Settle first, log after: printing a user's exception can fail too (see warn).
    String error = ErrorText.of(e);
    if (e instanceof NonRetryableException) {
      try {
        job.fail(error);
      } finally {
        warn(
            e,
            "Job {} of '{}' failed for good on attempt {}/{}; dead-lettering it",
            job.id,
            queue.name(),
            job.attempt(),
            job.maxAttempts());
      }
      return;
    }
    try {
      job.retry(JobLifecycle.backoff(queue.options(), job.attempt()), error);
    } finally {
      warn(
          e,
          "Job {} of '{}' failed on attempt {}/{}",
          job.id,
          queue.name(),
          job.attempt(),
          job.maxAttempts());
    }
  }

  /**
   * Logs a failure with its stack trace, never throwing: a logger prints a user's exception by
   * calling its {@code toString()}, which may throw, and recursing into its causes, which overflows
   * the stack for a chain thousands deep. Then the bounded {@link ErrorText} is logged.
   */
  private static void warn(Throwable e, String format, Object... args) {
    Object[] withThrowable = Arrays.copyOf(args, args.length + 1);
    withThrowable[args.length] = e;
    try {
      log.warn(format, withThrowable);
    } catch (RuntimeException | Error logFailure) {
      Object[] withText = Arrays.copyOf(args, args.length + 2);
      withText[args.length] = logFailure.getClass().getName();
      withText[args.length + 1] = ErrorText.of(e);
      try {
        log.warn(format + " (its stack trace could not be logged: {}):\n{}", withText);
      } catch (RuntimeException | Error ignored) {
        // Nothing left to try; the job was settled regardless.
      }
    }
  }

  private void heartbeatAll() {
    Duration lease = queue.options().visibilityTimeout();
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

  /** A job leaves the worker: settled or given back. */
  private void done(JobImpl job) {
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

  private void giveBackUnstarted(JobImpl job) {
    releaseQuietly(job, false);
    done(job);
  }

  /** Gives back a job whose handler is still running; what the handler does next is ignored. */
  private void giveBackStarted(JobImpl job) {
    givenBack.add(job); // first: the handler may return at any moment
    releaseQuietly(job, true);
  }

  private void releaseQuietly(JobImpl job, boolean started) {
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
    return accepting;
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
    @Nullable JobImpl own = inHandler.get(Thread.currentThread());
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
    accepting = false;
    dispatcher.interrupt();
    try {
      dispatcher.join(THREAD_EXIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.shutdown();
    giveBackQueued();
    if (!awaitOthers(own, saturatedNanos(options.shutdownTimeout()))) {
      log.warn(
          "Worker {}: {} job(s) still running after {}; releasing their leases",
          workerId,
          running.size() - (own == null ? 0 : 1),
          options.shutdownTimeout());
      for (JobImpl job : running) {
        if (job != own) {
          giveBackStarted(job);
        }
      }
      if (own == null) {
        pool.shutdownNow();
      } else {
        inHandler.forEach(
            (thread, job) -> {
              if (job != own) {
                thread.interrupt();
              }
            });
      }
    }
    if (own == null) {
      try {
        pool.awaitTermination(THREAD_EXIT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      finishStop();
    } else if (databaseClosing) {
      giveBackStarted(own);
      finishStop();
    }
    // Else the caller's own thread finishes stopping once its job is settled (see run).
  }

  /**
   * Close was called again, maybe while the first call still waits for running jobs. Returns once
   * the worker stopped, so that the database is not closed under running jobs; a handler of this
   * worker cannot wait for itself.
   */
  private void awaitOtherClose(@Nullable JobImpl own, boolean databaseClosing) {
    if (own != null) {
      if (databaseClosing) {
        giveBackStarted(own);
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
      for (JobImpl job : running) {
        giveBackStarted(job);
      }
    }
  }

  /** Gives back the jobs claimed ahead that no thread has started. */
  private void giveBackQueued() {
    List<Runnable> queued = new ArrayList<>();
    pool.getQueue().drainTo(queued);
    for (Runnable task : queued) {
      if (task instanceof JobTask) {
        giveBackUnstarted(((JobTask) task).job);
      }
    }
  }

  /** Waits until no job but {@code own} is running; false on timeout or interrupt. */
  private boolean awaitOthers(@Nullable JobImpl own, long timeoutNanos) {
    long start = System.nanoTime();
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
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }

  /** Stops the heartbeats and the settler, last; once. */
  private void finishStop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    settler.stop(THREAD_EXIT_MILLIS); // after every ack handed over before: those settle first
    ScheduledExecutorService hb = heartbeats;
    if (hb != null) {
      hb.shutdownNow();
      try {
        hb.awaitTermination(THREAD_EXIT_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
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
