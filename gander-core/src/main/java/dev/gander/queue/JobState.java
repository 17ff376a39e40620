package dev.gander.queue;

/** Where a job is in its life, as {@link JobInfo#state()} reports it. */
public enum JobState {
  /** Enqueued with a run time in the future (a delay, or a retry backing off). */
  SCHEDULED,
  /** Claimable now. */
  READY,
  /** Claimed by a worker whose lease has not been settled. */
  RUNNING,
  /**
   * Acked. Kept as a record for the queue's {@code resultTtl} (with a result) or {@code
   * keepSucceeded} (without one), then forgotten.
   */
  SUCCEEDED,
  /** In the dead-letter table: failed for good, expired, or its last lease ran out. */
  DEAD,
  /** No such job: never enqueued, or finished and its record since purged. */
  UNKNOWN;

  /**
   * Whether the job has ended for good: it will not run again unless a dead letter is requeued.
   *
   * @return {@code true} for {@link #SUCCEEDED}, {@link #DEAD} and {@link #UNKNOWN}
   */
  public boolean isFinal() {
    return this == SUCCEEDED || this == DEAD || this == UNKNOWN;
  }
}
