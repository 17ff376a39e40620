package dev.gander.internal.sqlite;

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

/**
 * A view of a store connection handed to callers' functions. It refuses the calls that would end
 * the store's transaction behind its back ({@code commit}, {@code rollback()}, {@code
 * setAutoCommit}, {@code close}, {@code abort}), and it remembers every statement a function
 * creates so that the store closes them when the function returns: a statement left open keeps its
 * read snapshot alive, which would hide later commits from a reader and block checkpoints.
 *
 * <p>Created once per connection and used by one thread at a time (the writer lock, or a borrowed
 * reader), so it needs no synchronisation of its own.
 */
final class GuardedConnection implements InvocationHandler {
  private static final Set<String> CREATES_STATEMENT =
      Set.of("createStatement", "prepareStatement", "prepareCall");

  private static final Set<String> REFUSED =
      Set.of("commit", "setAutoCommit", "close", "abort", "setTransactionIsolation");

  private final Connection target;
  private final Connection proxy;
  private final List<Statement> opened = new ArrayList<>();

  GuardedConnection(Connection target) {
    this.target = target;
    this.proxy =
        (Connection)
            Proxy.newProxyInstance(
                Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, this);
  }

  /** The guarded view to hand to functions. */
  Connection connection() {
    return proxy;
  }

  /** Closes every statement created through the view since the last call. */
  void closeOpened() {
    for (Statement st : opened) {
      try {
        st.close();
      } catch (SQLException ignored) {
        // Closing can only fail on a closed connection, where there is nothing left to free.
      }
    }
    opened.clear();
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    String name = method.getName();
    boolean refused =
        REFUSED.contains(name) || (name.equals("rollback") && (args == null || args.length == 0));
    if (refused) {
      throw new SQLException(
          "Connection."
              + name
              + "() is not allowed inside a Gander transaction: Gander commits when your function"
              + " returns and rolls back when it throws (use Store.writeFlow to roll back and"
              + " still return a value).");
    }
    if (name.equals("isClosed") && (args == null || args.length == 0)) {
      return target.isClosed();
    }
    try {
      Object result = method.invoke(target, args);
      if (result instanceof Statement && CREATES_STATEMENT.contains(name)) {
        opened.add((Statement) result);
      }
      return result;
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
