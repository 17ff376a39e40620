package dev.gander;

import org.jspecify.annotations.Nullable;

/**
 * The database was written by a newer version of Gander than this one.
 *
 * <p>Upgrade Gander to at least the version that wrote the file. Gander never downgrades a schema,
 * and refuses to open a file whose schema it does not know.
 */
public class SchemaVersionException extends GanderException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what the caller can do
   */
  public SchemaVersionException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what happened and what the caller can do
   * @param cause the underlying failure
   */
  public SchemaVersionException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
