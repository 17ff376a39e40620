package dev.gander;

import org.jspecify.annotations.Nullable;

/**
 * The database server could not be reached: it is down, restarting, refusing connections, or out of
 * connection slots.
 *
 * <p>Nothing of the failed operation was written. Check that the server runs and that the host and
 * port Gander was given are right, then retry; a server that is restarting usually answers again
 * within seconds. The SQL state of the driver's error is kept ({@link #sqlState()}).
 */
public class DatabaseUnavailableException extends GanderException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what the caller can do
   */
  public DatabaseUnavailableException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what happened and what the caller can do
   * @param cause the underlying failure
   */
  public DatabaseUnavailableException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
