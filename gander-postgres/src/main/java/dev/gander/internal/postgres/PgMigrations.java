package dev.gander.internal.postgres;

import dev.gander.NotAGanderDatabaseException;
import dev.gander.SchemaVersionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL schema migrations shipped in the jar ({@code migrations/} beside this class), and
 * the code that applies them.
 *
 * <p>All pending migrations run in one transaction (PostgreSQL's DDL is transactional) that first
 * takes a transaction-level advisory lock keyed by the schema name and then re-reads the recorded
 * version: of many processes starting at once, one migrates and the others wait for its commit and
 * find nothing left to do. A process that finds the schema current takes no lock at all. The
 * version lives in {@code gander_meta} ({@code key = 'schema_version'}); {@code gander_migrations}
 * records what was applied and when, as on SQLite.
 */
final class PgMigrations {
  private static final Logger log = LoggerFactory.getLogger(PgMigrations.class);

  /** One migration: a version, a name, and the SQL script in the jar. */
  record Migration(int version, String name, String resource) {
    /** The script's text. */
    String sql() {
      String path = "migrations/" + resource;
      try (InputStream in = PgMigrations.class.getResourceAsStream(path)) {
        if (in == null) {
          throw new IllegalStateException("Missing migration script in the jar: " + path);
        }
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read migration script " + path, e);
      }
    }

    /** The tables and indexes the script creates, by name. */
    List<String> creates() {
      List<String> names = new ArrayList<>();
      Matcher m = CREATE.matcher(sql());
      while (m.find()) {
        names.add(m.group(1));
      }
      return names;
    }
  }

  private static final Pattern CREATE =
      Pattern.compile(
          "^\\s*CREATE\\s+(?:UNIQUE\\s+)?(?:TABLE|INDEX|VIEW|SEQUENCE)\\s+([A-Za-z_][A-Za-z0-9_]*)",
          Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);

  static final List<Migration> ALL =
      List.of(
          new Migration(1, "meta", "0001_meta.sql"),
          new Migration(2, "queues", "0002_queues.sql"),
          new Migration(3, "streams", "0003_streams.sql"),
          new Migration(4, "coordination", "0004_coordination.sql"),
          new Migration(5, "schedules", "0005_schedules.sql"));

  /**
   * The names of everything the migrations create (tables and indexes), which only Gander may
   * create in its schema.
   *
   * @return the names
   */
  static List<String> createdNames() {
    List<String> names = new ArrayList<>();
    for (Migration m : ALL) {
      names.addAll(m.creates());
    }
    return names;
  }

  /** The schema version this build of Gander writes. */
  static final int LATEST = ALL.get(ALL.size() - 1).version();

  /** The first key of Gander's advisory locks ("GAND"); the second is the schema's hash. */
  private static final int LOCK_CLASS = 0x47414e44;

  private PgMigrations() {}

  /**
   * Brings {@code schema} up to {@link #LATEST}, creating it if need be.
   *
   * @param c a connection of its own (autocommit on or off; left as it was)
   * @param schema the schema
   * @param where the database, for messages
   * @return how many migrations this call applied (0 when another process did them)
   * @throws SchemaVersionException if a newer Gander migrated the schema
   * @throws NotAGanderDatabaseException if the schema holds tables Gander would create, or a {@code
   *     gander_meta} that is not Gander's
   * @throws SQLException any database failure
   */
  static int migrate(Connection c, PgSchema schema, String where) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    if (autoCommit) {
      c.setAutoCommit(false);
    }
    try {
      // Without the lock first: a schema already current costs two queries and waits for no
      // one. Only "current" is decided here; anything else is judged under the lock, since
      // without it another process may commit its migration between two of these statements.
      if (currentWithoutLock(c, schema) == LATEST) {
        c.rollback();
        return 0;
      }
      c.rollback();
      try (Statement st = c.createStatement()) {
        st.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
      }
      try (PreparedStatement ps =
          c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
        ps.setInt(1, LOCK_CLASS);
        ps.setString(2, schema.name());
        ps.executeQuery().close();
      }
      createSchema(c, schema);
      int current = check(c, schema, where);
      try (PreparedStatement ps = c.prepareStatement("SELECT set_config('search_path', ?, true)")) {
        ps.setString(1, schema.quoted());
        ps.executeQuery().close();
      }
      int applied = 0;
      for (Migration m : ALL) {
        if (m.version() > current) {
          apply(c, m);
          applied++;
        }
      }
      c.commit();
      for (Migration m : ALL) {
        if (m.version() > current) {
          log.info("Applied Gander migration {} ({}) to {}", m.version(), m.name(), where);
        }
      }
      return applied;
    } catch (SQLException | RuntimeException | Error e) {
      try {
        c.rollback();
      } catch (SQLException ignored) {
        // The connection broke; the server rolled back.
      }
      throw e;
    } finally {
      if (autoCommit) {
        c.setAutoCommit(true);
      }
    }
  }

  /**
   * Reads the recorded version and checks that Gander may use the schema.
   *
   * @return the version, 0 for a schema without Gander's tables (or no schema)
   */
  static int check(Connection c, PgSchema schema, String where) throws SQLException {
    int current = currentVersion(c, schema, where);
    if (current > LATEST) {
      throw new SchemaVersionException(
          "The PostgreSQL schema '"
              + schema.name()
              + "' on "
              + where
              + " was migrated by a newer Gander (schema version "
              + current
              + "; this Gander knows up to "
              + LATEST
              + "). Upgrade Gander on this machine to at least the version the other machines"
              + " run: Gander never downgrades a schema.");
    }
    List<String> pending = new ArrayList<>();
    for (Migration m : ALL) {
      if (m.version() > current) {
        pending.addAll(m.creates());
      }
    }
    if (!pending.isEmpty()) {
      List<String> taken = new ArrayList<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                  + " WHERE n.nspname = ? AND c.relname = ANY (?) ORDER BY c.relname")) {
        ps.setString(1, schema.name());
        ps.setArray(2, c.createArrayOf("text", pending.toArray()));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            taken.add(rs.getString(1));
          }
        }
      }
      if (!taken.isEmpty()) {
        throw new NotAGanderDatabaseException(
            "The PostgreSQL schema '"
                + schema.name()
                + "' on "
                + where
                + " already holds tables or indexes named like ones Gander needs to create ("
                + String.join(", ", taken)
                + ") without Gander's record of having made them. Give Gander a schema of its"
                + " own (the schema option), or drop those if they are left over from a failed"
                + " experiment.");
      }
    }
    return current;
  }

  /** The recorded version, or -1 when it cannot be read now (no table yet, or not ours). */
  private static int currentWithoutLock(Connection c, PgSchema schema) {
    try {
      return currentVersion(c, schema, "");
    } catch (SQLException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * The recorded schema version, without a lock.
   *
   * @return the version, 0 for a schema without Gander's tables (or no schema)
   * @throws NotAGanderDatabaseException if {@code gander_meta} is not Gander's
   */
  static int currentVersion(Connection c, PgSchema schema, String where) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, schema.quoted() + ".gander_meta");
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) {
          return 0;
        }
      }
    }
    String value;
    try (PreparedStatement ps =
        c.prepareStatement(
            schema.sql("SELECT value FROM {schema}.gander_meta WHERE key = 'schema_version'"))) {
      try (ResultSet rs = ps.executeQuery()) {
        value = rs.next() ? rs.getString(1) : null;
      }
    } catch (SQLException e) {
      throw notOurs(
          schema, where, "its table gander_meta is not Gander's (" + e.getMessage() + ")");
    }
    if (value == null) {
      throw notOurs(schema, where, "its table gander_meta has no schema_version row");
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw notOurs(schema, where, "its schema_version is '" + value + "', not a number");
    }
  }

  private static NotAGanderDatabaseException notOurs(PgSchema schema, String where, String why) {
    return new NotAGanderDatabaseException(
        "The PostgreSQL schema '"
            + schema.name()
            + "' on "
            + where
            + " is not one Gander can use: "
            + why
            + ". Give Gander a schema of its own (the schema option).");
  }

  /** Creates the schema unless it exists (so that an existing one needs no CREATE privilege). */
  private static void createSchema(Connection c, PgSchema schema) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
      ps.setString(1, schema.name());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return;
        }
      }
    }
    try (Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema.quoted());
    }
  }

  private static void apply(Connection c, Migration m) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(m.sql());
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO gander_migrations (version, name, applied_at)"
                + " VALUES (?, ?, (extract(epoch from clock_timestamp()) * 1000)::bigint)")) {
      ps.setInt(1, m.version());
      ps.setString(2, m.name());
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO gander_meta (key, value) VALUES ('schema_version', ?)"
                + " ON CONFLICT (key) DO UPDATE SET value = excluded.value")) {
      ps.setString(1, Integer.toString(m.version()));
      ps.executeUpdate();
    }
  }
}
