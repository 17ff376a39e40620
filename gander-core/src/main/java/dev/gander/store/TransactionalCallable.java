package dev.gander.store;

import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * Work run by {@link Store#transactionResult(TransactionalCallable)}: returning commits it and
 * hands its value back, throwing rolls it back.
 *
 * @param <T> the value returned
 */
@FunctionalInterface
public interface TransactionalCallable<T extends @Nullable Object> {
  /**
   * Runs the work.
   *
   * @param tx the open transaction
   * @return the value the caller receives after commit
   * @throws SQLException any database failure; the transaction is rolled back
   */
  T call(Transaction tx) throws SQLException;
}
