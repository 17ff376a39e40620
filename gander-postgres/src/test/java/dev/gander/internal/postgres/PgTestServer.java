package dev.gander.internal.postgres;

import static org.junit.jupiter.api.Assertions.fail;

import dev.gander.Gander;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL server the tests use: {@code GANDER_TEST_PG_URL}, or the local one at {@value
 * #DEFAULT_URL}. Where no server answers, tests are skipped with one line saying so, except under
 * {@code CI=true}, where they fail: CI must never pass by skipping them.
 *
 * <p>Test classes that need the server are marked {@link RequiresPostgres} and call {@link
 * #require()} before opening anything. Each test class works in a schema of its own, made by {@link
 * #freshSchema} and dropped by {@link #dropSchema}.
 */
public final class PgTestServer {
  public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  /** The URL of the server under test. */
  public static final String URL = url();

  private static volatile String unavailable;
  private static volatile boolean checked;

  private PgTestServer() {}

  private static String url() {
    String env = System.getenv("GANDER_TEST_PG_URL");
    return env == null || env.isBlank() ? DEFAULT_URL : env.trim();
  }

  /**
   * Why the server cannot be used, checked once per JVM.
   *
   * @return the line to report, or {@code null} when it answers
   */
  public static String unavailable() {
    if (!checked) {
      synchronized (PgTestServer.class) {
        if (!checked) {
          try (Connection c = connect(2)) {
            unavailable = c.isValid(2) ? null : "the connection did not answer";
          } catch (SQLException e) {
            unavailable = e.getMessage();
          }
          checked = true;
        }
      }
    }
    String why = unavailable;
    return why == null
        ? null
        : "PostgreSQL tests skipped: no server at "
            + where()
            + " ("
            + why
            + "); start one or set GANDER_TEST_PG_URL";
  }

  /** Whether PostgreSQL tests must run (CI), failing rather than skipping without a server. */
  public static boolean mustRun() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** The server's URL without credentials. */
  public static String where() {
    return PgBackend.withoutCredentials(URL);
  }

  /**
   * Fails the calling test under {@code CI=true} when no server answers, and skips it otherwise
   * (classes marked {@link RequiresPostgres} are skipped before they start).
   */
  public static void require() {
    String line = unavailable();
    if (line == null) {
      return;
    }
    if (mustRun()) {
      fail(line.replace("skipped", "failed") + " (CI=true: PostgreSQL tests must run)");
    }
    Assumptions.abort(line);
  }

  /**
   * A new connection to the server under test, autocommit on.
   *
   * @return the connection
   */
  public static Connection connect() throws SQLException {
    return connect(10);
  }

  private static Connection connect(int timeoutSeconds) throws SQLException {
    Properties p = new Properties();
    p.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
    p.setProperty("ApplicationName", "gander-test");
    return DriverManager.getConnection(URL, p);
  }

  /**
   * A schema name no other test class (or run) uses; nothing is created yet.
   *
   * @param testClass the test class
   * @return the schema
   */
  public static PgSchema freshSchema(Class<?> testClass) {
    String base = testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    if (base.length() > 30) {
      base = base.substring(0, 30);
    }
    String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    return PgSchema.of("gt_" + base + "_" + suffix);
  }

  /**
   * Drops a schema and everything in it, if it exists.
   *
   * @param schema the schema
   */
  public static void dropSchema(PgSchema schema) throws SQLException {
    if (unavailable != null || !checked) {
      return;
    }
    try (Connection c = connect();
        Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + schema.quoted() + " CASCADE");
    }
  }

  /**
   * Opens a Gander on the server under test through the public API.
   *
   * @param schema its schema
   * @return the open Gander
   */
  public static Gander gander(PgSchema schema) {
    return Gander.builder().postgres(URL).schema(schema.name()).open();
  }

  /**
   * Opens a backend on the server under test with a small pool.
   *
   * @param schema its schema
   * @return the backend
   */
  public static PgBackend open(PgSchema schema) {
    return PgBackend.open(PgConfig.url(URL).withSchema(schema.name()).withPoolSize(4));
  }
}
