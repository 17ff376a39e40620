package dev.gander.internal.spi;

import dev.gander.GanderClosedException;
import dev.gander.store.Transaction;
import org.jspecify.annotations.Nullable;

/**
 * Runs Gander's own work in transactions of one database. Backends decide how: SQLite group-commits
 * writes on its writer connection, PostgreSQL takes a pooled connection.
 */
public interface TxRunner {
  /**
   * Runs a write of Gander's own: pure database work that always commits and may safely run again
   * (a backend may rerun it after a neighbour in a group commit failed). Returns after the commit.
   *
   * @param work the work
   * @param <T> its value's type
   * @return the value
   * @throws GanderClosedException if the database is closed
   */
  <T extends @Nullable Object> T runWrite(TxWork<T> work);

  /**
   * Runs a write whose work sends one statement execution (which may carry several statements sent
   * together) and wakes nobody, so that a backend with a round trip per commit may run it as one
   * implicit transaction: the statement and its commit in one round trip. Everything else is as
   * {@link #runWrite(TxWork)}; a failure is not run again, since it may have committed.
   *
   * @param work the work: one execution, no {@code ChangeNotifier.changed}
   * @param <T> its value's type
   * @return the value
   * @throws GanderClosedException if the database is closed
   */
  default <T extends @Nullable Object> T runOneStatementWrite(TxWork<T> work) {
    return runWrite(work);
  }

  /**
   * Runs a write inside the caller's transaction (from {@code gander.inTransaction}): it commits or
   * rolls back with the caller's work.
   *
   * @param caller the caller's transaction; must belong to this database
   * @param work the work
   * @param <T> its value's type
   * @return the value, before the caller's commit
   * @throws IllegalArgumentException if the transaction belongs to another database
   */
  <T extends @Nullable Object> T runWrite(Transaction caller, TxWork<T> work);

  /**
   * Runs a read in one consistent snapshot.
   *
   * @param work the work; it must not write
   * @param <T> its value's type
   * @return the value
   */
  <T extends @Nullable Object> T runRead(TxWork<T> work);

  /**
   * Runs a read of one statement execution, which needs no snapshot beyond the statement's own, so
   * that a backend with a round trip per statement may run it alone, without {@code BEGIN} and
   * {@code COMMIT} around it. Everything else is as {@link #runRead(TxWork)}.
   *
   * @param work the work: one statement execution, no writes
   * @param <T> its value's type
   * @return the value
   */
  default <T extends @Nullable Object> T runOneStatementRead(TxWork<T> work) {
    return runRead(work);
  }

  /**
   * Whether {@link #runWrite(TxWork)} called now, on this thread, would join a write already
   * running here (SQLite's nested writes) instead of committing on its own, so that its
   * after-commit hooks run only when that enclosing write commits, after {@code runWrite} has
   * returned.
   *
   * @return {@code true} inside a write function of this database
   */
  default boolean insideWrite() {
    return false;
  }

  /**
   * Whether the database is closed.
   *
   * @return {@code true} once closed
   */
  boolean isClosed();

  /**
   * The exception for use after close, naming the database.
   *
   * @return a new exception
   */
  GanderClosedException closedException();
}
