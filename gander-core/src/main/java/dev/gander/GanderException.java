package dev.gander;

import java.sql.SQLException;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * The root of every exception Gander throws. Unchecked: a caller catches the subclass it can act
 * on, or lets it propagate.
 *
 * <p>When the failure came from the database, the original {@link SQLException} is the cause and
 * its SQL state and SQLite result code are kept, so that nothing the driver reported is lost.
 */
public class GanderException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message that says what went wrong and what to do about it.
   *
   * @param message what happened and what the caller can do
   */
  public GanderException(String message) {
    super(message);
  }

  /**
   * Creates an exception caused by another.
   *
   * @param message what happened and what the caller can do
   * @param cause the underlying failure, often a {@link SQLException}
   */
  public GanderException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  /**
   * The SQLite result code (primary or extended) of the {@link SQLException} behind this failure.
   *
   * @return the code, or empty when the failure did not come from the database
   */
  public OptionalInt sqliteResultCode() {
    for (Throwable t = getCause(); t != null; t = t.getCause()) {
      if (t instanceof SQLException) {
        int code = ((SQLException) t).getErrorCode();
        return code == 0 ? OptionalInt.empty() : OptionalInt.of(code);
      }
    }
    return OptionalInt.empty();
  }

  /**
   * The SQL state of the {@link SQLException} behind this failure.
   *
   * @return the state, or empty when there is none
   */
  public Optional<String> sqlState() {
    for (Throwable t = getCause(); t != null; t = t.getCause()) {
      if (t instanceof SQLException) {
        return Optional.ofNullable(((SQLException) t).getSQLState());
      }
    }
    return Optional.empty();
  }
}
