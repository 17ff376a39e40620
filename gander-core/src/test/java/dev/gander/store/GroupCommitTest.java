package dev.gander.store;

import static dev.gander.store.StoreTestSupport.exec;
import static dev.gander.store.StoreTestSupport.jdbc;
import static dev.gander.store.StoreTestSupport.queryLong;
import static dev.gander.store.StoreTestSupport.rows;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.GanderException;
import dev.gander.store.StoreTestSupport.Boom;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Many threads writing at once: every write committed exactly once, failures rolled back alone. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GroupCommitTest {
  private static final int THREADS = 8;

  @TempDir Path dir;
  private ExecutorService pool;

  @BeforeEach
  void startPool() {
    pool = Executors.newFixedThreadPool(THREADS);
  }

  @AfterEach
  void stopPool() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("test threads stopped").isTrue();
  }

  private static void createTables(Store store) {
    store.write(
        c -> {
          exec(c, "CREATE TABLE t (thread INTEGER NOT NULL, i INTEGER NOT NULL)");
          // A unique row that requests collide with on purpose to raise a real SQLException.
          exec(c, "CREATE TABLE uniq (k TEXT PRIMARY KEY)");
          exec(c, "INSERT INTO uniq (k) VALUES ('taken')");
          return null;
        });
  }

  private static void insert(Connection c, int thread, int i) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (thread, i) VALUES (?, ?)")) {
      ps.setInt(1, thread);
      ps.setInt(2, i);
      ps.executeUpdate();
    }
  }

  @Test
  void eightThreadsThousandWritesEachCommitEveryRowExactlyOnce() throws Exception {
    int perThread = 1_000;
    Path db = dir.resolve("group.db");
    try (Store store = Store.open(db)) {
      createTables(store);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<String>>> results = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        results.add(
            pool.submit(
                () -> {
                  List<String> problems = new ArrayList<>();
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    int n = i;
                    long value =
                        store.write(
                            c -> {
                              insert(c, thread, n);
                              return thread * 1_000_000L + n;
                            });
                    if (value != thread * 1_000_000L + n) {
                      problems.add("write " + thread + "/" + n + " returned " + value);
                    }
                    if (n % 100 == 0) {
                      // A write returns only after its commit: another connection sees it.
                      long seen =
                          store.read(
                              c ->
                                  queryLong(
                                      c,
                                      "SELECT count(*) FROM t WHERE thread = "
                                          + thread
                                          + " AND i = "
                                          + n));
                      if (seen != 1) {
                        problems.add(
                            "row "
                                + thread
                                + "/"
                                + n
                                + " seen "
                                + seen
                                + " times after write returned");
                      }
                    }
                  }
                  return problems;
                }));
      }
      start.countDown();
      List<String> problems = new ArrayList<>();
      for (Future<List<String>> f : results) {
        problems.addAll(f.get(100, TimeUnit.SECONDS));
      }
      assertThat(problems).isEmpty();

      assertThat(StoreTestSupport.count(store, "t")).isEqualTo(THREADS * perThread);
      assertThat(
              store.<Long>read(
                  c -> queryLong(c, "SELECT count(DISTINCT thread * 1000000 + i) FROM t")))
          .isEqualTo(THREADS * perThread);
      List<String> perThreadSummary = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        perThreadSummary.add(t + "|" + perThread + "|0|" + (perThread - 1));
      }
      assertThat(
              store.<List<String>>read(
                  c ->
                      rows(
                          c,
                          "SELECT thread, count(*), min(i), max(i) FROM t GROUP BY thread ORDER BY thread")))
          .isEqualTo(perThreadSummary);
    }
    // And it is all in the file.
    assertThat(StoreTestSupport.countJdbc(db, "t")).isEqualTo(THREADS * perThread);
  }

  /**
   * What a write in the failure tests does: 0 commits, 1 throws a RuntimeException, 2 an
   * SQLException.
   */
  private static int kind(int i) {
    if (i % 10 == 0) {
      return 1;
    }
    if (i % 10 == 5) {
      return 2;
    }
    return 0;
  }

  private static Object failingWrite(
      Connection c, int thread, int i, Boom boom, SQLException[] raised) throws SQLException {
    insert(c, thread, i);
    switch (kind(i)) {
      case 1:
        throw boom;
      case 2:
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO uniq (k) VALUES ('taken')")) {
          ps.executeUpdate();
        } catch (SQLException e) {
          raised[0] = e;
          throw e;
        }
        throw new AssertionError("the duplicate key was accepted");
      default:
        return thread + "/" + i;
    }
  }

  @Test
  void concurrentFailingWritesRollBackAloneWhileOthersCommit() throws Exception {
    int perThread = 300;
    Path db = dir.resolve("fail.db");
    try (Store store = Store.open(db)) {
      createTables(store);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<String>>> results = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        results.add(
            pool.submit(
                () -> {
                  List<String> problems = new ArrayList<>();
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    int n = i;
                    Boom boom = new Boom("write " + thread + "/" + n);
                    SQLException[] raised = new SQLException[1];
                    try {
                      Object v = store.write(c -> failingWrite(c, thread, n, boom, raised));
                      if (kind(n) != 0) {
                        problems.add(
                            "write " + thread + "/" + n + " should have failed but returned " + v);
                      } else if (!v.equals(thread + "/" + n)) {
                        problems.add("write " + thread + "/" + n + " returned " + v);
                      }
                    } catch (Boom e) {
                      if (kind(n) != 1 || e != boom) {
                        problems.add("write " + thread + "/" + n + " threw the wrong Boom: " + e);
                      }
                    } catch (GanderException e) {
                      if (kind(n) != 2 || raised[0] == null || e.getCause() != raised[0]) {
                        problems.add(
                            "write "
                                + thread
                                + "/"
                                + n
                                + " threw "
                                + e
                                + " caused by "
                                + e.getCause());
                      } else if (e.vendorCode().isEmpty()
                          || (e.vendorCode().getAsInt() & 0xff) != 19) {
                        problems.add(
                            "write " + thread + "/" + n + " result code " + e.vendorCode());
                      }
                    } catch (RuntimeException e) {
                      problems.add("write " + thread + "/" + n + " threw unexpected " + e);
                    }
                  }
                  return problems;
                }));
      }
      start.countDown();
      List<String> problems = new ArrayList<>();
      for (Future<List<String>> f : results) {
        problems.addAll(f.get(100, TimeUnit.SECONDS));
      }
      assertThat(problems).isEmpty();

      Set<String> expected = new HashSet<>();
      for (int t = 0; t < THREADS; t++) {
        for (int i = 0; i < perThread; i++) {
          if (kind(i) == 0) {
            expected.add(t + "|" + i);
          }
        }
      }
      List<String> actual = store.<List<String>>read(c -> rows(c, "SELECT thread, i FROM t"));
      assertThat(actual).doesNotHaveDuplicates();
      assertThat(new HashSet<>(actual)).isEqualTo(expected);
      assertThat(store.<List<String>>read(c -> rows(c, "SELECT k FROM uniq")))
          .containsExactly("taken");
    }
  }

  @Test
  void failuresInsideOneGroupCommitRollBackAlone() throws Exception {
    int requests = 200;
    Path db = dir.resolve("batch.db");
    try (Store store = Store.open(db)) {
      createTables(store);
      // Hold the writer thread in one request so that the next ones queue up behind it and are
      // taken together into one group commit.
      CountDownLatch blockerRunning = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Object> blocker =
          store.writeAsync(
              c -> {
                blockerRunning.countDown();
                if (!StoreTestSupport.await(release)) {
                  throw new IllegalStateException("never released");
                }
                insert(c, -1, 0);
                return "blocker";
              });
      assertThat(blockerRunning.await(60, TimeUnit.SECONDS)).as("blocker started").isTrue();

      List<CompletableFuture<Object>> futures = new ArrayList<>();
      List<Boom> booms = new ArrayList<>();
      List<SQLException[]> raised = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        int n = i;
        Boom boom = new Boom("queued " + n);
        SQLException[] r = new SQLException[1];
        booms.add(boom);
        raised.add(r);
        futures.add(store.writeAsync(c -> failingWrite(c, 0, n, boom, r)));
      }
      assertThat(futures).noneMatch(CompletableFuture::isDone);
      release.countDown();

      assertThat(blocker.get(60, TimeUnit.SECONDS)).isEqualTo("blocker");
      Set<String> expected = new HashSet<>();
      expected.add("-1|0");
      for (int i = 0; i < requests; i++) {
        CompletableFuture<Object> f = futures.get(i);
        switch (kind(i)) {
          case 0:
            assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo("0/" + i);
            expected.add("0|" + i);
            break;
          case 1:
            {
              ExecutionException e =
                  StoreTestSupport.thrown(
                      ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
              assertThat(e.getCause()).as("request %s", i).isSameAs(booms.get(i));
              break;
            }
          default:
            {
              ExecutionException e =
                  StoreTestSupport.thrown(
                      ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
              assertThat(e.getCause()).as("request %s", i).isInstanceOf(GanderException.class);
              assertThat(e.getCause().getCause())
                  .as("request %s", i)
                  .isNotNull()
                  .isSameAs(raised.get(i)[0]);
              assertThat(StoreTestSupport.primaryCode((GanderException) e.getCause()))
                  .isEqualTo(19);
            }
        }
      }
      List<String> actual = store.<List<String>>read(c -> rows(c, "SELECT thread, i FROM t"));
      assertThat(actual).doesNotHaveDuplicates();
      assertThat(new HashSet<>(actual)).isEqualTo(expected);
    }
    try (Connection c = jdbc(db)) {
      assertThat(queryLong(c, "SELECT count(*) FROM t")).isEqualTo(1 + requests - requests / 5);
    }
  }

  @Test
  void concurrentWriteFlowRollbacksKeepNothingAndCommitsKeepEverything() throws Exception {
    int perThread = 200;
    try (Store store = Store.open(dir.resolve("flow.db"))) {
      createTables(store);
      CountDownLatch start = new CountDownLatch(1);
      Set<String> wrongValues = Collections.newSetFromMap(new ConcurrentHashMap<>());
      List<Future<?>> results = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int thread = t;
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    int n = i;
                    String v =
                        store.writeFlow(
                            c -> {
                              insert(c, thread, n);
                              return n % 2 == 0
                                  ? TxOutcome.commit("kept " + n)
                                  : TxOutcome.rollback("dropped " + n);
                            });
                    if (!v.equals((n % 2 == 0 ? "kept " : "dropped ") + n)) {
                      wrongValues.add(thread + "/" + n + " -> " + v);
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : results) {
        f.get(100, TimeUnit.SECONDS);
      }
      assertThat(wrongValues).isEmpty();
      assertThat(StoreTestSupport.count(store, "t")).isEqualTo(THREADS * perThread / 2);
      assertThat(store.<Long>read(c -> queryLong(c, "SELECT count(*) FROM t WHERE i % 2 = 1")))
          .isZero();
      assertThat(
              store.<Long>read(
                  c -> queryLong(c, "SELECT count(DISTINCT thread * 1000000 + i) FROM t")))
          .isEqualTo(THREADS * perThread / 2);
    }
  }
}
