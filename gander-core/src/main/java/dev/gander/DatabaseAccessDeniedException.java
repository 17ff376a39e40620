package dev.gander;

import org.jspecify.annotations.Nullable;

/**
 * The database server refused the user Gander connects as: its password or authentication method
 * was rejected, the role does not exist, or it lacks a privilege Gander needs (such as creating
 * Gander's schema).
 *
 * <p>Retrying will not help. Fix the user, password or grants in the URL or {@code DataSource}
 * Gander was given, or create Gander's schema ahead of time as a user who may.
 */
public class DatabaseAccessDeniedException extends GanderException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what the caller can do
   */
  public DatabaseAccessDeniedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what happened and what the caller can do
   * @param cause the underlying failure
   */
  public DatabaseAccessDeniedException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
