package dev.gander.internal.sqlite;

import dev.gander.DatabaseBusyException;
import dev.gander.GanderException;
import dev.gander.NotAGanderDatabaseException;
import dev.gander.ReadOnlyDatabaseException;
import dev.gander.StorageFullException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Turns the driver's {@link SQLException}s into Gander's exceptions, one per thing a caller can act
 * on, each with a message that says what to do. The original exception is always the cause.
 */
public final class SqliteErrors {
  /** SQLite primary result codes (the low byte of an extended code). */
  static final int BUSY = 5;

  static final int LOCKED = 6;
  static final int READONLY = 8;
  static final int CORRUPT = 11;
  static final int FULL = 13;
  static final int CANTOPEN = 14;
  static final int NOTADB = 26;

  private final Path path;
  private final Duration busyTimeout;

  SqliteErrors(Path path, Duration busyTimeout) {
    this.path = path;
    this.busyTimeout = busyTimeout;
  }

  /** The primary SQLite result code of {@code e}, or 0 when it did not come from SQLite. */
  static int primaryCode(SQLException e) {
    return e.getErrorCode() & 0xff;
  }

  static boolean isBusy(SQLException e) {
    int code = primaryCode(e);
    return code == BUSY || code == LOCKED;
  }

  /**
   * Translates a failure of the store's own machinery or of a caller's function.
   *
   * @param e the driver's exception
   * @return the Gander exception to throw
   */
  public GanderException translate(SQLException e) {
    String detail = " (SQLite: " + e.getMessage() + ")";
    switch (primaryCode(e)) {
      case BUSY:
      case LOCKED:
        return new DatabaseBusyException(
            "The database "
                + path
                + " stayed locked by another connection for longer than the busy timeout of "
                + busyTimeout.toMillis()
                + " ms. Retry later, shorten the other process's transactions, or raise"
                + " SqliteOptions.busyTimeout"
                + detail,
            e);
      case READONLY:
        return new ReadOnlyDatabaseException(
            "The database "
                + path
                + " cannot be written here. Writes must go through Store.write on a store opened"
                + " for writing, and the file, its -wal and -shm files and their directory must be"
                + " writable"
                + detail,
            e);
      case FULL:
        return new StorageFullException(
            "The database "
                + path
                + " could not grow: the disk is full or the file reached PRAGMA max_page_count."
                + " The transaction was rolled back; free space and retry"
                + detail,
            e);
      case NOTADB:
        return notADatabase(path, e);
      case CORRUPT:
        return new GanderException(
            "The database "
                + path
                + " is corrupt. Stop writing to it, check it with PRAGMA integrity_check and"
                + " restore it from a backup"
                + detail,
            e);
      case CANTOPEN:
        return new GanderException(
            "Cannot open the database "
                + path
                + ": check that its directory exists and that this process may read and write"
                + " it"
                + detail,
            e);
      default:
        return new GanderException("Database operation on " + path + " failed" + detail, e);
    }
  }

  static NotAGanderDatabaseException notADatabase(Path path, Throwable cause) {
    return new NotAGanderDatabaseException(
        "The file "
            + path
            + " is not a SQLite database. Check the path: Gander will not overwrite a file it"
            + " does not recognise.",
        cause);
  }
}
