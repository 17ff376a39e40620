package dev.gander;

import org.jspecify.annotations.Nullable;

/**
 * A queue, stream, channel, lock or consumer name is not allowed.
 *
 * <p>Names are 1 to 128 characters of letters, digits, {@code .}, {@code _}, {@code -} and {@code
 * :}, starting with a letter or digit.
 */
public class InvalidNameException extends GanderException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what the caller can do
   */
  public InvalidNameException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what happened and what the caller can do
   * @param cause the underlying failure
   */
  public InvalidNameException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
