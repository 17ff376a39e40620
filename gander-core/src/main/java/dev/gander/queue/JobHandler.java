package dev.gander.queue;

import org.jspecify.annotations.Nullable;

/**
 * The work a {@link Worker} does for each job.
 *
 * <p>Returning acknowledges the job, storing the returned value as its result when it is not
 * {@code null}. Throwing retries it with backoff; throwing {@link NonRetryableException}, or
 * calling {@link Job#fail} first, dead-letters it at once. A handler may also settle the job
 * itself ({@code ack}, {@code retry}, {@code fail}); the worker then leaves it alone.
 */
@FunctionalInterface
public interface JobHandler {
  /**
   * Handles one job.
   *
   * @param job the claimed job, leased to this worker
   * @return the job's result, or {@code null} for none
   * @throws Exception to retry the job later
   */
  @Nullable Object handle(Job job) throws Exception;
}
