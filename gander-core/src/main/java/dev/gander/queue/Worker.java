package dev.gander.queue;

/**
 * A pool of threads processing one queue, started by {@link Queue#process} or {@link
 * Queue#consume}. Thread-safe.
 *
 * <p>{@link #close()} stops claiming, releases the leases of jobs it claimed but did not start (so
 * that they are claimable at once, with their attempt refunded), waits for running jobs up to the
 * shutdown timeout, and releases the leases of those that did not finish.
 */
public interface Worker extends AutoCloseable {
  /**
   * The id recorded on the jobs this worker claims.
   *
   * @return the worker id
   */
  String workerId();

  /**
   * How many jobs this worker has finished (acked) since it started.
   *
   * @return the count
   */
  long processed();

  /**
   * How many job attempts this worker saw fail (retried or dead-lettered), including those whose
   * result could not be stored.
   *
   * @return the count
   */
  long failed();

  /**
   * Whether the worker is still claiming jobs.
   *
   * @return {@code false} once closing has begun
   */
  boolean isRunning();

  /**
   * Stops the worker gracefully. Idempotent: a call while another is in progress returns once the
   * worker has stopped.
   *
   * <p>May be called from one of the worker's own handlers. It then waits for the other running
   * jobs (up to the shutdown timeout) but not for the calling handler, and returns; the calling
   * handler's job is settled as usual when it returns, and the worker's last threads end after
   * that. ({@code Gander.close()} from a handler instead gives the caller's job back before the
   * database closes, its attempt counted, since it could not be settled afterwards.)
   */
  @Override
  void close();
}
