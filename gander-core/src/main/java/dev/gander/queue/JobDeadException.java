package dev.gander.queue;

import dev.gander.GanderException;

/**
 * Thrown by {@link Results#await} when the job awaited was dead-lettered instead of succeeding: it
 * will not produce a result unless it is requeued ({@link Queue#requeueDead}).
 */
public class JobDeadException extends GanderException {
  private static final long serialVersionUID = 1L;

  private final transient JobInfo info;

  /**
   * Creates the exception.
   *
   * @param info the dead job's record: its reason and last error
   */
  public JobDeadException(JobInfo info) {
    super(
        "Job "
            + info.id()
            + info.queue().map(q -> " of queue '" + q + "'").orElse("")
            + " is dead ("
            + info.deadReason().orElse("unknown reason")
            + ") after "
            + info.attempts()
            + " attempt(s)"
            + info.lastError().map(e -> ": " + firstLine(e)).orElse("")
            + ". Requeue it with Queue.requeueDead to run it again.");
    this.info = info;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /**
   * The dead job's record.
   *
   * @return its reason, attempts and last error
   */
  public JobInfo info() {
    return info;
  }
}
