package dev.gander;

import org.jspecify.annotations.Nullable;

/**
 * A worker acted on a job whose lease it no longer holds: the lease ran out and the job was claimed
 * again, dead-lettered or finished by someone else. Nothing was changed.
 *
 * <p>A job is finished once. Heartbeat long jobs ({@code job.heartbeat}) or raise the queue's
 * visibility timeout so that leases outlive the work.
 */
public class LeaseLostException extends GanderException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what the caller can do
   */
  public LeaseLostException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what happened and what the caller can do
   * @param cause the underlying failure
   */
  public LeaseLostException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
