package dev.gander;

import org.jspecify.annotations.Nullable;

/**
 * The Gander instance or store was used after {@code close()}.
 *
 * <p>Open a new instance. Work accepted before {@code close()} was finished or rejected with this
 * exception, never silently dropped.
 */
public class GanderClosedException extends GanderException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what the caller can do
   */
  public GanderClosedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what happened and what the caller can do
   * @param cause the underlying failure
   */
  public GanderClosedException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
