package dev.gander.internal.sqlite;

import dev.gander.NotAGanderDatabaseException;
import dev.gander.SchemaVersionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ordered schema migrations shipped in the jar, and the code that applies them.
 *
 * <p>Each migration runs in its own {@code BEGIN IMMEDIATE} transaction that first re-reads the
 * recorded version, so two processes opening a new file at the same moment apply each migration
 * exactly once: the second waits on the write lock, then finds the work done.
 */
public final class Migrations {
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  /** One migration: a version, a name, and the SQL script in the jar. */
  record Migration(int version, String name, String resource) {
    /** The tables, indexes, views and triggers the script creates, by name. */
    List<String> creates() {
      List<String> names = new ArrayList<>();
      for (String sql : statements(resource)) {
        Matcher m = CREATE.matcher(sql);
        if (m.lookingAt()) {
          names.add(m.group(1));
        }
      }
      return names;
    }
  }

  /** A CREATE statement of a migration script, capturing the name of what it creates. */
  private static final Pattern CREATE =
      Pattern.compile(
          "\\s*CREATE\\s+(?:UNIQUE\\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)\\s+([A-Za-z_][A-Za-z0-9_]*)",
          Pattern.CASE_INSENSITIVE);

  private static final List<Migration> ALL =
      List.of(
          new Migration(1, "meta", "0001_meta.sql"),
          new Migration(2, "queues", "0002_queues.sql"),
          new Migration(3, "job records", "0003_job_records.sql"),
          new Migration(4, "streams", "0004_streams.sql"),
          new Migration(5, "coordination", "0005_coordination.sql"),
          new Migration(6, "schedules", "0006_schedules.sql"));

  /** The schema version this build of Gander writes. */
  public static final int LATEST = ALL.get(ALL.size() - 1).version();

  private Migrations() {}

  /**
   * Brings the database on {@code conn} up to {@link #LATEST}.
   *
   * @param conn the writer connection, in auto-commit mode
   * @param path the file, for messages
   * @param now the time recorded for each applied migration, in epoch milliseconds
   * @throws SQLException any database failure
   */
  static void migrate(Connection conn, Path path, long now) throws SQLException {
    for (Migration m : ALL) {
      try (Statement st = conn.createStatement()) {
        st.execute("BEGIN IMMEDIATE");
        boolean committed = false;
        try {
          int current = check(conn, path);
          if (current < m.version()) {
            apply(conn, path, m, now);
            log.info("Applied Gander migration {} ({}) to {}", m.version(), m.name(), path);
          }
          st.execute("COMMIT");
          committed = true;
        } finally {
          if (!committed) {
            rollbackQuietly(st);
          }
        }
      }
    }
  }

  /**
   * Checks, only reading, that Gander can use the database on {@code conn}: its {@code gander_meta}
   * is Gander's, its schema is not newer than this Gander's, and it holds nothing named like a
   * table or index a pending migration would create. Run before anything changes the file (the
   * switch to WAL included), so that a refused file is left exactly as it was, and again inside
   * each migration's transaction.
   *
   * @param conn a connection to the database
   * @param path the file, for messages
   * @return the schema version recorded in the file, 0 for none
   * @throws NotAGanderDatabaseException if the file is not one Gander can use
   * @throws SchemaVersionException if a newer Gander wrote the file
   */
  static int check(Connection conn, Path path) throws SQLException {
    int current = currentVersion(conn, path);
    if (current > LATEST) {
      throw newerSchema(path, current);
    }
    Set<String> present = new HashSet<>();
    try (PreparedStatement ps = conn.prepareStatement("SELECT name FROM sqlite_master");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        present.add(String.valueOf(rs.getString(1)).toLowerCase(Locale.ROOT));
      }
    }
    List<String> taken = new ArrayList<>();
    for (Migration m : ALL) {
      if (m.version() > current) {
        for (String name : m.creates()) {
          if (present.contains(name.toLowerCase(Locale.ROOT))) {
            taken.add(name);
          }
        }
      }
    }
    if (!taken.isEmpty()) {
      throw conflicting(
          path,
          "it already holds "
              + (taken.size() == 1 ? "a table or index" : "tables or indexes")
              + " named like "
              + (taken.size() == 1 ? "one" : "ones")
              + " Gander needs to create ("
              + String.join(", ", taken)
              + ")",
          null);
    }
    return current;
  }

  /**
   * Reads the schema version recorded in the file, 0 for a file without Gander's tables.
   *
   * @throws NotAGanderDatabaseException if {@code gander_meta} exists but is not Gander's
   */
  static int currentVersion(Connection conn, Path path) throws SQLException {
    try (PreparedStatement ps =
        conn.prepareStatement(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'gander_meta'")) {
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getInt(1) == 0) {
          return 0;
        }
      }
    }
    String value;
    try (PreparedStatement ps =
        conn.prepareStatement("SELECT value FROM gander_meta WHERE key = 'schema_version'")) {
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw conflicting(path, "its table gander_meta has no schema_version row", null);
        }
        value = rs.getString(1);
      }
    } catch (SQLException e) {
      if (String.valueOf(e.getMessage()).contains("no such column")) {
        throw conflicting(path, "it has a table named gander_meta that Gander did not create", e);
      }
      throw e;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw conflicting(path, "its schema_version is '" + value + "', not a number", e);
    }
  }

  static SchemaVersionException newerSchema(Path path, int found) {
    return new SchemaVersionException(
        "The database "
            + path
            + " has Gander schema version "
            + found
            + ", but this Gander knows versions up to "
            + LATEST
            + ". It was written by a newer Gander: upgrade Gander to open it.");
  }

  private static NotAGanderDatabaseException conflicting(
      Path path, String why, @org.jspecify.annotations.Nullable Throwable cause) {
    return new NotAGanderDatabaseException(
        "The file "
            + path
            + " is a SQLite database, but not one Gander can use: "
            + why
            + ". Point Gander at a new file or at a database Gander created.",
        cause);
  }

  private static void apply(Connection conn, Path path, Migration m, long now) throws SQLException {
    try (Statement st = conn.createStatement()) {
      for (String sql : statements(m.resource())) {
        try {
          st.execute(sql);
        } catch (SQLException e) {
          if (String.valueOf(e.getMessage()).contains("already exists")) {
            throw conflicting(
                path,
                "it already holds a table or index Gander needs to create (" + e.getMessage() + ")",
                e);
          }
          throw e;
        }
      }
    }
    try (PreparedStatement ps =
        conn.prepareStatement(
            "INSERT INTO gander_migrations (version, name, applied_at) VALUES (?, ?, ?)")) {
      ps.setInt(1, m.version());
      ps.setString(2, m.name());
      ps.setLong(3, now);
      ps.executeUpdate();
    }
    try (PreparedStatement ps =
        conn.prepareStatement(
            "INSERT INTO gander_meta (key, value) VALUES ('schema_version', ?)"
                + " ON CONFLICT (key) DO UPDATE SET value = excluded.value")) {
      ps.setString(1, Integer.toString(m.version()));
      ps.executeUpdate();
    }
  }

  /** Splits a migration script into statements: each ends with a semicolon at the end of a line. */
  static List<String> statements(String resource) {
    String script;
    try (InputStream in = Migrations.class.getResourceAsStream("migrations/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("migration " + resource + " is missing from the jar");
      }
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n", -1)) {
      String trimmed = line.strip();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        out.add(current.toString().strip());
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(current.toString().strip());
    }
    return out;
  }

  private static void rollbackQuietly(Statement st) {
    try {
      st.execute("ROLLBACK");
    } catch (SQLException ignored) {
      // The transaction may already be gone (SQLite rolls back by itself on some errors).
    }
  }
}
