package dev.gander.store;

import static dev.gander.store.StoreTestSupport.exec;
import static dev.gander.store.StoreTestSupport.jdbc;
import static dev.gander.store.StoreTestSupport.queryString;
import static dev.gander.store.StoreTestSupport.rows;
import static dev.gander.store.StoreTestSupport.thrown;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.GanderException;
import dev.gander.NotAGanderDatabaseException;
import dev.gander.SchemaVersionException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file Gander refuses is left exactly as it was: same bytes, same journal mode, no tables added,
 * no {@code -wal} or {@code -shm} file left behind. Files Gander can use are still accepted.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RefusedFileTest {
  @TempDir Path dir;

  private static String sha256(Path p) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A SQLite file in the default rollback-journal mode, made by plain sqlite-jdbc. */
  private static Path sqliteFile(Path db, String... statements) throws SQLException {
    try (Connection c = jdbc(db)) {
      for (String sql : statements) {
        exec(c, sql);
      }
    }
    return db;
  }

  private static String journalMode(Path db) throws SQLException {
    try (Connection c = jdbc(db)) {
      return queryString(c, "PRAGMA journal_mode").toLowerCase(Locale.ROOT);
    }
  }

  private static void assertNoJournalFiles(Path db) {
    assertThat(Path.of(db + "-wal")).doesNotExist();
    assertThat(Path.of(db + "-shm")).doesNotExist();
    assertThat(Path.of(db + "-journal")).doesNotExist();
  }

  private static <T extends GanderException> T assertRefusedUntouched(
      Path db, Class<T> type, boolean sqlite) throws Exception {
    return assertRefusedUntouched(db, type, sqlite, true);
  }

  /**
   * Opens {@code db} for writing, expects {@code type}, and checks that the file was not touched;
   * then the same for a read-only open, which may refuse too or not. Returns the writer's
   * exception.
   */
  private static <T extends GanderException> T assertRefusedUntouched(
      Path db, Class<T> type, boolean sqlite, boolean readOnlyRefusesToo) throws Exception {
    assertNoJournalFiles(db);
    String hash = sha256(db);
    String mode = sqlite ? journalMode(db) : null;
    assertThat(sha256(db)).as("reading the journal mode changed nothing").isEqualTo(hash);

    T refused = thrown(type, () -> Store.open(db));
    assertNoJournalFiles(db);
    assertThat(sha256(db)).as("bytes after a refused Store.open").isEqualTo(hash);
    if (sqlite) {
      assertThat(journalMode(db)).isEqualTo(mode);
    }

    if (readOnlyRefusesToo) {
      thrown(type, () -> Store.openReadOnly(db));
    } else {
      Store.openReadOnly(db).close();
    }
    assertThat(sha256(db)).as("bytes after Store.openReadOnly").isEqualTo(hash);
    if (!"wal".equals(mode)) {
      // A read-only connection to a WAL file leaves an empty -wal and -shm behind (SQLite lets
      // only a connection that may write remove them); of any other file it creates none.
      assertNoJournalFiles(db);
    }
    if (sqlite) {
      assertThat(journalMode(db)).isEqualTo(mode);
    }
    return refused;
  }

  private static List<String> objects(Path db) throws SQLException {
    try (Connection c = jdbc(db)) {
      return rows(c, "SELECT name FROM sqlite_master ORDER BY name");
    }
  }

  @Test
  void aTableNamedGanderJobsOfAnotherShapeIsRefusedAndUntouched() throws Exception {
    Path db =
        sqliteFile(
            dir.resolve("jobs.db"),
            "CREATE TABLE gander_jobs (id INTEGER PRIMARY KEY, name TEXT)",
            "INSERT INTO gander_jobs (id, name) VALUES (1, 'theirs')");
    NotAGanderDatabaseException e =
        assertRefusedUntouched(db, NotAGanderDatabaseException.class, true);
    assertThat(e.getMessage()).contains("gander_jobs");
    assertThat(journalMode(db)).isEqualTo("delete");
    assertThat(objects(db)).containsExactly("gander_jobs");
  }

  @Test
  void aGanderMetaThatIsNotOursIsRefusedAndUntouched() throws Exception {
    Path db =
        sqliteFile(
            dir.resolve("meta.db"),
            "CREATE TABLE gander_meta (id INTEGER, foo TEXT)",
            "INSERT INTO gander_meta (id, foo) VALUES (1, 'theirs')");
    assertRefusedUntouched(db, NotAGanderDatabaseException.class, true);
    assertThat(objects(db)).containsExactly("gander_meta");
  }

  @Test
  void aGanderMetaWithoutASchemaVersionIsRefusedAndUntouched() throws Exception {
    Path db =
        sqliteFile(
            dir.resolve("noversion.db"),
            "CREATE TABLE gander_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "INSERT INTO gander_meta (key, value) VALUES ('owner', 'them')");
    assertRefusedUntouched(db, NotAGanderDatabaseException.class, true);
  }

  @Test
  void anIndexNamedLikeOneOfGandersIsRefusedAndUntouched() throws Exception {
    Path db =
        sqliteFile(
            dir.resolve("index.db"),
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, queue TEXT)",
            "CREATE INDEX gander_jobs_ready ON orders (queue)");
    NotAGanderDatabaseException e =
        assertRefusedUntouched(db, NotAGanderDatabaseException.class, true);
    assertThat(e.getMessage()).contains("gander_jobs_ready");
    assertThat(objects(db)).containsExactly("gander_jobs_ready", "orders");
  }

  @Test
  void aTableALaterMigrationWouldCreateIsRefusedBeforeAnyMigrationRuns() throws Exception {
    // Gander schema version 1, and an application table named like one version 2 creates.
    Path db =
        sqliteFile(
            dir.resolve("v1.db"),
            "CREATE TABLE gander_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "INSERT INTO gander_meta (key, value) VALUES ('schema_version', '1')",
            "CREATE TABLE gander_results (whatever TEXT)");
    // Read-only, the older schema is fine: nothing needs to be created to read it.
    NotAGanderDatabaseException e =
        assertRefusedUntouched(db, NotAGanderDatabaseException.class, true, false);
    assertThat(e.getMessage()).contains("gander_results");
    assertThat(objects(db))
        .containsExactly("gander_meta", "gander_results", "sqlite_autoindex_gander_meta_1");
  }

  @Test
  void aNewerSchemaInARollbackJournalFileIsRefusedAndUntouched() throws Exception {
    Path db =
        sqliteFile(
            dir.resolve("newer.db"),
            "CREATE TABLE gander_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            "INSERT INTO gander_meta (key, value) VALUES ('schema_version', '9999')");
    SchemaVersionException e = assertRefusedUntouched(db, SchemaVersionException.class, true);
    assertThat(e.getMessage()).contains("9999");
    assertThat(journalMode(db)).isEqualTo("delete");
  }

  @Test
  void aNewerSchemaInAGanderFileIsRefusedAndUntouched() throws Exception {
    Path db = dir.resolve("gander-newer.db");
    Store.open(db).close();
    try (Connection c = jdbc(db)) {
      exec(c, "UPDATE gander_meta SET value = '9999' WHERE key = 'schema_version'");
    }
    assertRefusedUntouched(db, SchemaVersionException.class, true);
    assertThat(journalMode(db)).isEqualTo("wal");
  }

  @Test
  void aFileThatIsNotSqliteIsRefusedAndUntouched() throws Exception {
    Path db = dir.resolve("text.db");
    Files.writeString(db, "hello, this is not a database\n".repeat(50), StandardCharsets.UTF_8);
    assertRefusedUntouched(db, NotAGanderDatabaseException.class, false);
  }

  @Test
  void anEmptyFileAndAFileWithOnlyTheApplicationsTablesAreAccepted() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.db"));
    try (Store store = Store.open(empty)) {
      assertThat(store.info().sqlite().orElseThrow().journalMode()).isEqualTo("wal");
      assertThat(store.info().schemaVersion()).isPositive();
    }
    Path app =
        sqliteFile(
            dir.resolve("app.db"),
            "CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT, total INTEGER)",
            "CREATE INDEX orders_total ON orders (total)",
            "INSERT INTO orders (total) VALUES (5)");
    try (Store store = Store.open(app)) {
      assertThat(store.info().sqlite().orElseThrow().journalMode()).isEqualTo("wal");
      assertThat(store.<List<String>>read(c -> rows(c, "SELECT total FROM orders")))
          .containsExactly("5");
    }
    assertThat(journalMode(app)).isEqualTo("wal");
  }
}
