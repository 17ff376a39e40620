package dev.gander.bench;

import dev.gander.Gander;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The PostgreSQL server the benchmarks run against ({@link #DEFAULT_URL the local test server}, or
 * the one {@value #URL_ENV} names): finding it and connecting to it, a schema of a run's own that
 * is dropped again at the end ({@link #inSchema}), and small statements on an admin connection
 * ({@link #settle}, {@link #execute}). Used by {@link PostgresScenario}, {@link PgStreamScenario},
 * {@link CoordinationScenario} and {@link LiveFloor}.
 */
final class PgServer {
  /** The local test server, as gander-postgres's tests use it. */
  static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  /** The environment variable naming another server. */
  static final String URL_ENV = "GANDER_BENCH_PG_URL";

  private PgServer() {}

  static String url() {
    String env = System.getenv(URL_ENV);
    return env == null || env.isBlank() ? DEFAULT_URL : env.trim();
  }

  /** A line saying that no server answers at {@code url} and why, or {@code null} when one does. */
  static String noServer(String url) {
    String why = unreachable(url);
    return why == null
        ? null
        : "no PostgreSQL server answers at "
            + withoutCredentials(url)
            + " ("
            + why
            + "); start one or set "
            + URL_ENV;
  }

  /** Why the server cannot be used, or {@code null} when it answers. */
  private static String unreachable(String url) {
    Properties p = new Properties();
    p.setProperty("connectTimeout", "3");
    try (Connection c = DriverManager.getConnection(url, p)) {
      return c.isValid(3) ? null : "the connection did not answer";
    } catch (SQLException e) {
      return e.getMessage();
    }
  }

  static Connection connect(String url) throws SQLException {
    Properties p = new Properties();
    p.setProperty("ApplicationName", "gander-bench");
    return DriverManager.getConnection(url, p);
  }

  /** What runs in a schema of its own: Gander opened on it, and a connection of its own. */
  interface InSchema {
    void run(Gander g, Connection admin) throws Exception;
  }

  /**
   * Runs {@code body} with Gander opened on {@code schema}, after a line naming the server, its
   * version, the schema and {@code note}. The schema is dropped first (a schema of this run's name
   * is left over from a killed run: no live process has our pid) and dropped again at the end, also
   * when the body fails or the JVM is interrupted.
   */
  static void inSchema(String url, String schema, String note, InSchema body) throws Exception {
    AtomicBoolean dropped = new AtomicBoolean();
    Thread dropOnExit = new Thread(() -> drop(url, schema, dropped), "bench-drop-schema");
    Runtime.getRuntime().addShutdownHook(dropOnExit);
    try (Connection admin = connect(url)) {
      execute(admin, "DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
      try (Gander g = Gander.builder().postgres(url).schema(schema).open()) {
        System.out.printf(
            Locale.ROOT,
            "%nPostgreSQL %s at %s, schema %s; %s%n",
            version(admin),
            withoutCredentials(url),
            schema,
            note);
        body.run(g, admin);
      }
    } finally {
      drop(url, schema, dropped);
      try {
        Runtime.getRuntime().removeShutdownHook(dropOnExit);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook finds the schema dropped.
      }
    }
  }

  private static String version(Connection admin) throws SQLException {
    try (Statement st = admin.createStatement();
        ResultSet rs = st.executeQuery("SHOW server_version")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /**
   * Analyses {@code table} (the test server runs without autovacuum: a table just filled has no
   * statistics, and a plan made without them may read the whole table per page) and checkpoints.
   */
  static void settle(Connection admin, String table) throws SQLException {
    execute(admin, "ANALYZE " + table);
    try {
      execute(admin, "CHECKPOINT");
    } catch (SQLException e) {
      // Not allowed to this user (superuser or pg_checkpoint): go on without.
    }
  }

  static void execute(Connection c, String statement) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(statement);
    }
  }

  /** Drops the run's schema once, from the end of the run or from the shutdown hook. */
  private static void drop(String url, String schema, AtomicBoolean dropped) {
    if (!dropped.compareAndSet(false, true)) {
      return;
    }
    try (Connection c = connect(url)) {
      execute(c, "SET lock_timeout = '10s'");
      execute(c, "DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
    } catch (SQLException e) {
      System.err.println(
          "postgres: could not drop schema "
              + schema
              + " ("
              + e.getMessage()
              + "); drop it by hand");
    }
  }

  /** A URL without its query string or user information, for messages. */
  static String withoutCredentials(String url) {
    int q = url.indexOf('?');
    String s = q < 0 ? url : url.substring(0, q);
    int at = s.indexOf('@');
    int slashes = s.indexOf("//");
    if (at > 0 && slashes >= 0 && at > slashes) {
      s = s.substring(0, slashes + 2) + s.substring(at + 1);
    }
    return s;
  }
}
