package dev.gander.queue;

/**
 * A pool of threads processing one queue, started by {@link Queue#process}. Thread-safe.
 *
 * <p>{@link #close()} stops claiming, waits for running jobs up to the shutdown timeout, and
 * releases the leases of jobs it claimed but did not start, so that they are claimable at once.
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

  /** Stops the worker gracefully. Idempotent. */
  @Override
  void close();
}
