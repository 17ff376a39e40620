package dev.gander;

import org.jspecify.annotations.Nullable;

/**
 * The file is not a SQLite database, or it is one whose tables conflict with Gander's.
 *
 * <p>Check the path: Gander refuses to touch a file it does not recognise rather than risk damaging
 * someone else's data.
 */
public class NotAGanderDatabaseException extends GanderException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what the caller can do
   */
  public NotAGanderDatabaseException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what happened and what the caller can do
   * @param cause the underlying failure
   */
  public NotAGanderDatabaseException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
