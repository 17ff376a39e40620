package dev.gander.store;

import static dev.gander.store.StoreTestSupport.count;
import static dev.gander.store.StoreTestSupport.exec;
import static dev.gander.store.StoreTestSupport.jdbc;
import static dev.gander.store.StoreTestSupport.primaryCode;
import static dev.gander.store.StoreTestSupport.queryLong;
import static dev.gander.store.StoreTestSupport.queryString;
import static dev.gander.store.StoreTestSupport.rows;
import static dev.gander.store.StoreTestSupport.thrown;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.DatabaseBusyException;
import dev.gander.GanderException;
import dev.gander.NotAGanderDatabaseException;
import dev.gander.ReadOnlyDatabaseException;
import dev.gander.SchemaVersionException;
import dev.gander.StorageFullException;
import dev.gander.sqlite.SqliteOptions;
import dev.gander.store.StoreTestSupport.ReadOnlyPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every failure a caller can act on, provoked for real on real files. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StoreErrorsTest {
  @TempDir Path dir;

  // ------------------------------------------------------- not a database

  @Test
  void aTextFileIsNotAGanderDatabaseAndIsLeftUntouched() throws Exception {
    Path db = dir.resolve("x.db");
    String text = "hello, this is not a database\n".repeat(50);
    assertThat(text.length()).isGreaterThan(1024);
    Files.writeString(db, text, StandardCharsets.UTF_8);

    NotAGanderDatabaseException e = thrown(NotAGanderDatabaseException.class, () -> Store.open(db));
    assertThat(e.getMessage()).contains("x.db");
    thrown(NotAGanderDatabaseException.class, () -> Store.openReadOnly(db));
    assertThat(Files.readString(db, StandardCharsets.UTF_8)).isEqualTo(text);
  }

  @Test
  void aDatabaseWithAForeignGanderMetaTableIsRefusedAndLeftUntouched() throws Exception {
    Path db = dir.resolve("foreign.db");
    try (Connection c = jdbc(db)) {
      exec(c, "CREATE TABLE gander_meta (id INTEGER, foo TEXT)");
      exec(c, "INSERT INTO gander_meta (id, foo) VALUES (1, 'theirs')");
    }
    thrown(NotAGanderDatabaseException.class, () -> Store.open(db));
    thrown(NotAGanderDatabaseException.class, () -> Store.openReadOnly(db));
    try (Connection c = jdbc(db)) {
      assertThat(rows(c, "SELECT id, foo FROM gander_meta")).containsExactly("1|theirs");
      assertThat(rows(c, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"))
          .containsExactly("gander_meta");
    }
  }

  @Test
  void aDatabaseWithOnlyTheUsersTablesOpensAndKeepsThem() throws Exception {
    Path db = dir.resolve("app.db");
    try (Connection c = jdbc(db)) {
      exec(c, "CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER NOT NULL)");
      exec(c, "INSERT INTO orders (id, total) VALUES (1, 100), (2, 250), (3, 999)");
    }
    try (Store store = Store.open(db)) {
      assertThat(store.info().schemaVersion()).isPositive();
      assertThat(store.<List<String>>read(c -> rows(c, "SELECT id, total FROM orders ORDER BY id")))
          .containsExactly("1|100", "2|250", "3|999");
      store.inTransaction(
          tx -> exec(tx.connection(), "INSERT INTO orders (id, total) VALUES (4, 1)"));
    }
    try (Connection c = jdbc(db)) {
      assertThat(queryLong(c, "SELECT count(*) FROM orders")).isEqualTo(4);
      assertThat(queryLong(c, "SELECT count(*) FROM sqlite_master WHERE name = 'gander_meta'"))
          .isEqualTo(1);
    }
  }

  // ------------------------------------------------------- schema version

  @Test
  void aFileFromANewerGanderIsRefusedAndNotDowngraded() throws Exception {
    Path db = dir.resolve("newer.db");
    Store.open(db).close();
    try (Connection c = jdbc(db)) {
      exec(c, "UPDATE gander_meta SET value = '9999' WHERE key = 'schema_version'");
    }
    SchemaVersionException e = thrown(SchemaVersionException.class, () -> Store.open(db));
    assertThat(e.getMessage()).contains("9999");
    SchemaVersionException ro = thrown(SchemaVersionException.class, () -> Store.openReadOnly(db));
    assertThat(ro.getMessage()).contains("9999");
    try (Connection c = jdbc(db)) {
      assertThat(queryString(c, "SELECT value FROM gander_meta WHERE key = 'schema_version'"))
          .isEqualTo("9999");
    }
  }

  // ------------------------------------------------------------ read-only

  @Test
  void aNewFileInAReadOnlyDirectoryIsRefused() throws Exception {
    Path ro = Files.createDirectory(dir.resolve("ro"));
    Path db = ro.resolve("new.db");
    try (ReadOnlyPaths paths = new ReadOnlyPaths()) {
      paths.makeReadOnly(ro);
      ReadOnlyDatabaseException e = thrown(ReadOnlyDatabaseException.class, () -> Store.open(db));
      assertThat(e.getMessage()).isNotBlank();
      assertThat(Files.exists(db)).isFalse();
    }
  }

  @Test
  void anExistingReadOnlyFileIsNeverWritten() throws Exception {
    Path ro = Files.createDirectory(dir.resolve("ro"));
    Path db = ro.resolve("existing.db");
    try (Store store = Store.open(db)) {
      store.write(
          c -> {
            exec(c, "CREATE TABLE t (v TEXT)");
            exec(c, "INSERT INTO t (v) VALUES ('one'), ('two')");
            return null;
          });
    }
    try (ReadOnlyPaths paths = new ReadOnlyPaths()) {
      for (String suffix : List.of("", "-wal", "-shm")) {
        Path p = Path.of(db + suffix);
        if (Files.exists(p)) {
          paths.makeReadOnly(p);
        }
      }
      paths.makeReadOnly(ro);

      Store opened = null;
      try {
        opened = Store.open(db);
      } catch (ReadOnlyDatabaseException expected) {
        // Refusing to open is one of the two allowed outcomes.
      }
      if (opened != null) {
        try (Store store = opened) {
          thrown(
              ReadOnlyDatabaseException.class,
              () ->
                  store.write(
                      c ->
                          c.createStatement().executeUpdate("INSERT INTO t (v) VALUES ('three')")));
        }
      }
    }
    try (Connection c = jdbc(db)) {
      assertThat(rows(c, "SELECT v FROM t ORDER BY rowid")).containsExactly("one", "two");
      assertThat(queryString(c, "PRAGMA integrity_check")).isEqualTo("ok");
    }
  }

  // --------------------------------------------------------- storage full

  /** Limits the writer connection's file to its current size plus {@code pages}. */
  private static long limitGrowth(Store store, int pages) {
    return store.write(
        c -> {
          long current = queryLong(c, "PRAGMA page_count");
          long limit = queryLong(c, "PRAGMA max_page_count = " + (current + pages));
          if (limit != current + pages) {
            throw new IllegalStateException(
                "max_page_count is " + limit + ", wanted " + (current + pages));
          }
          return current;
        });
  }

  private static void createBlobs(Store store) {
    store.write(
        c -> {
          exec(c, "CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
          exec(c, "INSERT INTO blobs (id, data) VALUES (1, x'01'), (2, x'02'), (3, x'03')");
          return null;
        });
  }

  private static int insertBlob(Connection c, int id, int size) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO blobs (id, data) VALUES (?, ?)")) {
      ps.setInt(1, id);
      ps.setBytes(2, new byte[size]);
      return ps.executeUpdate();
    }
  }

  @Test
  void aFullDatabaseFailsTheWriteKeepsCommittedRowsAndRecovers() {
    try (Store store = Store.open(dir.resolve("full.db"))) {
      createBlobs(store);
      limitGrowth(store, 5);

      StorageFullException e =
          thrown(StorageFullException.class, () -> store.write(c -> insertBlob(c, 10, 100_000)));
      assertThat(primaryCode(e)).as("SQLITE_FULL").isEqualTo(13);
      thrown(
          StorageFullException.class,
          () ->
              store.write(
                  c ->
                      c.createStatement()
                          .executeUpdate(
                              "INSERT INTO blobs (id, data) VALUES (11, randomblob(100000))")));
      assertThat(
              store.<List<String>>read(c -> rows(c, "SELECT id, hex(data) FROM blobs ORDER BY id")))
          .containsExactly("1|01", "2|02", "3|03");

      // Small writes still fit.
      store.write(c -> insertBlob(c, 4, 10));
      assertThat(count(store, "blobs")).isEqualTo(4);

      // Raising the limit again makes room for the large write.
      store.write(c -> queryLong(c, "PRAGMA max_page_count = 1073741823"));
      store.write(c -> insertBlob(c, 10, 100_000));
      assertThat(
              store.<Long>read(c -> queryLong(c, "SELECT length(data) FROM blobs WHERE id = 10")))
          .isEqualTo(100_000);
    }
  }

  @Test
  void aFullDatabaseInsideAGroupCommitNeverReportsSuccessForLostWrites() throws Exception {
    try (Store store = Store.open(dir.resolve("fullbatch.db"))) {
      createBlobs(store);
      limitGrowth(store, 5);

      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Integer> blocker =
          store.writeAsync(
              c -> {
                running.countDown();
                if (!StoreTestSupport.await(release)) {
                  throw new IllegalStateException("never released");
                }
                return insertBlob(c, 100, 10);
              });
      assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
      List<CompletableFuture<Integer>> small = new ArrayList<>();
      small.add(store.writeAsync(c -> insertBlob(c, 101, 10)));
      CompletableFuture<Integer> big = store.writeAsync(c -> insertBlob(c, 200, 100_000));
      small.add(store.writeAsync(c -> insertBlob(c, 102, 10)));
      release.countDown();

      ExecutionException e = thrown(ExecutionException.class, () -> big.get(30, TimeUnit.SECONDS));
      assertThat(e.getCause()).isInstanceOf(StorageFullException.class);

      // Every write reported as committed is in the file; every one reported as failed is not.
      List<CompletableFuture<Integer>> all = new ArrayList<>(small);
      all.add(0, blocker);
      int[] ids = {100, 101, 102};
      List<String> problems = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        int id = ids[i];
        boolean succeeded;
        try {
          all.get(i).get(30, TimeUnit.SECONDS);
          succeeded = true;
        } catch (ExecutionException failed) {
          succeeded = false;
          if (!(failed.getCause() instanceof GanderException)) {
            problems.add("write " + id + " failed with " + failed.getCause());
          }
        }
        long present =
            store.<Long>read(c -> queryLong(c, "SELECT count(*) FROM blobs WHERE id = " + id));
        if (present != (succeeded ? 1 : 0)) {
          problems.add(
              "write " + id + " succeeded=" + succeeded + " but present " + present + " times");
        }
      }
      assertThat(problems).isEmpty();
      assertThat(
              store.<Long>read(
                  c -> queryLong(c, "SELECT count(*) FROM blobs WHERE id IN (1, 2, 3, 200)")))
          .isEqualTo(3);
      // The request queued after the failure runs in a new transaction and commits.
      assertThat(small.get(1).get(30, TimeUnit.SECONDS)).isEqualTo(1);
    }
  }

  // ----------------------------------------------------------------- busy

  @Test
  void aWriteLockHeldByAnotherConnectionGivesDatabaseBusy() throws Exception {
    Path db = dir.resolve("busy.db");
    SqliteOptions options = SqliteOptions.builder().busyTimeout(Duration.ofMillis(200)).build();
    try (Store store = Store.open(db, options);
        Connection other = jdbc(db)) {
      store.write(c -> c.createStatement().executeUpdate("CREATE TABLE t (v TEXT)"));
      exec(other, "BEGIN IMMEDIATE");
      exec(other, "INSERT INTO t (v) VALUES ('other')");

      DatabaseBusyException e =
          thrown(
              DatabaseBusyException.class,
              () ->
                  store.write(
                      c -> c.createStatement().executeUpdate("INSERT INTO t (v) VALUES ('mine')")));
      assertThat(primaryCode(e)).as("SQLITE_BUSY").isEqualTo(5);
      assertThat(e.vendorCode()).as("the driver's code, SQLITE_BUSY").hasValue(5);
      assertThat(e.getMessage()).contains("SqliteOptions.busyTimeout");
      CompletableFuture<Integer> async =
          store.writeAsync(
              c -> c.createStatement().executeUpdate("INSERT INTO t (v) VALUES ('mine async')"));
      assertThat(thrown(ExecutionException.class, () -> async.get(30, TimeUnit.SECONDS)).getCause())
          .isInstanceOf(DatabaseBusyException.class);
      // Readers are not blocked by a writer in WAL mode.
      assertThat(count(store, "t")).isZero();

      exec(other, "COMMIT");
      store.write(c -> c.createStatement().executeUpdate("INSERT INTO t (v) VALUES ('mine')"));
      assertThat(store.<List<String>>read(c -> rows(c, "SELECT v FROM t ORDER BY rowid")))
          .containsExactly("other", "mine");
    }
  }

  @Test
  void openingWhileAnotherConnectionHoldsTheWriteLockGivesDatabaseBusyAndLeavesNoThreads()
      throws Exception {
    Path db = dir.resolve("busyopen.db");
    Store.open(db).close();
    java.util.Set<Thread> before = StoreTestSupport.liveGanderThreads();
    SqliteOptions options = SqliteOptions.builder().busyTimeout(Duration.ofMillis(200)).build();
    try (Connection other = jdbc(db)) {
      exec(other, "BEGIN IMMEDIATE");
      thrown(DatabaseBusyException.class, () -> Store.open(db, options));
      java.util.Set<Thread> after = StoreTestSupport.liveGanderThreads();
      after.removeAll(before);
      assertThat(StoreTestSupport.names(after)).as("threads left by the failed open").isEmpty();
      exec(other, "COMMIT");
    }
    try (Store store = Store.open(db, options)) {
      assertThat(store.info().schemaVersion()).isPositive();
    }
  }

  @Test
  void failedOpensLeaveNoThreads() throws Exception {
    java.util.Set<Thread> before = StoreTestSupport.liveGanderThreads();
    Path text = dir.resolve("text.db");
    Files.writeString(text, "hello, this is not a database\n".repeat(50), StandardCharsets.UTF_8);
    thrown(NotAGanderDatabaseException.class, () -> Store.open(text));
    thrown(NotAGanderDatabaseException.class, () -> Store.openReadOnly(dir.resolve("missing.db")));
    java.util.Set<Thread> after = StoreTestSupport.liveGanderThreads();
    after.removeAll(before);
    assertThat(StoreTestSupport.names(after)).isEmpty();
  }
}
