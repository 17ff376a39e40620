package dev.gander.queue;

/**
 * The identity of a job, unique within a database and increasing in enqueue order.
 *
 * @param value the job's row id
 */
public record JobId(long value) implements Comparable<JobId> {
  /**
   * A job id from its number.
   *
   * @param value the number
   * @return the id
   */
  public static JobId of(long value) {
    return new JobId(value);
  }

  @Override
  public int compareTo(JobId other) {
    return Long.compare(value, other.value);
  }

  @Override
  public String toString() {
    return Long.toString(value);
  }
}
