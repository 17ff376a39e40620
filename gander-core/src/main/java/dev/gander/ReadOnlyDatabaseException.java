package dev.gander;

import org.jspecify.annotations.Nullable;

/**
 * A write was attempted on a database that cannot be written: a store opened with {@code
 * openReadOnly}, or a file or directory without write permission.
 *
 * <p>Open the store for writing, or fix the permissions of the file, its {@code -wal} and {@code
 * -shm} companions and the directory that holds them.
 */
public class ReadOnlyDatabaseException extends GanderException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what the caller can do
   */
  public ReadOnlyDatabaseException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what happened and what the caller can do
   * @param cause the underlying failure
   */
  public ReadOnlyDatabaseException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
