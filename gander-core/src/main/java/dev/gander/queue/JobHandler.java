package dev.gander.queue;

import org.jspecify.annotations.Nullable;

/**
 * The work a {@link Worker} does for each job. For work with no result, {@link JobConsumer} and
 * {@link Queue#consume(JobConsumer)} let a lambda call a {@code void} method.
 *
 * <p>Returning acknowledges the job, storing the returned value as its result when it is not {@code
 * null}. A result that cannot be stored (Jackson cannot serialise it, or its JSON is over the
 * queue's {@code maxPayloadBytes}) dead-letters the job at once, with the codec error as its last
 * error: running the handler again would only repeat its side effects. Throwing an exception (or an
 * {@link Error}, such as {@link StackOverflowError}) retries it with backoff, or dead-letters it on
 * its last attempt; throwing {@link NonRetryableException} dead-letters it at once. The error
 * recorded is the exception's class, message and the top of its stack trace. A handler may also
 * settle the job itself ({@code ack}, {@code retry}, {@code fail}); the worker then leaves it
 * alone.
 *
 * <p>Called on the worker's pool threads, up to {@code concurrency} at once.
 */
@FunctionalInterface
public interface JobHandler {
  /**
   * Handles one job.
   *
   * @param job the claimed job, leased to this worker
   * @return the job's result, or {@code null} for none
   * @throws Exception to retry the job later ({@link NonRetryableException}: never)
   */
  @Nullable Object handle(Job job) throws Exception;
}
