package dev.gander.internal.postgres;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The view of a transaction's connection that the application's functions receive ({@code
 * inTransaction}, {@code Store.write}, {@code Store.read}): it refuses the calls that would end or
 * reconfigure the transaction behind Gander's back ({@code commit}, {@code rollback()}, {@code
 * setAutoCommit}, {@code close}, ...), and it records the statements the function creates so that
 * they are closed when the function returns, as on SQLite. Savepoints stay allowed.
 *
 * <p>Used by the one thread that runs the function.
 */
final class PgGuardedConnection implements InvocationHandler {
  private static final Logger log = LoggerFactory.getLogger(PgGuardedConnection.class);

  /** Calls that would end or reconfigure the transaction behind Gander's back. */
  private static final Set<String> REFUSED =
      Set.of(
          "commit",
          "setAutoCommit",
          "close",
          "abort",
          "setTransactionIsolation",
          "setReadOnly",
          "beginRequest",
          "endRequest");

  private static final Set<String> CREATES_STATEMENT =
      Set.of("createStatement", "prepareStatement", "prepareCall");

  /** Statements recorded before closed ones are dropped from the list, so a loop keeps few. */
  private static final int PRUNE_AT = 128;

  private final Connection target;
  private final Connection view;
  private final List<Statement> statements = new ArrayList<>();
  private int pruneAt = PRUNE_AT;

  private PgGuardedConnection(Connection target) {
    this.target = target;
    this.view =
        (Connection)
            Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, this);
  }

  /**
   * Guards a connection.
   *
   * @param target the raw connection of a transaction
   * @return the guard
   */
  static PgGuardedConnection of(Connection target) {
    return new PgGuardedConnection(target);
  }

  /**
   * The view to hand to the application's function.
   *
   * @return the guarded connection
   */
  Connection connection() {
    return view;
  }

  /** Closes every statement the function created and left open. */
  void closeStatements() {
    for (Statement st : statements) {
      try {
        st.close();
      } catch (SQLException e) {
        log.debug("Closing a statement left open by a function failed", e);
      }
    }
    statements.clear();
  }

  @Override
  public @Nullable Object invoke(Object proxy, Method method, @Nullable Object[] args)
      throws Throwable {
    String name = method.getName();
    boolean refused =
        REFUSED.contains(name) || (name.equals("rollback") && (args == null || args.length == 0));
    if (refused) {
      throw new SQLException(
          "Connection."
              + name
              + "() is not allowed inside a Gander transaction: Gander commits when your"
              + " function returns and rolls back when it throws.");
    }
    Object result;
    try {
      result = method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
    if (result instanceof Statement && CREATES_STATEMENT.contains(name)) {
      record((Statement) result);
    }
    return result;
  }

  private void record(Statement st) throws SQLException {
    if (statements.size() >= pruneAt) {
      statements.removeIf(PgGuardedConnection::isClosedQuietly);
      pruneAt = Math.max(PRUNE_AT, statements.size() * 2);
    }
    statements.add(st);
  }

  private static boolean isClosedQuietly(Statement st) {
    try {
      return st.isClosed();
    } catch (SQLException e) {
      return false;
    }
  }
}
