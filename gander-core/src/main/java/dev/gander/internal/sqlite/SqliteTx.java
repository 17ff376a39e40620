package dev.gander.internal.sqlite;

import dev.gander.internal.spi.Tx;
import dev.gander.store.TxOutcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The transaction running on one connection of a store: the writer connection or a read connection.
 * It holds what lives as long as the connection (the guarded view handed to callers' functions,
 * statements prepared once, transaction control) and what belongs to the transaction running now
 * (the write whose after-commit hooks it collects, the depth of nested savepoints).
 *
 * <p>One per connection, reused for every transaction on it, and used only by the thread that runs
 * a transaction on that connection (the writer lock, or a borrowed reader), so it needs no
 * synchronisation of its own. Public only while queue code still reaches it through {@link
 * SqliteStore#context()}; backend code gets it as the {@link Tx} it is handed.
 */
public final class SqliteTx implements Tx {
  /**
   * Work run in a transaction, handed the transaction.
   *
   * @param <T> what it returns
   */
  @FunctionalInterface
  interface Work<T extends @Nullable Object> {
    T run(SqliteTx tx) throws SQLException;
  }

  /**
   * The write transaction whose work runs on this thread, set only while it runs. A caller's
   * function gets a plain {@link Connection}, so a {@code store.write} inside it can only find the
   * transaction to join here (see "Nested writes join the enclosing transaction" in {@code
   * docs/decisions.md}); Gander's own work is handed its {@link Tx} instead.
   */
  private static final ThreadLocal<@Nullable SqliteTx> RUNNING = new ThreadLocal<>();

  private final Connection raw;
  private final GuardedConnection guarded;
  private final TxControl control;
  private final Map<String, PreparedStatement> statements = new HashMap<>();
  private @Nullable WriteRequest<?> request;
  private @Nullable SqliteTx outer;
  private int depth;

  SqliteTx(Connection raw) throws SQLException {
    this.raw = raw;
    this.guarded = new GuardedConnection(raw);
    this.control = new TxControl(raw);
  }

  /**
   * The write transaction running on this thread, if any.
   *
   * @return it, or null
   */
  static @Nullable SqliteTx running() {
    return RUNNING.get();
  }

  /**
   * The connection itself, for backend code. Statements created on it are the caller's to close;
   * prefer {@link #prepared}.
   */
  @Override
  public Connection connection() {
    return raw;
  }

  /** The view handed to callers' functions: refuses commit and close, closes what they open. */
  Connection guarded() {
    return guarded.connection();
  }

  TxControl control() {
    return control;
  }

  /**
   * A statement on this connection, prepared on first use and kept for the connection's life. Close
   * its result sets; do not close it.
   *
   * @param sql the SQL
   * @return the statement, parameters cleared
   * @throws SQLException if it cannot be prepared
   */
  public PreparedStatement prepared(String sql) throws SQLException {
    PreparedStatement ps = statements.get(sql);
    if (ps != null) {
      try {
        ps.clearParameters();
        return ps;
      } catch (SQLException e) {
        // sqlite-jdbc finalizes a statement whose step failed with some errors (SQLITE_FULL
        // among them) while isClosed() still says false: prepare it again.
        try {
          ps.close();
        } catch (SQLException ignored) {
          // Already finalized; nothing to release.
        }
      }
    }
    ps = raw.prepareStatement(sql);
    statements.put(sql, ps);
    return ps;
  }

  /**
   * Runs {@code hook} after the write this transaction runs commits; never if it fails, nor if the
   * nested write that registered it is rolled back. Hooks are wake-up signals and settle marks:
   * they must be quick and must not throw.
   *
   * @param hook what to run
   * @throws IllegalStateException in a read, which commits nothing
   */
  @Override
  public void afterCommit(Runnable hook) {
    WriteRequest<?> r = request;
    if (r == null) {
      throw new IllegalStateException("afterCommit outside a write: a read commits nothing");
    }
    r.addHook(hook);
  }

  /**
   * Marks {@code req}'s work as running on this thread, so that nested calls join it. A write of
   * another store's inside it is marked in turn, and {@link #exit} puts the outer one back.
   */
  void enter(WriteRequest<?> req) {
    depth = 0;
    request = req;
    outer = RUNNING.get();
    RUNNING.set(this);
  }

  /** Ends what {@link #enter} began and closes the statements the work's function left open. */
  void exit() {
    SqliteTx o = outer;
    if (o == null) {
      RUNNING.remove();
    } else {
      RUNNING.set(o);
    }
    outer = null;
    request = null;
    closeOpened();
  }

  /**
   * Closes the statements created through {@link #guarded} since the last call: a statement left
   * open keeps its read snapshot alive, which hides later commits and blocks checkpoints.
   */
  void closeOpened() {
    guarded.closeOpened();
  }

  /**
   * Runs a write inside the transaction in progress, in a savepoint of its own: it is undone alone
   * if it throws or asks to roll back, and so are the after-commit hooks it registered, which would
   * otherwise report work (a settled job, a wake-up) that was undone.
   *
   * @param work the write
   * @param <T> its value's type
   * @return its value
   * @throws SQLException if it or a savepoint statement fails
   */
  <T extends @Nullable Object> T nested(Work<TxOutcome<T>> work) throws SQLException {
    String savepoint = "gander_nested_" + (++depth);
    WriteRequest<?> req = request;
    int hooksBefore = req == null ? 0 : req.hookCount();
    try {
      control.exec("SAVEPOINT " + savepoint);
      TxOutcome<T> outcome;
      try {
        outcome = work.run(this);
      } catch (SQLException | RuntimeException | Error e) {
        dropHooksSince(req, hooksBefore);
        control.exec("ROLLBACK TO " + savepoint);
        control.exec("RELEASE " + savepoint);
        throw e;
      }
      if (!outcome.commit()) {
        dropHooksSince(req, hooksBefore);
        control.exec("ROLLBACK TO " + savepoint);
      }
      control.exec("RELEASE " + savepoint);
      return outcome.value();
    } finally {
      depth--;
    }
  }

  private static void dropHooksSince(@Nullable WriteRequest<?> req, int count) {
    if (req != null) {
      req.dropHooksSince(count);
    }
  }
}
