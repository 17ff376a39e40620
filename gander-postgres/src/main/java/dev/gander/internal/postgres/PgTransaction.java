package dev.gander.internal.postgres;

import dev.gander.store.Transaction;
import java.sql.Connection;

/**
 * The {@link Transaction} a caller's {@code inTransaction} work receives on PostgreSQL: its
 * business statements and the Gander operations given this transaction run on one connection, in
 * one PostgreSQL transaction. Valid only on the thread that runs the work and only while it runs.
 */
final class PgTransaction implements Transaction {
  private final PgTxRunner runner;
  private final PgTx tx;
  private final PgGuardedConnection guarded;
  private final Thread owner = Thread.currentThread();
  private boolean open = true;

  PgTransaction(PgTxRunner runner, PgTx tx) {
    this.runner = runner;
    this.tx = tx;
    this.guarded = PgGuardedConnection.of(tx.connection());
  }

  @Override
  public Connection connection() {
    check();
    return guarded.connection();
  }

  /** The runner this transaction belongs to. */
  PgTxRunner runner() {
    return runner;
  }

  /**
   * The backend's transaction, for Gander operations given this one.
   *
   * @throws IllegalStateException off the owning thread or after the work returned
   */
  PgTx tx() {
    check();
    return tx;
  }

  /** Ends the transaction's use: closes the statements its function left open. Idempotent. */
  void end() {
    if (open) {
      open = false;
      guarded.closeStatements();
    }
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
