package dev.gander.queue;

import dev.gander.GanderClosedException;
import java.time.Duration;
import java.util.Optional;

/**
 * Job results and the record of what became of a job. A result is stored atomically with the ack
 * ({@link Job#ack(Object)}) and kept for the queue's {@link QueueOptions#resultTtl()}; a job acked
 * without a result leaves a record that it succeeded, kept for {@link
 * QueueOptions#keepSucceeded()}. Thread-safe.
 */
public interface Results {
  /**
   * The result of a job, if it has been acked with one and has not expired.
   *
   * @param id the job
   * @return the result
   * @throws GanderClosedException if the database was closed
   */
  Optional<JobResult> get(JobId id);

  /**
   * Waits up to {@code timeout} for a job's result, woken by the commit that stores it (in this
   * process or another). Returns as soon as the job has ended for good: with its result if it
   * succeeded with one, empty at once if it succeeded without one (or no trace of it is left), and
   * with {@link JobDeadException} if it was dead-lettered.
   *
   * @param id the job
   * @param timeout the longest wait; {@link Duration#ZERO} checks once
   * @return the result, or empty if the job succeeded without one or the time ran out
   * @throws JobDeadException if the job is dead: it will not produce a result unless requeued
   * @throws GanderClosedException if the database is closed, before or during the wait
   * @throws IllegalArgumentException if the timeout is negative
   */
  Optional<JobResult> await(JobId id, Duration timeout);

  /**
   * What became of a job: its state (scheduled, ready, running, succeeded, dead, or unknown),
   * attempts, last error and result. One consistent read.
   *
   * @param id the job
   * @return its record; {@link JobState#UNKNOWN} if there is no trace of it
   * @throws GanderClosedException if the database was closed
   */
  JobInfo info(JobId id);

  /**
   * Waits up to {@code timeout} until a job has ended for good ({@link JobState#isFinal()}), woken
   * by the commit that ends it, in this process or another.
   *
   * @param id the job
   * @param timeout the longest wait
   * @return its record when it ended, or its current record when the time ran out
   * @throws GanderClosedException if the database is closed, before or during the wait
   * @throws IllegalArgumentException if the timeout is negative
   */
  JobInfo awaitEnd(JobId id, Duration timeout);
}
