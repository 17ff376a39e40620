package dev.gander.internal.sqlite;

import dev.gander.store.Transaction;
import java.sql.Connection;

/**
 * The {@link Transaction} handed to {@code inTransaction} work: the caller's view of the write
 * transaction it runs in, carrying that {@link SqliteTx} so that Gander operations given it join
 * the same transaction. Valid only on the thread that runs the work and only while it runs.
 */
public final class TransactionImpl implements Transaction {
  private final SqliteStore store;
  private final SqliteTx tx;
  private final Thread owner = Thread.currentThread();
  private boolean open = true;

  TransactionImpl(SqliteStore store, SqliteTx tx) {
    this.store = store;
    this.tx = tx;
  }

  /** The store's transaction this one is, for Gander operations given it explicitly. */
  SqliteTx tx() {
    check();
    return tx;
  }

  @Override
  public Connection connection() {
    check();
    return tx.guarded();
  }

  /**
   * The store this transaction belongs to; Gander operations given a transaction check it.
   *
   * @return the store
   */
  public SqliteStore store() {
    check();
    return store;
  }

  void end() {
    open = false;
  }

  private void check() {
    if (!open) {
      throw new IllegalStateException(
          "This transaction has ended: use a Transaction only inside the function it was given to");
    }
    if (Thread.currentThread() != owner) {
      throw new IllegalStateException(
          "A Transaction can only be used on the thread that runs its function ("
              + owner.getName()
              + ")");
    }
  }
}
