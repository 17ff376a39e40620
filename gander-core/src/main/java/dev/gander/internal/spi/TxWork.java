package dev.gander.internal.spi;

import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * Work that runs in one transaction.
 *
 * @param <T> what it returns
 */
@FunctionalInterface
public interface TxWork<T extends @Nullable Object> {
  /**
   * Runs the work.
   *
   * @param tx the transaction
   * @return the work's value
   * @throws SQLException if a statement fails; the runner translates it
   */
  T run(Tx tx) throws SQLException;
}
