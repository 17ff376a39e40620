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
 * its SQL state ({@link #sqlState()}) and vendor code ({@link #vendorCode()}) are kept, so that
 * nothing the driver reported is lost.
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
   * The database driver's vendor error code ({@link SQLException#getErrorCode()}) behind this
   * failure: the first non-zero code of a {@link SQLException} in the cause chain.
   *
   * <p>On SQLite this is the result code sqlite-jdbc reports there: the primary result code, such
   * as {@code 19} for {@code SQLITE_CONSTRAINT} or {@code 5} for {@code SQLITE_BUSY} (the extended
   * code, such as {@code SQLITE_CONSTRAINT_UNIQUE}, is named in the cause's message and given by
   * {@code org.sqlite.SQLiteException.getResultCode()}). The PostgreSQL driver reports no vendor
   * code, so on PostgreSQL this is empty: use {@link #sqlState()}, which carries the server's
   * five-character error code (e.g. {@code 23505} for a unique violation).
   *
   * @return the code, or empty when the failure did not come from the database or the driver gave
   *     none
   */
  public OptionalInt vendorCode() {
    for (Throwable t = getCause(); t != null; t = t.getCause()) {
      if (t instanceof SQLException) {
        int code = ((SQLException) t).getErrorCode();
        if (code != 0) {
          return OptionalInt.of(code);
        }
      }
    }
    return OptionalInt.empty();
  }

  /**
   * The SQL state of the {@link SQLException} behind this failure: on PostgreSQL the server's error
   * code (e.g. {@code 23505}, {@code 40P01}); SQLite's driver seldom sets one, see {@link
   * #vendorCode()} there.
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
