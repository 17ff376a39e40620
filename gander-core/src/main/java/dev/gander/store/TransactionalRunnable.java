package dev.gander.store;

import java.sql.SQLException;

/**
 * Work run by {@link Store#inTransaction(TransactionalRunnable)}: returning commits it, throwing
 * rolls it back.
 */
@FunctionalInterface
public interface TransactionalRunnable {
  /**
   * Runs the work.
   *
   * @param tx the open transaction
   * @throws SQLException any database failure; the transaction is rolled back
   */
  void run(Transaction tx) throws SQLException;
}
