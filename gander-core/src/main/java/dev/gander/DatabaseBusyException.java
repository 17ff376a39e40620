package dev.gander;

import org.jspecify.annotations.Nullable;

/**
 * Another connection held the database's write lock for longer than the busy timeout.
 *
 * <p>Usually another process is running a long transaction. Retry later, shorten that transaction,
 * or raise {@code busyTimeout} in the store options. Nothing of the failed operation was written.
 */
public class DatabaseBusyException extends GanderException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what the caller can do
   */
  public DatabaseBusyException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what happened and what the caller can do
   * @param cause the underlying failure
   */
  public DatabaseBusyException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
