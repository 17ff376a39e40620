package dev.gander.store;

import static dev.gander.store.StoreTestSupport.count;
import static dev.gander.store.StoreTestSupport.exec;
import static dev.gander.store.StoreTestSupport.rows;
import static dev.gander.store.StoreTestSupport.thrown;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.ReadOnlyDatabaseException;
import dev.gander.store.StoreTestSupport.ReadOnlyPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Databases in a directory this process cannot write. SQLite reads a WAL database there only
 * through -wal and -shm files that already exist, or as an immutable file when the WAL holds
 * nothing; Store.openReadOnly uses whichever applies, and every error advises only what works.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReadOnlyDirectoryTest {
  @TempDir Path dir;

  private static Path sibling(Path db, String suffix) {
    return Path.of(db + suffix);
  }

  private static String sha256(Path p) throws IOException {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void insert(Store store, String v) {
    store.write(c -> c.createStatement().executeUpdate("INSERT INTO t (v) VALUES ('" + v + "')"));
  }

  private static List<String> values(Store store) {
    return store.read(c -> rows(c, "SELECT v FROM t ORDER BY rowid"));
  }

  private static Path cleanlyClosedDatabase(Path db) {
    try (Store store = Store.open(db)) {
      store.write(c -> c.createStatement().executeUpdate("CREATE TABLE t (v TEXT)"));
      insert(store, "a");
      insert(store, "b");
    }
    return db;
  }

  @Test
  void aCleanlyClosedDatabaseInAReadOnlyDirectoryOpensReadOnly() throws Exception {
    Path ro = Files.createDirectory(dir.resolve("ro"));
    Path db = cleanlyClosedDatabase(ro.resolve("app.db"));
    assertThat(sibling(db, "-wal")).as("close() removed the WAL").doesNotExist();
    assertThat(sibling(db, "-shm")).as("close() removed the shared-memory file").doesNotExist();
    String hash = sha256(db);
    try (ReadOnlyPaths paths = new ReadOnlyPaths()) {
      paths.makeReadOnly(db);
      paths.makeReadOnly(ro);

      ReadOnlyDatabaseException refused =
          thrown(ReadOnlyDatabaseException.class, () -> Store.open(db));
      assertThat(refused.getMessage()).contains(ro.toString()).contains("Store.openReadOnly");

      try (Store store = Store.openReadOnly(db)) {
        assertThat(values(store)).containsExactly("a", "b");
        assertThat(
                store
                    .readAsync(c -> rows(c, "SELECT v FROM t ORDER BY rowid"))
                    .get(30, TimeUnit.SECONDS))
            .containsExactly("a", "b");
        StoreInfo info = store.info();
        assertThat(info.readOnly()).isTrue();
        assertThat(info.sqlite().orElseThrow().journalMode()).isEqualTo("wal");
        assertThat(info.schemaVersion()).isPositive();
        thrown(ReadOnlyDatabaseException.class, () -> insert(store, "c"));
        thrown(
            ReadOnlyDatabaseException.class,
            () ->
                store.read(
                    c -> c.createStatement().executeUpdate("INSERT INTO t (v) VALUES ('c')")));
      }
    }
    assertThat(sha256(db)).isEqualTo(hash);
    assertThat(sibling(db, "-wal")).doesNotExist();
    assertThat(sibling(db, "-shm")).doesNotExist();
  }

  @Test
  void aDatabaseWithItsWalAndShmFilesInAReadOnlyDirectoryOpensReadOnlyAndSeesNewCommits()
      throws Exception {
    Path ro = Files.createDirectory(dir.resolve("ro"));
    Path db = ro.resolve("live.db");
    try (Store writer = Store.open(db)) {
      writer.write(c -> c.createStatement().executeUpdate("CREATE TABLE t (v TEXT)"));
      insert(writer, "a");
      assertThat(sibling(db, "-wal")).exists();
      assertThat(sibling(db, "-shm")).exists();
      try (ReadOnlyPaths paths = new ReadOnlyPaths()) {
        // The writer keeps its files open; only the directory becomes read-only.
        paths.makeReadOnly(ro);

        ReadOnlyDatabaseException refused =
            thrown(ReadOnlyDatabaseException.class, () -> Store.open(db));
        assertThat(refused.getMessage()).contains("Store.openReadOnly");
        try (Store reader = Store.openReadOnly(db)) {
          assertThat(values(reader)).containsExactly("a");
          // Read through the WAL, not as a frozen file: later commits are seen.
          insert(writer, "b");
          assertThat(values(reader)).containsExactly("a", "b");
          assertThat(reader.info().sqlite().orElseThrow().journalMode()).isEqualTo("wal");
        }
      }
    }
    try (Store reopened = Store.openReadOnly(db)) {
      assertThat(values(reopened)).containsExactly("a", "b");
    }
  }

  @Test
  void aWalWithCommitsButNoShmFileInAReadOnlyDirectoryIsRefusedWithTheReason() throws Exception {
    Path src = Files.createDirectory(dir.resolve("src"));
    Path copy = Files.createDirectory(dir.resolve("copy"));
    Path db = copy.resolve("app.db");
    try (Store store = Store.open(src.resolve("app.db"))) {
      store.write(
          c -> {
            exec(c, "PRAGMA wal_autocheckpoint = 0"); // keep every commit in the WAL
            exec(c, "CREATE TABLE t (v TEXT)");
            return null;
          });
      insert(store, "a");
      insert(store, "b");
      // A copy of the database and its WAL without the -shm file, as a backup might take it.
      Files.copy(src.resolve("app.db"), db);
      Files.copy(src.resolve("app.db-wal"), sibling(db, "-wal"));
    }
    assertThat(Files.size(sibling(db, "-wal"))).isPositive();
    String dbHash = sha256(db);
    String walHash = sha256(sibling(db, "-wal"));
    try (ReadOnlyPaths paths = new ReadOnlyPaths()) {
      paths.makeReadOnly(copy);

      ReadOnlyDatabaseException e =
          thrown(ReadOnlyDatabaseException.class, () -> Store.openReadOnly(db));
      assertThat(e.getMessage())
          .contains(copy.toString())
          .contains("-wal")
          .contains("-shm")
          .contains("writable");
      ReadOnlyDatabaseException refused =
          thrown(ReadOnlyDatabaseException.class, () -> Store.open(db));
      assertThat(refused.getMessage()).contains("-shm").doesNotContain("Store.openReadOnly");
      assertThat(sibling(db, "-shm")).doesNotExist();
    }
    assertThat(sha256(db)).isEqualTo(dbHash);
    assertThat(sha256(sibling(db, "-wal"))).isEqualTo(walHash);
    // What the message advises works: with the directory writable again, every commit is there.
    try (Store store = Store.openReadOnly(db)) {
      assertThat(values(store)).containsExactly("a", "b");
    }
  }

  @Test
  void aNewFileInAReadOnlyDirectoryIsRefusedWithoutAdvisingReadOnly() throws Exception {
    Path ro = Files.createDirectory(dir.resolve("ro"));
    Path db = ro.resolve("new.db");
    try (ReadOnlyPaths paths = new ReadOnlyPaths()) {
      paths.makeReadOnly(ro);
      ReadOnlyDatabaseException e = thrown(ReadOnlyDatabaseException.class, () -> Store.open(db));
      assertThat(e.getMessage()).contains("writable").doesNotContain("openReadOnly");
    }
    assertThat(db).doesNotExist();
  }

  @Test
  void aReadOnlyFileInAWritableDirectoryOpensReadOnlyAsAdvised() throws Exception {
    Path db = cleanlyClosedDatabase(dir.resolve("file.db"));
    try (ReadOnlyPaths paths = new ReadOnlyPaths()) {
      paths.makeReadOnly(db);
      ReadOnlyDatabaseException e = thrown(ReadOnlyDatabaseException.class, () -> Store.open(db));
      assertThat(e.getMessage()).contains("Store.openReadOnly");
      try (Store store = Store.openReadOnly(db)) {
        assertThat(values(store)).containsExactly("a", "b");
        assertThat(count(store, "t")).isEqualTo(2);
      }
    }
  }
}
