package dev.gander;

import org.jspecify.annotations.Nullable;

/**
 * The database could not grow: the disk is full, or the file reached {@code PRAGMA max_page_count}.
 *
 * <p>The transaction that hit the limit was rolled back and the file is consistent. Free disk space
 * (or raise the limit) and retry.
 */
public class StorageFullException extends GanderException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what the caller can do
   */
  public StorageFullException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what happened and what the caller can do
   * @param cause the underlying failure
   */
  public StorageFullException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
