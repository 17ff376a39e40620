package dev.gander.queue;

import java.time.Duration;
import java.util.Optional;

/** Job results, stored atomically with the ack and kept for the queue's result TTL. */
public interface Results {
  /**
   * The result of a job, if it has been acked with one and has not expired.
   *
   * @param id the job
   * @return the result
   */
  Optional<JobResult> get(JobId id);

  /**
   * Waits up to {@code timeout} for a job's result, woken by the commit that stores it (in this
   * process or another).
   *
   * @param id the job
   * @param timeout the longest wait
   * @return the result, or empty on timeout
   */
  Optional<JobResult> await(JobId id, Duration timeout);
}
