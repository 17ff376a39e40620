package dev.gander.queue;

/**
 * The work a {@link Worker} started by {@link Queue#consume(JobConsumer)} does for each job: a
 * {@link JobHandler} that has no result, so that {@code queue.consume(job -> send(job))} compiles
 * when {@code send} returns nothing.
 *
 * <p>Returning acknowledges the job, with no result. Throwing an exception (or an {@link Error})
 * retries it with backoff, or dead-letters it on its last attempt; throwing {@link
 * NonRetryableException} dead-letters it at once. A consumer may also settle the job itself ({@code
 * ack}, {@code retry}, {@code fail}); the worker then leaves it alone.
 *
 * <p>Called on the worker's pool threads, up to {@code concurrency} at once.
 */
@FunctionalInterface
public interface JobConsumer {
  /**
   * Handles one job.
   *
   * @param job the claimed job, leased to this worker
   * @throws Exception to retry the job later ({@link NonRetryableException}: never)
   */
  void accept(Job job) throws Exception;
}
