package dev.gander.store;

import static dev.gander.store.StoreTestSupport.count;
import static dev.gander.store.StoreTestSupport.exec;
import static dev.gander.store.StoreTestSupport.jdbc;
import static dev.gander.store.StoreTestSupport.rows;
import static dev.gander.store.StoreTestSupport.thrown;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.NotAGanderDatabaseException;
import dev.gander.ReadOnlyDatabaseException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link Store#openReadOnly}: reads work, every write is refused. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReadOnlyStoreTest {
  @TempDir Path dir;

  private static void insert(Store store, String v) {
    store.write(c -> c.createStatement().executeUpdate("INSERT INTO t (v) VALUES ('" + v + "')"));
  }

  @Test
  void everyWriteMethodIsRefusedAndReadsSeeTheWritersCommits() throws Exception {
    Path db = dir.resolve("shared.db");
    try (Store writer = Store.open(db)) {
      writer.write(c -> c.createStatement().executeUpdate("CREATE TABLE t (v TEXT)"));
      insert(writer, "a");
      try (Store ro = Store.openReadOnly(db)) {
        assertThat(ro.<List<String>>read(c -> rows(c, "SELECT v FROM t"))).containsExactly("a");

        thrown(
            ReadOnlyDatabaseException.class,
            () ->
                ro.write(
                    c -> c.createStatement().executeUpdate("INSERT INTO t (v) VALUES ('ro')")));
        thrown(
            ReadOnlyDatabaseException.class,
            () ->
                ro.writeFlow(
                    c ->
                        TxOutcome.commit(
                            c.createStatement().executeUpdate("INSERT INTO t (v) VALUES ('ro')"))));
        thrown(
            ReadOnlyDatabaseException.class,
            () -> ro.inTransaction(tx -> exec(tx.connection(), "INSERT INTO t (v) VALUES ('ro')")));
        thrown(
            ReadOnlyDatabaseException.class,
            () ->
                ro.transactionResult(
                    tx ->
                        tx.connection()
                            .createStatement()
                            .executeUpdate("INSERT INTO t (v) VALUES ('ro')")));
        Throwable async =
            thrown(
                RuntimeException.class,
                () ->
                    ro.writeAsync(
                            c ->
                                c.createStatement()
                                    .executeUpdate("INSERT INTO t (v) VALUES ('ro')"))
                        .join());
        if (async instanceof CompletionException) {
          async = async.getCause();
        }
        assertThat(async).isInstanceOf(ReadOnlyDatabaseException.class);
        // Reads cannot write either.
        thrown(
            ReadOnlyDatabaseException.class,
            () ->
                ro.read(c -> c.createStatement().executeUpdate("INSERT INTO t (v) VALUES ('ro')")));

        // Commits of the other store are seen by later reads, sync and async.
        insert(writer, "b");
        assertThat(ro.<List<String>>read(c -> rows(c, "SELECT v FROM t ORDER BY rowid")))
            .containsExactly("a", "b");
        assertThat(
                ro.readAsync(c -> rows(c, "SELECT v FROM t ORDER BY rowid"))
                    .get(30, TimeUnit.SECONDS))
            .containsExactly("a", "b");

        StoreInfo info = ro.info();
        assertThat(info.readOnly()).isTrue();
        assertThat(info.sqlite().orElseThrow().journalMode()).isEqualTo("wal");
        assertThat(info.schemaVersion()).isEqualTo(writer.info().schemaVersion());
      }
      assertThat(count(writer, "t")).isEqualTo(2);
    }
    try (Connection c = jdbc(db)) {
      assertThat(rows(c, "SELECT v FROM t ORDER BY rowid")).containsExactly("a", "b");
    }
  }

  @Test
  void aClosedDatabaseCanBeOpenedReadOnly() throws Exception {
    Path db = dir.resolve("closed.db");
    try (Store store = Store.open(db)) {
      store.write(c -> c.createStatement().executeUpdate("CREATE TABLE t (v TEXT)"));
      insert(store, "kept");
    }
    try (Store ro = Store.openReadOnly(db)) {
      assertThat(ro.<List<String>>read(c -> rows(c, "SELECT v FROM t"))).containsExactly("kept");
      assertThat(ro.isClosed()).isFalse();
    }
  }

  @Test
  void aMissingFileIsNotAGanderDatabaseAndIsNotCreated() {
    Path db = dir.resolve("missing.db");
    thrown(NotAGanderDatabaseException.class, () -> Store.openReadOnly(db));
    assertThat(Files.exists(db)).isFalse();
  }

  @Test
  void aSqliteFileWithoutTheGanderSchemaIsNotAGanderDatabase() throws Exception {
    Path db = dir.resolve("plain.db");
    try (Connection c = jdbc(db)) {
      exec(c, "CREATE TABLE orders (id INTEGER PRIMARY KEY)");
    }
    thrown(NotAGanderDatabaseException.class, () -> Store.openReadOnly(db));
    try (Connection c = jdbc(db)) {
      assertThat(rows(c, "SELECT name FROM sqlite_master WHERE type = 'table'"))
          .containsExactly("orders");
    }
  }

  @Test
  void writeAsyncOnAReadOnlyStoreNeverRuns() throws Exception {
    Path db = dir.resolve("never.db");
    try (Store store = Store.open(db)) {
      store.write(c -> c.createStatement().executeUpdate("CREATE TABLE t (v TEXT)"));
    }
    try (Store ro = Store.openReadOnly(db)) {
      boolean[] ran = {false};
      try {
        CompletableFuture<Object> f =
            ro.writeAsync(
                c -> {
                  ran[0] = true;
                  return null;
                });
        thrown(Exception.class, () -> f.get(30, TimeUnit.SECONDS));
      } catch (ReadOnlyDatabaseException expected) {
        // Thrown at once: fine.
      }
      assertThat(ran[0]).isFalse();
      assertThat(count(ro, "t")).isZero();
    }
  }
}
