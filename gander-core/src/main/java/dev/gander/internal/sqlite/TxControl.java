package dev.gander.internal.sqlite;

import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.SQLiteConnection;
import org.sqlite.core.DB;

/**
 * Transaction control of one connection ({@code BEGIN}, {@code COMMIT}, {@code ROLLBACK},
 * savepoints), run through sqlite3_exec rather than statements prepared once. sqlite-jdbc finalizes
 * a prepared statement whose step fails with most error codes (SQLITE_FULL, SQLITE_IOERR, and the
 * SQLITE_ERROR of a {@code ROLLBACK} after SQLite already rolled back), while the statement still
 * looks open; a {@code COMMIT} or {@code ROLLBACK} prepared once then failed with "statement is not
 * executing" for the rest of the store's life. Nothing prepared, nothing to break; it also skips
 * the driver's auto-commit bookkeeping after each statement, and the savepoint of every grouped
 * request costs about half as much this way.
 */
final class TxControl {
  private final DB db;

  TxControl(Connection c) throws SQLException {
    db = c.unwrap(SQLiteConnection.class).getDatabase();
  }

  /** Runs fixed SQL (no parameters, no result rows). */
  void exec(String sql) throws SQLException {
    int rc = db._exec(sql);
    if (rc != 0) {
      throw new SQLException(sql + " failed with SQLite result code " + rc, null, rc);
    }
  }

  /** Begins a write transaction, taking the write lock now rather than at the first write. */
  void beginWrite() throws SQLException {
    exec("BEGIN IMMEDIATE");
  }

  /** Begins a read transaction: every statement until {@link #commit} sees one snapshot. */
  void beginRead() throws SQLException {
    exec("BEGIN");
  }

  void commit() throws SQLException {
    exec("COMMIT");
  }

  void rollback() throws SQLException {
    exec("ROLLBACK");
  }

  /**
   * Rolls back what is left of the transaction. Failing here is expected and harmless: SQLite may
   * have rolled it back by itself already (SQLITE_FULL, an I/O error).
   */
  void rollbackQuietly() {
    try {
      rollback();
    } catch (SQLException ignored) {
      // No transaction was active any more.
    }
  }
}
