package dev.gander;

import org.jspecify.annotations.Nullable;

/**
 * Another connection held the database's write lock for longer than the busy timeout.
 *
 * <p>Usually another process is running a long transaction. Retry later, shorten that transaction,
 * or raise {@link dev.gander.sqlite.SqliteOptions#busyTimeout()} (SQLite). On PostgreSQL it reports
 * a conflict the server resolved by aborting (serialization failure, deadlock), a lock wait or
 * statement timeout, or a pool with no free connection. Nothing of the failed operation was
 * written.
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
