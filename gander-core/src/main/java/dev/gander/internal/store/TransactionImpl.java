package dev.gander.internal.store;

import dev.gander.store.Transaction;
import java.sql.Connection;

/**
 * The {@link Transaction} handed to {@code inTransaction} work. Valid only on the thread that runs
 * the work and only while it runs.
 */
public final class TransactionImpl implements Transaction {
  private final SqliteStore store;
  private final Connection guarded;
  private final Thread owner = Thread.currentThread();
  private boolean open = true;

  private final SqliteStore.TxContext context;

  TransactionImpl(SqliteStore store, Connection guarded, SqliteStore.TxContext context) {
    this.store = store;
    this.guarded = guarded;
    this.context = context;
  }

  /**
   * The store's transaction this one is, for Gander operations given it explicitly.
   *
   * @return the context
   */
  SqliteStore.TxContext context() {
    check();
    return context;
  }

  @Override
  public Connection connection() {
    check();
    return guarded;
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
