package dev.gander.internal.queue;

import dev.gander.LeaseLostException;
import dev.gander.PayloadCodecException;
import dev.gander.PayloadTooLargeException;
import dev.gander.queue.NonRetryableException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A claimed job handed to a {@link ManagedWorker}'s pool: on a pool thread, runs its handler and
 * settles what the handler did (a result goes to the worker's settler, a failure is retried or
 * dead-lettered), whatever the handler does, returns, throws an exception or an {@link Error}, or
 * returns a result that cannot be stored. close() takes back the tasks no thread has started.
 */
final class WorkerJobTask implements Runnable {
  /** Logs as the worker: everything a worker reports is under one name. */
  private static final Logger log = LoggerFactory.getLogger(ManagedWorker.class);

  private final ManagedWorker worker;
  final JobImpl job;

  WorkerJobTask(ManagedWorker worker, JobImpl job) {
    this.worker = worker;
    this.job = job;
  }

  @Override
  public void run() {
    WorkerJobs jobs = worker.jobs;
    Thread self = Thread.currentThread();
    boolean interrupted = false;
    boolean handedOff = false; // to the settler, which finishes the job once its ack commits
    try {
      if (!jobs.accepting()) {
        // Claimed ahead and not started before close: give it back at once, attempt and all.
        jobs.releaseQuietly(job, false);
        return;
      }
      @Nullable Object result = null;
      @Nullable Throwable failure = null;
      jobs.enterHandler(self, job);
      long started = System.nanoTime();
      try {
        result = worker.handler.handle(job);
      } catch (Throwable e) { // even an Error: the job must not stay leased, the worker lives on
        failure = e;
        interrupted = e instanceof InterruptedException;
      } finally {
        jobs.exitHandler(self, started);
      }
      if (jobs.wasGivenBack(job)) {
        log.debug("Job {} was given back while its handler ran; not settling it", job.id);
      } else if (failure == null) {
        handedOff = settleSucceeded(result);
      } else {
        settleFailed(failure);
      }
    } catch (LeaseLostException e) {
      log.warn("Worker {} lost the lease of job {}: {}", worker.workerId(), job.id, e.getMessage());
    } catch (IllegalStateException e) {
      // Settled meanwhile (given back by a timed-out close); nothing to do.
      log.debug("job {} already settled: {}", job.id, e.getMessage());
    } catch (Throwable e) { // the database failed: the job is claimed again after its lease
      log.error(
          "Worker {} could not settle job {} of '{}'; it will run again when its lease runs out",
          worker.workerId(),
          job.id,
          worker.queue.name(),
          e);
    } finally {
      if (!handedOff) {
        worker.finished(job);
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
  private boolean settleSucceeded(@Nullable Object result) {
    if (job.isSettled()) {
      worker.processed.incrementAndGet(); // the handler settled it itself
      return false;
    }
    try {
      String json = worker.queue.engine().encodeResult(job, result);
      if (!worker.isStopped()) {
        worker.settler.add(job, json);
        return true;
      }
      job.ack(result); // the settler has stopped (the database closed under the worker)
    } catch (PayloadCodecException | PayloadTooLargeException e) {
      // Nothing was written. The result would be as unstorable on every attempt, and each would
      // repeat the handler's side effects: dead-letter the job now.
      worker.failed.incrementAndGet();
      try {
        job.fail(ErrorText.of(e));
      } finally {
        warn(
            e,
            "Job {} of '{}' returned a result that cannot be stored; dead-lettering it",
            job.id,
            worker.queue.name());
      }
      return false;
    }
    worker.processed.incrementAndGet();
    return false;
  }

  private void settleFailed(Throwable e) {
    worker.failed.incrementAndGet();
    if (job.isSettled()) {
      warn(e, "Job {} of '{}' threw after its handler settled it", job.id, worker.queue.name());
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
            worker.queue.name(),
            job.attempt(),
            job.maxAttempts());
      }
      return;
    }
    try {
      job.retry(JobLifecycle.backoff(worker.queue.options(), job.attempt()), error);
    } finally {
      warn(
          e,
          "Job {} of '{}' failed on attempt {}/{}",
          job.id,
          worker.queue.name(),
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
}
