package dev.gander.internal.postgres;

import dev.gander.store.Transaction;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;

/**
 * The {@link Transaction} a caller's {@code inTransaction} work receives on PostgreSQL: its
 * business statements and the Gander operations given this transaction run on one connection, in
 * one PostgreSQL transaction. Valid only on the thread that runs the work and only while it runs.
 */
final class PgTransaction implements Transaction {
  /** Calls that would end or reconfigure the transaction behind Gander's back. */
  private static final Set<String> REFUSED =
      Set.of("commit", "setAutoCommit", "close", "abort", "setTransactionIsolation", "setReadOnly");

  private final PgTxRunner runner;
  private final PgTx tx;
  private final Connection guarded;
  private final Thread owner = Thread.currentThread();
  private boolean open = true;

  PgTransaction(PgTxRunner runner, PgTx tx) {
    this.runner = runner;
    this.tx = tx;
    this.guarded = guard(tx.connection());
  }

  @Override
  public Connection connection() {
    check();
    return guarded;
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

  /**
   * A view of the connection that refuses {@code commit}, {@code rollback()}, {@code
   * setAutoCommit}, {@code close} and the like: the transaction ends when the work returns (commit)
   * or throws (rollback). Savepoints stay allowed.
   */
  private static Connection guard(Connection target) {
    return (Connection)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              String name = method.getName();
              boolean refused =
                  REFUSED.contains(name)
                      || (name.equals("rollback") && (args == null || args.length == 0));
              if (refused) {
                throw new SQLException(
                    "Connection."
                        + name
                        + "() is not allowed inside a Gander transaction: Gander commits when"
                        + " your function returns and rolls back when it throws.");
              }
              try {
                return method.invoke(target, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
