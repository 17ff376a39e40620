package dev.gander.store;

import static dev.gander.store.StoreTestSupport.count;
import static dev.gander.store.StoreTestSupport.countJdbc;
import static dev.gander.store.StoreTestSupport.exec;
import static dev.gander.store.StoreTestSupport.queryLong;
import static dev.gander.store.StoreTestSupport.rows;
import static dev.gander.store.StoreTestSupport.thrown;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.GanderException;
import dev.gander.ReadOnlyDatabaseException;
import dev.gander.store.StoreTestSupport.Boom;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** write, writeFlow, read, inTransaction and their nesting, on one thread. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TransactionTest {
  @TempDir Path dir;
  private Path db;
  private Store store;

  @BeforeEach
  void open() {
    db = dir.resolve("tx.db");
    store = Store.open(db);
    store.write(
        c -> {
          exec(c, "CREATE TABLE t (v TEXT NOT NULL)");
          exec(c, "CREATE TABLE uniq (k TEXT PRIMARY KEY)");
          exec(c, "INSERT INTO uniq (k) VALUES ('taken')");
          return null;
        });
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static int insert(Connection c, String v) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
      ps.setString(1, v);
      return ps.executeUpdate();
    }
  }

  private List<String> values() {
    return store.<List<String>>read(c -> rows(c, "SELECT v FROM t ORDER BY rowid"));
  }

  /** Rows of t seen by a connection outside the store: committed data only. */
  private long committedCount() throws SQLException {
    return countJdbc(db, "t");
  }

  // ------------------------------------------------------------------ write

  @Test
  void writeReturnsTheValueAfterCommit() throws Exception {
    String v = store.write(c -> insert(c, "a") == 1 ? "inserted" : "not inserted");
    assertThat(v).isEqualTo("inserted");
    assertThat(committedCount()).isEqualTo(1);
    assertThat(values()).containsExactly("a");
  }

  @Test
  void writeFunctionRunsInsideATransaction() throws Exception {
    long seenOutside =
        store.write(
            c -> {
              insert(c, "a");
              return committedCount();
            });
    assertThat(seenOutside).as("rows visible to another connection before commit").isZero();
    assertThat(committedCount()).isEqualTo(1);
  }

  /** Tries to write through a connection outside the store that does not wait for locks. */
  private Throwable writeFromOutside() {
    try (Connection other = StoreTestSupport.jdbc(db)) {
      exec(other, "PRAGMA busy_timeout = 0");
      exec(other, "INSERT INTO t (v) VALUES ('outside')");
      return null;
    } catch (SQLException e) {
      return e;
    }
  }

  @Test
  void writeHoldsTheWriteLockFromTheStartOfTheFunction() throws Exception {
    // BEGIN IMMEDIATE takes the write lock before the function runs, so a read-then-write
    // function can never fail on a snapshot that another connection's commit made stale.
    Throwable[] outside = new Throwable[2];
    store.write(
        c -> {
          outside[0] = writeFromOutside();
          return queryLong(c, "SELECT count(*) FROM t");
        });
    store.inTransaction(tx -> outside[1] = writeFromOutside());
    assertThat(outside[0]).as("outside write during write()").isInstanceOf(SQLException.class);
    assertThat(((SQLException) outside[0]).getErrorCode() & 0xff).as("SQLITE_BUSY").isEqualTo(5);
    assertThat(outside[1])
        .as("outside write during inTransaction()")
        .isInstanceOf(SQLException.class);
    // Once the store is idle the outside connection can write.
    assertThat(writeFromOutside()).isNull();
    assertThat(values()).containsExactly("outside");
  }

  @Test
  void runtimeExceptionFromWriteIsRethrownAsIsAndRolledBack() {
    Boom boom = new Boom("in write");
    Boom e =
        thrown(
            Boom.class,
            () ->
                store.write(
                    c -> {
                      insert(c, "a");
                      throw boom;
                    }));
    assertThat(e).isSameAs(boom);
    assertThat(values()).isEmpty();
    // The store goes on working.
    store.write(c -> insert(c, "b"));
    assertThat(values()).containsExactly("b");
  }

  @Test
  void sqlExceptionFromWriteIsWrappedWithItsResultCodeAndRolledBack() {
    AtomicReference<SQLException> raised = new AtomicReference<>();
    GanderException e =
        thrown(
            GanderException.class,
            () ->
                store.write(
                    c -> {
                      insert(c, "a");
                      try {
                        return c.createStatement()
                            .executeUpdate("INSERT INTO uniq (k) VALUES ('taken')");
                      } catch (SQLException x) {
                        raised.set(x);
                        throw x;
                      }
                    }));
    assertThat((Throwable) raised.get()).isNotNull();
    assertThat(e.getCause()).isSameAs(raised.get());
    assertThat(e.vendorCode()).as("SQLITE_CONSTRAINT").hasValue(19);
    assertThat(values()).isEmpty();
    assertThat(store.<List<String>>read(c -> rows(c, "SELECT k FROM uniq")))
        .containsExactly("taken");
  }

  @Test
  void sqlSyntaxErrorIsAGanderExceptionWithTheCause() {
    GanderException e =
        thrown(
            GanderException.class,
            () -> store.write(c -> c.createStatement().execute("INSERT INTO nowhere VALUES (1)")));
    assertThat(e.getCause()).isInstanceOf(SQLException.class);
    assertThat(e.vendorCode()).isPresent();
  }

  // -------------------------------------------------------------- writeFlow

  @Test
  void writeFlowRollbackReturnsTheValueAndKeepsNothing() throws Exception {
    String v =
        store.writeFlow(
            c -> {
              insert(c, "a");
              return TxOutcome.rollback("rolled back");
            });
    assertThat(v).isEqualTo("rolled back");
    assertThat(values()).isEmpty();
    assertThat(committedCount()).isZero();
  }

  @Test
  void writeFlowCommitKeepsTheWrites() throws Exception {
    Integer v =
        store.writeFlow(
            c -> {
              insert(c, "a");
              insert(c, "b");
              return TxOutcome.commit(2);
            });
    assertThat(v).isEqualTo(2);
    assertThat(values()).containsExactly("a", "b");
    assertThat(committedCount()).isEqualTo(2);
  }

  // ---------------------------------------------------------- inTransaction

  @Test
  void inTransactionCommitsWhenTheWorkReturns() throws Exception {
    List<Long> seenOutside = new ArrayList<>();
    store.inTransaction(
        tx -> {
          insert(tx.connection(), "a");
          seenOutside.add(committedCount());
        });
    assertThat(seenOutside).as("inside the transaction, nothing committed yet").containsExactly(0L);
    assertThat(values()).containsExactly("a");
    assertThat(committedCount()).isEqualTo(1);
  }

  @Test
  void inTransactionThrowingDropsTheBusinessRow() {
    Boom boom = new Boom("business failure");
    assertThat(
            thrown(
                Boom.class,
                () ->
                    store.inTransaction(
                        tx -> {
                          insert(tx.connection(), "a");
                          throw boom;
                        })))
        .isSameAs(boom);
    assertThat(values()).isEmpty();
  }

  @Test
  void transactionResultReturnsTheValueAfterCommitAndRollsBackOnThrow() throws Exception {
    String v =
        store.transactionResult(
            tx -> {
              insert(tx.connection(), "a");
              return "done";
            });
    assertThat(v).isEqualTo("done");
    assertThat(committedCount()).isEqualTo(1);

    Boom boom = new Boom("after insert");
    assertThat(
            thrown(
                Boom.class,
                () ->
                    store.transactionResult(
                        tx -> {
                          insert(tx.connection(), "b");
                          throw boom;
                        })))
        .isSameAs(boom);
    assertThat(values()).containsExactly("a");
  }

  @Test
  void sqlExceptionInTransactionIsWrappedAndRolledBack() {
    GanderException e =
        thrown(
            GanderException.class,
            () ->
                store.inTransaction(
                    tx -> {
                      insert(tx.connection(), "a");
                      tx.connection()
                          .createStatement()
                          .executeUpdate("INSERT INTO uniq (k) VALUES ('taken')");
                    }));
    assertThat(e.getCause()).isInstanceOf(SQLException.class);
    assertThat(StoreTestSupport.primaryCode(e)).isEqualTo(19);
    assertThat(values()).isEmpty();
  }

  @Test
  void connectionCallsThatWouldEndTheTransactionThrowSqlException() throws Exception {
    Map<String, Throwable> refused = new LinkedHashMap<>();
    store.inTransaction(
        tx -> {
          Connection c = tx.connection();
          insert(c, "before");
          refused.put("commit", catchSql(c::commit));
          refused.put("rollback", catchSql(c::rollback));
          refused.put("setAutoCommit(false)", catchSql(() -> c.setAutoCommit(false)));
          refused.put("setAutoCommit(true)", catchSql(() -> c.setAutoCommit(true)));
          refused.put("close", catchSql(c::close));
          insert(c, "after");
        });
    assertThat(refused).hasSize(5);
    refused.forEach((call, t) -> assertThat(t).as(call).isInstanceOf(SQLException.class));
    // rollback() did not roll "before" back, and the transaction ended normally.
    assertThat(values()).containsExactly("before", "after");
    assertThat(committedCount()).isEqualTo(2);
    // The writer connection is still usable.
    store.write(c -> insert(c, "later"));
    assertThat(values()).containsExactly("before", "after", "later");
  }

  @Test
  void refusedCommitDoesNotCommitWorkThatIsThenRolledBack() throws Exception {
    Boom boom = new Boom("after commit attempt");
    List<Long> seenOutside = new ArrayList<>();
    assertThat(
            thrown(
                Boom.class,
                () ->
                    store.inTransaction(
                        tx -> {
                          insert(tx.connection(), "a");
                          catchSql(tx.connection()::commit);
                          seenOutside.add(committedCount());
                          insert(tx.connection(), "b");
                          throw boom;
                        })))
        .isSameAs(boom);
    assertThat(seenOutside).containsExactly(0L);
    assertThat(values()).isEmpty();
    assertThat(committedCount()).isZero();
  }

  @Test
  void writeFunctionConnectionAlsoRefusesCommit() {
    Throwable t =
        store.write(
            c -> {
              insert(c, "a");
              return catchSql(c::commit);
            });
    assertThat(t).isInstanceOf(SQLException.class);
    assertThat(values()).containsExactly("a");
  }

  /** Runs a JDBC call expected to be refused; returns what it threw, or null. */
  private static Throwable catchSql(SqlCall call) {
    try {
      call.run();
      return null;
    } catch (Throwable t) {
      return t;
    }
  }

  @FunctionalInterface
  private interface SqlCall {
    void run() throws SQLException;
  }

  // ---------------------------------------------------------------- nesting

  @Test
  void nestedWriteJoinsTheOuterTransactionAndCommitsWithIt() throws Exception {
    List<Long> seenOutside = new ArrayList<>();
    store.inTransaction(
        tx -> {
          insert(tx.connection(), "outer");
          int n = store.write(c -> insert(c, "inner"));
          assertThat(n).isEqualTo(1);
          // The inner write returned but did not commit on its own.
          seenOutside.add(committedCount());
        });
    assertThat(seenOutside).containsExactly(0L);
    assertThat(values()).containsExactly("outer", "inner");
  }

  @Test
  void aWriteOfAnotherStoreInsideAWriteLeavesTheOuterTransactionJoinable() throws Exception {
    try (Store other = Store.open(dir.resolve("other.db"))) {
      other.write(
          c -> {
            exec(c, "CREATE TABLE t (v TEXT NOT NULL)");
            return null;
          });
      store.inTransaction(
          tx -> {
            insert(tx.connection(), "outer");
            other.write(c -> insert(c, "other"));
            // Still inside this store's transaction: this write joins it rather than waiting
            // for it (which, on this very thread, would wait for ever).
            store.write(c -> insert(c, "inner"));
          });
      assertThat(values()).containsExactly("outer", "inner");
      assertThat(other.<List<String>>read(c -> rows(c, "SELECT v FROM t")))
          .containsExactly("other");
    }
  }

  @Test
  void nestedWriteIsRolledBackWhenTheOuterWorkThrowsAfterIt() {
    Boom boom = new Boom("outer fails after inner write");
    assertThat(
            thrown(
                Boom.class,
                () ->
                    store.inTransaction(
                        tx -> {
                          insert(tx.connection(), "outer");
                          store.write(c -> insert(c, "inner"));
                          store.inTransaction(inner -> insert(inner.connection(), "inner tx"));
                          throw boom;
                        })))
        .isSameAs(boom);
    assertThat(values()).isEmpty();
  }

  @Test
  void failingNestedWriteRollsBackAloneWhenTheOuterCatchesIt() {
    Boom boom = new Boom("inner");
    List<Throwable> caught = new ArrayList<>();
    store.inTransaction(
        tx -> {
          insert(tx.connection(), "outer");
          try {
            store.write(
                c -> {
                  insert(c, "inner");
                  throw boom;
                });
          } catch (Boom e) {
            caught.add(e);
          }
          String flow =
              store.writeFlow(
                  c -> {
                    insert(c, "flow");
                    return TxOutcome.rollback("no");
                  });
          assertThat(flow).isEqualTo("no");
          insert(tx.connection(), "outer again");
        });
    assertThat(caught).containsExactly(boom);
    assertThat(values()).containsExactly("outer", "outer again");
  }

  @Test
  void readInsideAWriteSeesTheUncommittedRows() throws Exception {
    long[] seen =
        store.write(
            c -> {
              insert(c, "a");
              insert(c, "b");
              return new long[] {count(store, "t"), committedCount()};
            });
    assertThat(seen[0]).as("read inside the write").isEqualTo(2);
    assertThat(seen[1]).as("another connection").isZero();
    long inTx =
        store.transactionResult(
            tx -> {
              insert(tx.connection(), "c");
              return store.<Long>read(c -> queryLong(c, "SELECT count(*) FROM t WHERE v = 'c'"));
            });
    assertThat(inTx).isEqualTo(1);
  }

  @Test
  void asyncCallsInsideAWriteThrowIllegalStateException() throws Exception {
    AtomicReference<Throwable> writeAsync = new AtomicReference<>();
    AtomicReference<Throwable> readAsync = new AtomicReference<>();
    store.write(
        c -> {
          insert(c, "outer");
          try {
            CompletableFuture<Integer> f = store.writeAsync(inner -> insert(inner, "async"));
            writeAsync.set(new AssertionError("writeAsync returned " + f));
          } catch (RuntimeException e) {
            writeAsync.set(e);
          }
          try {
            CompletableFuture<Long> f = store.readAsync(inner -> queryLong(inner, "SELECT 1"));
            readAsync.set(new AssertionError("readAsync returned " + f));
          } catch (RuntimeException e) {
            readAsync.set(e);
          }
          return null;
        });
    assertThat(writeAsync.get()).isInstanceOf(IllegalStateException.class);
    assertThat(readAsync.get()).isInstanceOf(IllegalStateException.class);
    assertThat(values()).containsExactly("outer");

    AtomicReference<Throwable> inTx = new AtomicReference<>();
    store.inTransaction(
        tx -> {
          try {
            store.writeAsync(inner -> insert(inner, "async"));
          } catch (RuntimeException e) {
            inTx.set(e);
          }
        });
    assertThat(inTx.get()).isInstanceOf(IllegalStateException.class);
    assertThat(values()).containsExactly("outer");
  }

  // ------------------------------------------------------------------ reads

  @Test
  void readCannotWrite() {
    thrown(ReadOnlyDatabaseException.class, () -> store.read(c -> insert(c, "sneaky")));
    thrown(
        ReadOnlyDatabaseException.class,
        () -> store.read(c -> c.createStatement().executeUpdate("CREATE TABLE sneaky (x)")));
    assertThat(values()).isEmpty();
    assertThat(
            store.<Long>read(
                c -> queryLong(c, "SELECT count(*) FROM sqlite_master WHERE name = 'sneaky'")))
        .isZero();
  }

  @Test
  void readSeesOneSnapshotWhileOthersCommit() throws Exception {
    store.write(c -> insert(c, "first"));
    long[] counts =
        store.read(
            c -> {
              long before = queryLong(c, "SELECT count(*) FROM t");
              // Another thread commits while this read is open.
              try {
                CompletableFuture.runAsync(() -> store.write(w -> insert(w, "second")))
                    .get(30, TimeUnit.SECONDS);
              } catch (InterruptedException
                  | ExecutionException
                  | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException(e);
              }
              long after = queryLong(c, "SELECT count(*) FROM t");
              return new long[] {before, after};
            });
    assertThat(counts[0]).isEqualTo(1);
    assertThat(counts[1]).as("same snapshot within one read").isEqualTo(1);
    assertThat(count(store, "t")).as("the next read sees the commit").isEqualTo(2);
  }

  @Test
  void aResultSetLeftOpenByAFunctionDoesNotHideLaterCommits() throws Exception {
    store.write(c -> insert(c, "a"));
    // Both functions return without closing their statement or result set.
    boolean hadRow = store.read(c -> c.createStatement().executeQuery("SELECT v FROM t").next());
    assertThat(hadRow).isTrue();
    store.write(
        c -> c.createStatement().executeQuery("SELECT v FROM t").next() ? insert(c, "b") : 0);
    // Every pooled reader (sync and async) sees the new commit.
    List<CompletableFuture<Long>> counts = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      counts.add(store.readAsync(c -> queryLong(c, "SELECT count(*) FROM t")));
    }
    for (CompletableFuture<Long> f : counts) {
      assertThat(f.get(30, TimeUnit.SECONDS)).isEqualTo(2);
    }
    assertThat(count(store, "t")).isEqualTo(2);
    assertThat(committedCount()).isEqualTo(2);
  }

  @Test
  void readFailuresAreTranslated() {
    Boom boom = new Boom("in read");
    assertThat(
            thrown(
                Boom.class,
                () ->
                    store.read(
                        c -> {
                          throw boom;
                        })))
        .isSameAs(boom);
    GanderException e =
        thrown(
            GanderException.class,
            () -> store.<Long>read(c -> queryLong(c, "SELECT count(*) FROM nowhere")));
    assertThat(e.getCause()).isInstanceOf(SQLException.class);
    // The pool is not broken by failing reads.
    assertThat(count(store, "t")).isZero();
  }

  // ------------------------------------------------------------------ async

  @Test
  void writeAsyncCompletesAfterTheCommit() throws Exception {
    CompletableFuture<Long> seenWhenComplete =
        store
            .writeAsync(c -> insert(c, "async"))
            .thenApply(
                n -> {
                  try {
                    return committedCount();
                  } catch (SQLException e) {
                    throw new IllegalStateException(e);
                  }
                });
    assertThat(seenWhenComplete.get(30, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(store.writeAsync(c -> insert(c, "x")).get(30, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(values()).containsExactly("async", "x");
  }

  @Test
  void writeAsyncFailuresCompleteExceptionallyWithTheSameTypes() throws Exception {
    Boom boom = new Boom("async");
    CompletableFuture<Object> f =
        store.writeAsync(
            c -> {
              insert(c, "a");
              throw boom;
            });
    ExecutionException e = thrown(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
    assertThat(e.getCause()).isSameAs(boom);

    CompletableFuture<Integer> g =
        store.writeAsync(
            c -> {
              insert(c, "b");
              return c.createStatement().executeUpdate("INSERT INTO uniq (k) VALUES ('taken')");
            });
    ExecutionException e2 = thrown(ExecutionException.class, () -> g.get(30, TimeUnit.SECONDS));
    assertThat(e2.getCause()).isInstanceOf(GanderException.class);
    assertThat(e2.getCause().getCause()).isInstanceOf(SQLException.class);
    assertThat(StoreTestSupport.primaryCode((GanderException) e2.getCause())).isEqualTo(19);
    assertThat(values()).isEmpty();
  }

  @Test
  void readAsyncCompletesWithTheValueOrTheFailure() throws Exception {
    store.write(c -> insert(c, "a"));
    assertThat(
            store.readAsync(c -> queryLong(c, "SELECT count(*) FROM t")).get(30, TimeUnit.SECONDS))
        .isEqualTo(1);

    Boom boom = new Boom("async read");
    CompletableFuture<Object> f =
        store.readAsync(
            c -> {
              throw boom;
            });
    assertThat(thrown(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS)).getCause())
        .isSameAs(boom);

    CompletableFuture<Integer> g = store.readAsync(c -> insert(c, "sneaky"));
    assertThat(thrown(ExecutionException.class, () -> g.get(30, TimeUnit.SECONDS)).getCause())
        .isInstanceOf(ReadOnlyDatabaseException.class);
    assertThat(values()).containsExactly("a");
  }
}
