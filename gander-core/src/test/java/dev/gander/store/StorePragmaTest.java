package dev.gander.store;

import static dev.gander.store.StoreTestSupport.exec;
import static dev.gander.store.StoreTestSupport.jdbc;
import static dev.gander.store.StoreTestSupport.pragmas;
import static dev.gander.store.StoreTestSupport.queryLong;
import static dev.gander.store.StoreTestSupport.queryString;
import static dev.gander.store.StoreTestSupport.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.GanderException;
import dev.gander.sqlite.SqliteInfo;
import dev.gander.sqlite.SqliteOptions;
import dev.gander.sqlite.Synchronous;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PRAGMAs of every connection, what {@link Store#info()} reports, and the schema. */
class StorePragmaTest {
  @TempDir Path dir;

  @Test
  void writerConnectionHasTheDefaultPragmas() {
    try (Store store = Store.open(dir.resolve("p.db"))) {
      Map<String, String> p = store.write(StoreTestSupport::pragmas);
      assertThat(p)
          .containsEntry("journal_mode", "wal")
          .containsEntry("busy_timeout", "15000")
          .containsEntry("synchronous", "1")
          .containsEntry("foreign_keys", "1");
    }
  }

  @Test
  void everyReaderConnectionHasTheDefaultPragmas() throws Exception {
    int readers = 3;
    try (Store store =
        Store.open(dir.resolve("p.db"), SqliteOptions.builder().readPoolSize(readers).build())) {
      // All reads wait for each other inside the read, so each holds its own connection.
      CyclicBarrier together = new CyclicBarrier(readers);
      List<CompletableFuture<Map<String, String>>> futures = new ArrayList<>();
      for (int i = 0; i < readers; i++) {
        futures.add(
            store.readAsync(
                c -> {
                  Map<String, String> p = pragmas(c);
                  try {
                    together.await(30, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    throw new IllegalStateException("reads did not run side by side", e);
                  }
                  return p;
                }));
      }
      futures.add(CompletableFuture.completedFuture(store.read(StoreTestSupport::pragmas)));
      for (CompletableFuture<Map<String, String>> f : futures) {
        assertThat(f.get(60, TimeUnit.SECONDS))
            .containsEntry("journal_mode", "wal")
            .containsEntry("busy_timeout", "15000")
            .containsEntry("foreign_keys", "1");
      }
    }
  }

  @Test
  void configuredBusyTimeoutAndSynchronousFullAreApplied() {
    SqliteOptions options =
        SqliteOptions.builder()
            .busyTimeout(Duration.ofMillis(1234))
            .synchronous(Synchronous.FULL)
            .build();
    try (Store store = Store.open(dir.resolve("p.db"), options)) {
      assertThat(store.write(StoreTestSupport::pragmas))
          .containsEntry("journal_mode", "wal")
          .containsEntry("busy_timeout", "1234")
          .containsEntry("synchronous", "2")
          .containsEntry("foreign_keys", "1");
      assertThat(store.read(StoreTestSupport::pragmas))
          .containsEntry("journal_mode", "wal")
          .containsEntry("busy_timeout", "1234")
          .containsEntry("foreign_keys", "1");
      assertThat(store.info().sqlite().orElseThrow().synchronous()).isEqualTo(Synchronous.FULL);
    }
  }

  @Test
  void foreignKeysAreEnforced() {
    try (Store store = Store.open(dir.resolve("fk.db"))) {
      store.write(
          c -> {
            exec(c, "CREATE TABLE parent (id INTEGER PRIMARY KEY)");
            exec(
                c,
                "CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER NOT NULL REFERENCES parent (id))");
            exec(c, "INSERT INTO parent (id) VALUES (1)");
            exec(c, "INSERT INTO child (id, parent) VALUES (1, 1)");
            return null;
          });
      GanderException e =
          StoreTestSupport.thrown(
              GanderException.class,
              () ->
                  store.write(
                      c ->
                          c.createStatement()
                              .executeUpdate("INSERT INTO child (id, parent) VALUES (2, 99)")));
      assertThat(StoreTestSupport.primaryCode(e)).as("SQLITE_CONSTRAINT").isEqualTo(19);
      assertThat(e.getCause()).isInstanceOf(java.sql.SQLException.class);
      assertThat(StoreTestSupport.count(store, "child")).isEqualTo(1);
    }
  }

  @Test
  void infoDescribesTheFile() throws Exception {
    Path db = dir.resolve("info.db");
    try (Store store = Store.open(db)) {
      StoreInfo info = store.info();
      assertThat(info.backend()).isEqualTo("sqlite");
      assertThat(info.location()).isEqualTo(db.toString());
      assertThat(store.path()).isEqualTo(db);
      SqliteInfo file = info.sqlite().orElseThrow();
      assertThat(file.path()).isEqualTo(db);
      assertThat(file.journalMode()).isEqualTo("wal");
      assertThat(file.synchronous()).isEqualTo(Synchronous.NORMAL);
      assertThat(info.readOnly()).isFalse();
      assertThat(info.sizeOnDisk()).isPositive();
      long pageSize = store.<Long>read(c -> queryLong(c, "PRAGMA page_size"));
      assertThat(file.pageSize()).isEqualTo(4096).isEqualTo((int) pageSize);
      String recorded =
          store.<String>read(
              c -> queryString(c, "SELECT value FROM gander_meta WHERE key = 'schema_version'"));
      assertThat(info.schemaVersion()).isPositive().isEqualTo(Integer.parseInt(recorded));

      // Two MiB of data must show in the size on disk (file plus WAL).
      store.write(
          c -> {
            exec(c, "CREATE TABLE blobs (b BLOB)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO blobs (b) VALUES (?)")) {
              for (int i = 0; i < 32; i++) {
                ps.setBytes(1, new byte[64 * 1024]);
                ps.executeUpdate();
              }
            }
            return null;
          });
      assertThat(store.info().sizeOnDisk())
          .isGreaterThanOrEqualTo(info.sizeOnDisk() + 2L * 1024 * 1024);
    }
  }

  @Test
  void createsTheMetaAndMigrationsTables() throws Exception {
    Path db = dir.resolve("schema.db");
    int version;
    try (Store store = Store.open(db)) {
      version = store.info().schemaVersion();
    }
    try (Connection c = jdbc(db)) {
      assertThat(rows(c, "SELECT name FROM pragma_table_info('gander_meta') ORDER BY cid"))
          .containsExactly("key", "value");
      assertThat(rows(c, "SELECT name FROM pragma_table_info('gander_migrations') ORDER BY cid"))
          .containsExactly("version", "name", "applied_at");
      assertThat(rows(c, "SELECT pk FROM pragma_table_info('gander_meta') WHERE name = 'key'"))
          .containsExactly("1");
      assertThat(
              rows(
                  c,
                  "SELECT pk FROM pragma_table_info('gander_migrations') WHERE name = 'version'"))
          .containsExactly("1");
      assertThat(rows(c, "SELECT value FROM gander_meta WHERE key = 'schema_version'"))
          .containsExactly(Integer.toString(version));
      assertThat(queryLong(c, "SELECT max(version) FROM gander_migrations")).isEqualTo(version);
      assertThat(queryLong(c, "SELECT min(version) FROM gander_migrations")).isEqualTo(1);
      assertThat(queryLong(c, "SELECT count(*) FROM gander_migrations"))
          .isEqualTo(queryLong(c, "SELECT count(DISTINCT version) FROM gander_migrations"));
      assertThat(
              queryLong(
                  c,
                  "SELECT count(*) FROM gander_migrations WHERE name IS NULL OR name = '' OR applied_at IS NULL"))
          .isZero();
      // WAL is a property of the file, not only of Gander's connections.
      assertThat(queryString(c, "PRAGMA journal_mode")).isEqualToIgnoringCase("wal");
    }
  }

  @Test
  void reopeningAppliesNothingAgain() throws Exception {
    Path db = dir.resolve("reopen.db");
    String all = "SELECT version, name, applied_at FROM gander_migrations ORDER BY version";
    List<String> first;
    int version;
    try (Store store = Store.open(db)) {
      first = store.<List<String>>read(c -> rows(c, all));
      version = store.info().schemaVersion();
      store.write(c -> c.createStatement().executeUpdate("CREATE TABLE keep (v TEXT)"));
      store.write(c -> c.createStatement().executeUpdate("INSERT INTO keep (v) VALUES ('kept')"));
    }
    assertThat(first).isNotEmpty();
    try (Store store = Store.open(db)) {
      assertThat(store.<List<String>>read(c -> rows(c, all))).isEqualTo(first);
      assertThat(store.info().schemaVersion()).isEqualTo(version);
      assertThat(store.<List<String>>read(c -> rows(c, "SELECT v FROM keep")))
          .containsExactly("kept");
    }
    try (Store store = Store.open(db)) {
      assertThat(store.<List<String>>read(c -> rows(c, all))).isEqualTo(first);
    }
  }

  @Test
  void pathIsTheOneGivenToOpen() {
    // Store#path(): the path given to open, absolute and normalised. A relative path (here from
    // the working directory to the temp dir) is what an application typically gives.
    Path given = Path.of("").toAbsolutePath().relativize(dir.resolve("given.db"));
    assertThat(given.isAbsolute()).isFalse();
    try (Store store = Store.open(given)) {
      assertThat(store.path()).isEqualTo(given.toAbsolutePath().normalize());
    }
  }

  @Test
  void openCreatesTheFile() {
    Path db = dir.resolve("new.db");
    assertThat(Files.exists(db)).isFalse();
    try (Store store = Store.open(db)) {
      assertThat(Files.exists(db)).isTrue();
      assertThat(store.isClosed()).isFalse();
    }
  }

  @Test
  void optionsOutOfRangeAreRefusedWithTheRange() {
    assertThatThrownBy(() -> SqliteOptions.builder().readPoolSize(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("readPoolSize");
    assertThatThrownBy(() -> SqliteOptions.builder().busyTimeout(Duration.ofMillis(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("busyTimeout");
  }
}
