package dev.gander;

import org.jspecify.annotations.Nullable;

/**
 * A payload's JSON is larger than the queue's limit (1 MiB unless configured). Nothing was written.
 *
 * <p>Store large data elsewhere (a table, a file, an object store) and enqueue a reference to it,
 * or raise {@code maxPayloadBytes} in the queue options.
 */
public class PayloadTooLargeException extends GanderException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what the caller can do
   */
  public PayloadTooLargeException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what happened and what the caller can do
   * @param cause the underlying failure
   */
  public PayloadTooLargeException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
