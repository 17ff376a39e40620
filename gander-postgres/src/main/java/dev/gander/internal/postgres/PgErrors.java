package dev.gander.internal.postgres;

import dev.gander.ConnectionLostException;
import dev.gander.DatabaseAccessDeniedException;
import dev.gander.DatabaseBusyException;
import dev.gander.DatabaseUnavailableException;
import dev.gander.GanderException;
import dev.gander.ReadOnlyDatabaseException;
import dev.gander.StorageFullException;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * Turns what pgjdbc and the pool report into Gander's exceptions, one per thing a caller can act
 * on, each with a message that says what to do. The {@link SQLException} stays the cause, so its
 * SQL state is kept ({@link GanderException#sqlState()}).
 *
 * <p>Whether a broken connection lost anything depends on when it broke, so the caller says: while
 * connecting nothing was sent; while the work ran the server rolls the transaction back; while it
 * committed, nobody knows.
 */
final class PgErrors {
  /** When a failure happened, as far as the outcome of the transaction goes. */
  enum Phase {
    /** Getting a connection: nothing was sent. */
    CONNECT,
    /** Running the work, before the commit: the server rolls back what was done. */
    RUN,
    /** Committing: the commit may or may not have happened. */
    COMMIT
  }

  private final String where;

  /**
   * Creates a translator.
   *
   * @param where the database, for messages ("PostgreSQL jdbc:postgresql://host:5432/db, schema
   *     gander"); never with a password
   */
  PgErrors(String where) {
    this.where = where;
  }

  /**
   * Whether the transaction that failed with {@code e} was rolled back by the server because it
   * conflicted with another one (a serialization failure or a deadlock), so that running it again
   * may succeed.
   *
   * @param e the failure
   * @return {@code true} for SQL states 40001 and 40P01
   */
  static boolean isConflict(SQLException e) {
    String state = state(e);
    return "40001".equals(state) || "40P01".equals(state);
  }

  /**
   * Whether {@code e} says the connection broke or could not be made.
   *
   * @param e the failure
   * @return {@code true} for connection exceptions (class 08) and the server ending the session
   */
  static boolean isConnectionFailure(SQLException e) {
    String state = state(e);
    return state != null
        && (state.startsWith("08")
            || state.equals("57P01")
            || state.equals("57P02")
            || state.equals("57P03"));
  }

  /**
   * The first SQL state in the chain of causes: the pool wraps the driver's failure, sometimes
   * without a state of its own.
   */
  static @Nullable String state(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException) {
        String s = ((SQLException) t).getSQLState();
        if (s != null) {
          return s;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  /**
   * The exception to keep as the cause: the first one in the chain that has an SQL state, so that
   * {@link GanderException#sqlState()} finds it (the pool's wrapper often has none). The wrapper is
   * kept as a suppressed exception of it.
   */
  private static SQLException withState(SQLException e) {
    if (e.getSQLState() != null) {
      return e;
    }
    for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
      if (t instanceof SQLException && ((SQLException) t).getSQLState() != null) {
        t.addSuppressed(e);
        return (SQLException) t;
      }
    }
    return e;
  }

  /**
   * Translates a failure.
   *
   * @param e the failure
   * @param phase when it happened
   * @return the exception to throw
   */
  GanderException translate(SQLException failure, Phase phase) {
    SQLException e = withState(failure);
    String state = state(e);
    String server = e.getMessage();
    if (state == null) {
      if (server != null && server.contains("Connection is not available")) {
        return new DatabaseBusyException(
            "Every pooled connection to "
                + where
                + " stayed in use until the pool's connection timeout. Raise the pool size,"
                + " shorten the transactions that hold connections, or retry. ("
                + server
                + ")",
            e);
      }
      return new GanderException("Database failure on " + where + ": " + server, e);
    }
    if (isConnectionFailure(e)) {
      return connectionFailure(e, state, phase, server);
    }
    switch (state) {
      case "28000":
      case "28P01":
        return new DatabaseAccessDeniedException(
            where
                + " refused the user Gander connects as: "
                + server
                + ". Fix the user and password in the URL or DataSource, or the server's"
                + " pg_hba.conf; retrying will not help.",
            e);
      case "42501":
        return new DatabaseAccessDeniedException(
            "The user Gander connects as lacks a privilege on "
                + where
                + ": "
                + server
                + ". Grant it (Gander needs to create its schema on first start, then to read"
                + " and write its tables), or create the schema ahead of time as a user who may.",
            e);
      case "53300":
        return new DatabaseUnavailableException(
            where
                + " has no free connection slot: "
                + server
                + ". Lower the pool sizes of the processes sharing it or raise max_connections,"
                + " then retry.",
            e);
      case "3D000":
        return new GanderException(
            where + ": " + server + ". Create the database, or fix its name in the URL.", e);
      case "3F000":
      case "42P01":
        return new GanderException(
            "Gander's tables are missing from "
                + where
                + ": "
                + server
                + ". Was the schema dropped while Gander ran? Open Gander again to recreate it.",
            e);
      case "40001":
      case "40P01":
        return new DatabaseBusyException(
            "A transaction on "
                + where
                + " conflicted with concurrent ones and was rolled back ("
                + server
                + "). Nothing of it was written; retry it.",
            e);
      case "55P03":
      case "57014":
        return new DatabaseBusyException(
            "A statement on "
                + where
                + " was cancelled or timed out waiting for a lock ("
                + server
                + "). Nothing of the transaction was written. Retry, or look for long"
                + " transactions holding locks (pg_stat_activity).",
            e);
      case "53100":
        return new StorageFullException(
            where
                + " could not grow: the server's disk is full ("
                + server
                + "). The transaction was rolled back. Free disk space on the server and retry.",
            e);
      case "25006":
        return new ReadOnlyDatabaseException(
            where
                + " accepts no writes here ("
                + server
                + "): it is a standby, or default_transaction_read_only is on. Point Gander at"
                + " the primary.",
            e);
      default:
        return new GanderException(
            "Database failure on " + where + " (SQL state " + state + "): " + server, e);
    }
  }

  /**
   * Translates a failure of a read, which runs in a {@code READ ONLY} transaction: a statement that
   * tried to write there is the caller's mistake, not a standby server's refusal.
   *
   * @param e the failure
   * @return the exception to throw
   */
  GanderException translateRead(SQLException e) {
    if ("25006".equals(state(e))) {
      return new ReadOnlyDatabaseException(
          "A read on "
              + where
              + " runs in a read-only transaction and cannot write ("
              + e.getMessage()
              + "): use write(...) for work that changes data.",
          withState(e));
    }
    return translate(e, Phase.RUN);
  }

  private GanderException connectionFailure(
      SQLException e, String state, Phase phase, @Nullable String server) {
    switch (phase) {
      case CONNECT:
        if (state.equals("57P03")) {
          return new DatabaseUnavailableException(
              where + " is starting up or shutting down (" + server + "). Retry in a moment.", e);
        }
        return new DatabaseUnavailableException(
            "Cannot connect to "
                + where
                + ": "
                + server
                + ". Check that the server runs and accepts TCP connections at the host and port"
                + " Gander was given, then retry. Nothing was written.",
            e);
      case RUN:
        return new ConnectionLostException(
            "The connection to "
                + where
                + " broke during a transaction ("
                + server
                + "). The server rolled the transaction back, so nothing of it was written; retry"
                + " once the server answers.",
            e);
      case COMMIT:
      default:
        return new ConnectionLostException(
            "The connection to "
                + where
                + " broke while a transaction committed ("
                + server
                + "). Whether it committed is unknown: check before repeating anything that must"
                + " not happen twice. A job whose claim or ack was lost this way is delivered"
                + " again after its lease.",
            e);
    }
  }

  /**
   * The database, for messages.
   *
   * @return its description
   */
  String where() {
    return where;
  }
}
