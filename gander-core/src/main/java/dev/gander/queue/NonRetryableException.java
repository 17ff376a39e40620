package dev.gander.queue;

import org.jspecify.annotations.Nullable;

/**
 * Thrown by a {@link JobHandler} to dead-letter the job now instead of retrying it: the input is
 * bad and another attempt cannot succeed.
 */
public class NonRetryableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message why the job cannot succeed; recorded as its last error
   */
  public NonRetryableException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message why the job cannot succeed; recorded as its last error
   * @param cause the underlying failure
   */
  public NonRetryableException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
