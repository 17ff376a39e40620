package dev.gander.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.DatabaseBusyException;
import dev.gander.Gander;
import dev.gander.GanderException;
import dev.gander.ReadOnlyDatabaseException;
import dev.gander.internal.postgres.PgSchema;
import dev.gander.internal.postgres.PgTestServer;
import dev.gander.internal.postgres.RequiresPostgres;
import dev.gander.store.Store;
import dev.gander.store.StoreInfo;
import dev.gander.store.TxOutcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code gander.store()} on PostgreSQL: the application's SQL in Gander's transactions, with the
 * rules of {@link Store} (one transaction per call, functions run once, reads in a read-only
 * snapshot, async work on the store's own threads), {@code path()} refused clearly, and {@code
 * info()} describing the server and schema.
 */
@RequiresPostgres
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PostgresStoreTest {
  private static final PgSchema SCHEMA = PgTestServer.freshSchema(PostgresStoreTest.class);
  private static final String T = SCHEMA.quoted() + ".app_rows";
  private static Gander gander;
  private static Store store;
  private ExecutorService pool;

  @BeforeAll
  static void open() {
    PgTestServer.require();
    gander = PgTestServer.gander(SCHEMA);
    store = gander.store();
  }

  @AfterAll
  static void close() throws Exception {
    if (gander != null) {
      gander.close();
    }
    PgTestServer.dropSchema(SCHEMA);
  }

  @BeforeEach
  void table() {
    pool = Executors.newCachedThreadPool();
    store.write(
        c -> {
          try (Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + T);
            st.execute("CREATE TABLE " + T + " (id bigint PRIMARY KEY, v text)");
            st.execute("INSERT INTO " + T + " VALUES (1, 'a'), (2, 'b')");
          }
          return null;
        });
  }

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  private static int insert(Connection c, long id, String v) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + T + " VALUES (?, ?)")) {
      ps.setLong(1, id);
      ps.setString(2, v);
      return ps.executeUpdate();
    }
  }

  private static long count(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM " + T)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long count() {
    return store.read(PostgresStoreTest::count);
  }

  @Test
  void writeCommitsAndReturnsTheValueAndAFunctionThatThrowsLeavesNothing() {
    int inserted = store.write(c -> insert(c, 3, "c"));
    assertThat(inserted).isEqualTo(1);
    assertThat(count()).isEqualTo(3);
    assertThatThrownBy(
            () ->
                store.write(
                    c -> {
                      insert(c, 4, "d");
                      throw new IllegalStateException("no");
                    }))
        .hasMessage("no");
    assertThatThrownBy(() -> store.write(c -> insert(c, 1, "duplicate")))
        .isInstanceOf(GanderException.class)
        .satisfies(e -> assertThat(((GanderException) e).sqlState()).contains("23505"))
        .satisfies(
            e ->
                assertThat(((GanderException) e).vendorCode())
                    .as("pgjdbc reports no vendor code: the SQL state is the server's code")
                    .isEmpty());
    assertThat(count()).isEqualTo(3);
  }

  @Test
  void theFunctionCannotEndTheTransactionItself() {
    assertThatThrownBy(
            () ->
                store.write(
                    c -> {
                      insert(c, 5, "e");
                      c.commit();
                      return null;
                    }))
        .isInstanceOf(GanderException.class)
        .hasMessageContaining("commit() is not allowed");
    assertThat(count()).isEqualTo(2);
  }

  @Test
  void writeFlowCommitsOrRollsBackAndReturnsAValueEitherWay() {
    String kept = store.writeFlow(c -> TxOutcome.commit(insert(c, 6, "f") + " kept"));
    assertThat(kept).isEqualTo("1 kept");
    long seen =
        store.writeFlow(
            c -> {
              insert(c, 7, "g");
              return TxOutcome.rollback(count(c));
            });
    assertThat(seen).isEqualTo(4); // the function saw its own row
    assertThat(count()).isEqualTo(3);
  }

  @Test
  void aReadSeesOneSnapshotAndCannotWrite() throws Exception {
    CountDownLatch looked = new CountDownLatch(1);
    CountDownLatch written = new CountDownLatch(1);
    Future<long[]> counts =
        pool.submit(
            () ->
                store.read(
                    c -> {
                      long first = count(c);
                      looked.countDown();
                      try {
                        assertThat(written.await(30, TimeUnit.SECONDS)).isTrue();
                      } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                      }
                      return new long[] {first, count(c)};
                    }));
    assertThat(looked.await(30, TimeUnit.SECONDS)).isTrue();
    store.write(c -> insert(c, 8, "h"));
    written.countDown();
    assertThat(counts.get(30, TimeUnit.SECONDS)).containsExactly(2, 2);
    assertThat(count()).isEqualTo(3);

    assertThatThrownBy(() -> store.read(c -> insert(c, 9, "i")))
        .isInstanceOf(ReadOnlyDatabaseException.class)
        .hasMessageContaining("use write(");
  }

  /**
   * Two writes that deadlock: the server aborts one. Gander reports it and does not run the
   * function again, since an application's function may have done more than write (unlike Gander's
   * own writes, which it reruns).
   */
  @Test
  void aWriteTheServerAbortsIsReportedNotRunAgain() throws Exception {
    CountDownLatch bothLocked = new CountDownLatch(2);
    AtomicInteger runs = new AtomicInteger();
    List<Future<Object>> writes = new ArrayList<>();
    for (long[] order : new long[][] {{1, 2}, {2, 1}}) {
      writes.add(
          pool.submit(
              () ->
                  store.write(
                      c -> {
                        runs.incrementAndGet();
                        update(c, order[0]);
                        bothLocked.countDown();
                        try {
                          assertThat(bothLocked.await(30, TimeUnit.SECONDS)).isTrue();
                        } catch (InterruptedException e) {
                          throw new IllegalStateException(e);
                        }
                        update(c, order[1]);
                        return null;
                      })));
    }
    List<Throwable> failures = new ArrayList<>();
    for (Future<Object> w : writes) {
      try {
        w.get(60, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        failures.add(e.getCause());
      }
    }
    assertThat(failures).hasSize(1);
    assertThat(failures.get(0))
        .isInstanceOf(DatabaseBusyException.class)
        .satisfies(e -> assertThat(((GanderException) e).sqlState()).contains("40P01"));
    assertThat(runs).hasValue(2);
  }

  private static void update(Connection c, long id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE " + T + " SET v = v || '!' WHERE id = ?")) {
      ps.setLong(1, id);
      ps.executeUpdate();
    }
  }

  @Test
  void asyncWorkRunsOnTheStoresThreadsWhereADependentStageMayUseTheStoreAgain() throws Exception {
    CompletableFuture<String> written =
        store.writeAsync(c -> insert(c, 10, "j") + " on " + Thread.currentThread().getName());
    assertThat(written.get(30, TimeUnit.SECONDS))
        .startsWith("1 on gander-async-" + SCHEMA.name() + "-");
    // A stage that runs on the completing thread holds no connection of Gander's: it may write.
    CompletableFuture<Long> chained =
        store
            .readAsync(PostgresStoreTest::count)
            .thenApply(n -> store.write(c -> insert(c, 100 + n, "chained")))
            .thenCompose(ignored -> store.readAsync(PostgresStoreTest::count));
    assertThat(chained.get(30, TimeUnit.SECONDS)).isEqualTo(4);

    CompletableFuture<Object> failed =
        store.writeAsync(
            c -> {
              throw new IllegalStateException("async failure");
            });
    assertThatThrownBy(() -> failed.get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void thereIsNoFile() {
    assertThatThrownBy(store::path)
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("no database file");
    assertThat(store.isClosed()).isFalse();
  }

  @Test
  void infoDescribesTheServerAndSchemaAndCountsOnlyGandersTables() throws Exception {
    StoreInfo info = store.info();
    assertThat(info.backend()).isEqualTo("postgresql").isEqualTo(StoreInfo.POSTGRESQL);
    assertThat(info.location())
        .isEqualTo(PgTestServer.where() + " (schema " + SCHEMA.name() + ")")
        .startsWith("jdbc:postgresql://")
        .doesNotContain("?")
        .doesNotContain("user=")
        .doesNotContain("password");
    assertThat(info.readOnly()).isFalse();
    assertThat(info.sqlite()).isEmpty();
    String recorded =
        store.read(
            c -> {
              try (Statement st = c.createStatement();
                  ResultSet rs =
                      st.executeQuery(
                          "SELECT value FROM "
                              + SCHEMA.quoted()
                              + ".gander_meta WHERE key = 'schema_version'")) {
                rs.next();
                return rs.getString(1);
              }
            });
    assertThat(info.schemaVersion()).isPositive().isEqualTo(Integer.parseInt(recorded));
    assertThat(info.sizeOnDisk()).isPositive().isEqualTo(gandersTables());

    // The application's own table in the same schema is not Gander's: not counted.
    store.write(
        c -> {
          try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + T + " VALUES (?, ?)")) {
            for (int i = 10; i < 2010; i++) {
              ps.setLong(1, i);
              ps.setString(2, "x".repeat(200));
              ps.addBatch();
            }
            ps.executeBatch();
          }
          return null;
        });
    long appTable =
        store.read(
            c -> {
              try (Statement st = c.createStatement();
                  ResultSet rs =
                      st.executeQuery("SELECT pg_total_relation_size('" + T + "'::regclass)")) {
                rs.next();
                return rs.getLong(1);
              }
            });
    assertThat(appTable).isGreaterThan(256 * 1024);
    assertThat(store.info().sizeOnDisk()).isEqualTo(gandersTables()).isLessThan(appTable);

    // Jobs are: enqueueing grows the size reported.
    long before = store.info().sizeOnDisk();
    List<String> payloads = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      payloads.add("payload " + i + " " + "y".repeat(500));
    }
    gander.queue("info-size").enqueueAll(payloads);
    assertThat(store.info().sizeOnDisk()).isGreaterThan(before).isEqualTo(gandersTables());
  }

  /** The size of Gander's eleven tables, summed by name, independently of {@code info()}. */
  private static long gandersTables() {
    return store.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT sum(pg_total_relation_size(format('%I.%I', ?, t)::regclass))::bigint"
                      + " FROM unnest(ARRAY['gander_meta', 'gander_migrations', 'gander_jobs',"
                      + " 'gander_dead_jobs', 'gander_results', 'gander_streams', 'gander_events',"
                      + " 'gander_stream_consumers', 'gander_locks', 'gander_rate_limits', 'gander_schedules']) AS t")) {
            ps.setString(1, SCHEMA.name());
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return rs.getLong(1);
            }
          }
        });
  }
}
