package dev.gander.store;

import java.sql.Connection;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * A piece of work against a JDBC connection that Gander runs inside a transaction.
 *
 * <p>The connection is only valid while the function runs: do not keep it, close it, or commit or
 * roll it back yourself; return a {@link TxOutcome} from {@link Store#writeFlow} to decide.
 *
 * @param <T> what the function returns
 */
@FunctionalInterface
public interface SqlFunction<T extends @Nullable Object> {
  /**
   * Runs the work.
   *
   * @param connection a connection inside the transaction Gander opened
   * @return the value handed back to the caller
   * @throws SQLException any database failure; Gander rolls the work back and rethrows it as a
   *     {@link dev.gander.GanderException}
   */
  T apply(Connection connection) throws SQLException;
}
