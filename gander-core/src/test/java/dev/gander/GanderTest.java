package dev.gander;

import static dev.gander.store.StoreTestSupport.exec;
import static dev.gander.store.StoreTestSupport.jdbc;
import static dev.gander.store.StoreTestSupport.liveGanderThreads;
import static dev.gander.store.StoreTestSupport.names;
import static dev.gander.store.StoreTestSupport.queryLong;
import static dev.gander.store.StoreTestSupport.rows;
import static dev.gander.store.StoreTestSupport.thrown;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.sqlite.SqliteInfo;
import dev.gander.sqlite.SqliteOptions;
import dev.gander.sqlite.Synchronous;
import dev.gander.store.StoreInfo;
import dev.gander.store.StoreOptions;
import dev.gander.store.StoreTestSupport;
import dev.gander.store.StoreTestSupport.Boom;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/** Opening a database through {@link Gander}, and its transaction shortcuts. */
class GanderTest {
  @TempDir Path dir;

  @Test
  void openCreatesTheFileWithTheSchemaAndDefaults() throws Exception {
    Path db = dir.resolve("app.db");
    try (Gander gander = Gander.open(db)) {
      assertThat(Files.exists(db)).isTrue();
      assertThat(gander.store().info().schemaVersion()).isPositive();
      assertThat(gander.store().info().sqlite().orElseThrow().journalMode()).isEqualTo("wal");
      Map<String, String> p = gander.store().write(StoreTestSupport::pragmas);
      assertThat(p)
          .containsEntry("journal_mode", "wal")
          .containsEntry("busy_timeout", "15000")
          .containsEntry("synchronous", "1")
          .containsEntry("foreign_keys", "1");
    }
    try (Connection c = jdbc(db)) {
      assertThat(queryLong(c, "SELECT count(*) FROM gander_meta WHERE key = 'schema_version'"))
          .isEqualTo(1);
    }
  }

  @Test
  void builderAppliesSqliteOptions() {
    SqliteOptions options =
        SqliteOptions.builder()
            .busyTimeout(Duration.ofMillis(2500))
            .synchronous(Synchronous.FULL)
            .pageSize(8192)
            .build();
    try (Gander gander = Gander.builder().path(dir.resolve("opts.db")).sqlite(options).open()) {
      assertThat(gander.store().write(StoreTestSupport::pragmas))
          .containsEntry("busy_timeout", "2500")
          .containsEntry("synchronous", "2");
      assertThat(gander.store().read(StoreTestSupport::pragmas))
          .containsEntry("busy_timeout", "2500");
      SqliteInfo info = gander.store().info().sqlite().orElseThrow();
      assertThat(info.synchronous()).isEqualTo(Synchronous.FULL);
      assertThat(info.pageSize()).isEqualTo(8192);
    }
  }

  @Test
  void builderTakesStoreOptionsBesideSqliteOptions() {
    try (Gander gander =
        Gander.builder()
            .path(dir.resolve("so.db"))
            .storeOptions(StoreOptions.builder().closeTimeout(Duration.ofSeconds(3)).build())
            .sqlite(SqliteOptions.builder().busyTimeout(Duration.ofMillis(777)).build())
            .open()) {
      assertThat(gander.store().write(StoreTestSupport::pragmas))
          .containsEntry("busy_timeout", "777");
      StoreInfo info = gander.store().info();
      assertThat(info.backend()).isEqualTo("sqlite").isEqualTo(StoreInfo.SQLITE);
      assertThat(info.location()).isEqualTo(dir.resolve("so.db").toString());
    }
  }

  @Test
  void sqliteOptionsAreRefusedWithPostgresAndSayWhatToDo() {
    IllegalStateException withUrl =
        thrown(
            IllegalStateException.class,
            () ->
                Gander.builder()
                    .postgres("jdbc:postgresql://127.0.0.1:5432/app")
                    .sqlite(SqliteOptions.defaults())
                    .open());
    assertThat(withUrl.getMessage())
        .contains("sqlite(...)")
        .contains("SQLite file only")
        .contains("Remove sqlite(...)");
    IllegalStateException withDataSource =
        thrown(
            IllegalStateException.class,
            () ->
                Gander.builder()
                    .sqlite(SqliteOptions.defaults())
                    .postgres(new SQLiteDataSource())
                    .open());
    assertThat(withDataSource.getMessage()).contains("Remove sqlite(...)");
  }

  @Test
  void aPathIsRefusedWithPostgres() {
    IllegalStateException e =
        thrown(
            IllegalStateException.class,
            () ->
                Gander.builder()
                    .path(dir.resolve("both.db"))
                    .postgres("jdbc:postgresql://127.0.0.1:5432/app")
                    .open());
    assertThat(e.getMessage()).contains("path(...)").contains("postgres(...)").contains("Remove");
    assertThat(dir.resolve("both.db")).doesNotExist();
  }

  @Test
  void poolSizeIsRefusedWithADataSourceAndOnSqlite() {
    IllegalStateException withDataSource =
        thrown(
            IllegalStateException.class,
            () -> Gander.builder().postgres(new SQLiteDataSource()).poolSize(5).open());
    assertThat(withDataSource.getMessage())
        .contains("your DataSource has its own pool; size it there");
    IllegalStateException onSqlite =
        thrown(
            IllegalStateException.class,
            () -> Gander.builder().path(dir.resolve("pool.db")).poolSize(5).open());
    assertThat(onSqlite.getMessage()).contains("SqliteOptions").contains("readPoolSize");
    assertThat(dir.resolve("pool.db")).doesNotExist();
  }

  @Test
  void poolSizeOutOfRangeIsRefusedAtOnce() {
    for (int size : new int[] {0, -1, 1001, Integer.MAX_VALUE}) {
      IllegalArgumentException e =
          thrown(IllegalArgumentException.class, () -> Gander.builder().poolSize(size));
      assertThat(e.getMessage())
          .contains("poolSize must be between 1 and 1000")
          .contains("" + size);
    }
    Gander.builder().poolSize(1).poolSize(1000);
  }

  @Test
  void builderWithoutAPathIsRefused() {
    thrown(IllegalStateException.class, () -> Gander.builder().open());
  }

  @Test
  void inTransactionCommitsOnReturnAndRollsBackOnThrow() throws Exception {
    Path db = dir.resolve("tx.db");
    try (Gander gander = Gander.open(db)) {
      gander
          .store()
          .write(
              c ->
                  c.createStatement()
                      .executeUpdate(
                          "CREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER)"));
      gander.inTransaction(
          tx -> exec(tx.connection(), "INSERT INTO orders (id, total) VALUES (1, 10)"));
      Boom boom = new Boom("rollback");
      assertThat(
              thrown(
                  Boom.class,
                  () ->
                      gander.inTransaction(
                          tx -> {
                            exec(tx.connection(), "INSERT INTO orders (id, total) VALUES (2, 20)");
                            throw boom;
                          })))
          .isSameAs(boom);
      long total =
          gander.transactionResult(
              tx -> {
                exec(tx.connection(), "INSERT INTO orders (id, total) VALUES (3, 30)");
                return queryLong(tx.connection(), "SELECT sum(total) FROM orders");
              });
      assertThat(total).isEqualTo(40);
    }
    try (Connection c = jdbc(db)) {
      assertThat(rows(c, "SELECT id FROM orders ORDER BY id")).containsExactly("1", "3");
    }
  }

  @Test
  void closeClosesTheStoreAndItsThreads() {
    Set<Thread> before = liveGanderThreads();
    Gander gander = Gander.open(dir.resolve("close.db"));
    gander.store().write(c -> c.createStatement().executeUpdate("CREATE TABLE t (v)"));
    gander.store().readAsync(c -> queryLong(c, "SELECT count(*) FROM t")).join();
    gander.close();
    gander.close();
    assertThat(gander.store().isClosed()).isTrue();
    thrown(
        GanderClosedException.class,
        () -> gander.inTransaction(tx -> exec(tx.connection(), "INSERT INTO t VALUES (1)")));
    thrown(
        GanderClosedException.class,
        () -> gander.store().<Long>read(c -> queryLong(c, "SELECT 1")));
    Set<Thread> after = liveGanderThreads();
    after.removeAll(before);
    assertThat(names(after)).isEmpty();
  }

  @Test
  void openRefusesAFileThatIsNotADatabase() throws Exception {
    Path db = dir.resolve("notes.db");
    Files.writeString(db, "hello, this is not a database\n".repeat(50), StandardCharsets.UTF_8);
    thrown(NotAGanderDatabaseException.class, () -> Gander.open(db));
  }
}
