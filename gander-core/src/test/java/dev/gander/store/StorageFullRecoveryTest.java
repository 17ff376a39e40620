package dev.gander.store;

import static dev.gander.store.StoreTestSupport.count;
import static dev.gander.store.StoreTestSupport.exec;
import static dev.gander.store.StoreTestSupport.jdbc;
import static dev.gander.store.StoreTestSupport.queryLong;
import static dev.gander.store.StoreTestSupport.rows;
import static dev.gander.store.StoreTestSupport.thrown;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.Gander;
import dev.gander.GanderException;
import dev.gander.StorageFullException;
import dev.gander.queue.Queue;
import dev.gander.sqlite.SqliteOptions;
import dev.gander.store.StoreTestSupport.Boom;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a full disk (simulated with {@code PRAGMA max_page_count}) or a failed {@code COMMIT}, the
 * writer keeps working: once there is room every kind of write succeeds again, and nothing
 * committed before is lost. sqlite-jdbc finalizes a statement whose step fails with most errors, so
 * transaction statements prepared once would be broken for good.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StorageFullRecoveryTest {
  @TempDir Path dir;

  private static void createBlobs(Store store) {
    store.write(
        c -> {
          exec(c, "CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
          exec(c, "INSERT INTO blobs (id, data) VALUES (1, x'01'), (2, x'02'), (3, x'03')");
          return null;
        });
  }

  /** Caps the file at its current size plus {@code pages}. */
  private static void limitGrowth(Store store, int pages) {
    store.write(
        c -> {
          long current = queryLong(c, "PRAGMA page_count");
          return queryLong(c, "PRAGMA max_page_count = " + (current + pages));
        });
  }

  private static void unlimit(Store store) {
    store.write(c -> queryLong(c, "PRAGMA max_page_count = 1073741823"));
  }

  /** A single-row insert: SQLite rolls the whole transaction back when it fails with FULL. */
  private static int insertBlob(Connection c, int id, int size) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO blobs (id, data) VALUES (?, ?)")) {
      ps.setInt(1, id);
      ps.setBytes(2, new byte[size]);
      return ps.executeUpdate();
    }
  }

  private static List<String> smallIds(Store store) {
    return store.read(c -> rows(c, "SELECT id FROM blobs WHERE id < 10 ORDER BY id"));
  }

  /**
   * Every kind of write: the fast path, writeFlow both ways, a failing write, inTransaction,
   * writeAsync, and writes group-committed from several threads. Uses ids from {@code base}.
   */
  private static void writeEveryWay(Store store, int base) throws Exception {
    assertThat(store.<Integer>write(c -> insertBlob(c, base, 100_000))).isEqualTo(1);
    assertThat(
            store.<String>writeFlow(
                c -> TxOutcome.rollback(insertBlob(c, base + 1, 10) + " undone")))
        .isEqualTo("1 undone");
    assertThat(store.<Integer>writeFlow(c -> TxOutcome.commit(insertBlob(c, base + 2, 10))))
        .isEqualTo(1);
    Boom boom = new Boom("a write that fails after inserting");
    assertThat(
            thrown(
                Boom.class,
                () ->
                    store.write(
                        c -> {
                          insertBlob(c, base + 3, 10);
                          throw boom;
                        })))
        .isSameAs(boom);
    store.inTransaction(tx -> insertBlob(tx.connection(), base + 4, 10));
    assertThat(store.writeAsync(c -> insertBlob(c, base + 5, 10)).get(60, TimeUnit.SECONDS))
        .isEqualTo(1);

    int threads = 4;
    int perThread = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int first = base + 100 + t * perThread;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    int id = first + i;
                    store.write(c -> insertBlob(c, id, 10));
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    List<Long> present =
        store.read(
            c -> {
              List<Long> out = new ArrayList<>();
              for (String r :
                  rows(
                      c,
                      "SELECT id FROM blobs WHERE id >= "
                          + base
                          + " AND id < "
                          + (base + 1000)
                          + " ORDER BY id")) {
                out.add(Long.parseLong(r));
              }
              return out;
            });
    List<Long> expected = new ArrayList<>(List.of((long) base, base + 2L, base + 4L, base + 5L));
    for (int i = 0; i < threads * perThread; i++) {
      expected.add(base + 100L + i);
    }
    assertThat(present).isEqualTo(expected);
  }

  @Test
  void writesOfEveryKindResumeAfterAFullDiskOnTheFastPath() throws Exception {
    Path db = dir.resolve("full.db");
    try (Store store = Store.open(db)) {
      createBlobs(store);
      limitGrowth(store, 5);
      thrown(StorageFullException.class, () -> store.write(c -> insertBlob(c, 10, 100_000)));
      // Still full: these need a rollback of their own, after SQLite rolled back the last one.
      assertThat(store.<String>writeFlow(c -> TxOutcome.rollback(insertBlob(c, 4, 10) + " undone")))
          .isEqualTo("1 undone");
      thrown(StorageFullException.class, () -> store.write(c -> insertBlob(c, 11, 100_000)));
      thrown(
          Boom.class,
          () ->
              store.write(
                  c -> {
                    insertBlob(c, 5, 10);
                    throw new Boom("fails after a small insert");
                  }));
      store.write(c -> insertBlob(c, 6, 10));
      assertThat(smallIds(store)).containsExactly("1", "2", "3", "6");

      unlimit(store);
      writeEveryWay(store, 1_000);
      assertThat(smallIds(store)).containsExactly("1", "2", "3", "6");
    }
    try (Connection c = jdbc(db)) {
      assertThat(queryLong(c, "SELECT count(*) FROM blobs")).isEqualTo(4 + 4 + 200);
    }
  }

  @Test
  void writesResumeAfterAFullDiskInsideAGroupCommit() throws Exception {
    Path db = dir.resolve("fullbatch.db");
    try (Store store = Store.open(db)) {
      createBlobs(store);
      limitGrowth(store, 5);
      // Hold the writer thread so that the next requests queue up and run as one group.
      CountDownLatch running = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Integer> blocker =
          store.writeAsync(
              c -> {
                running.countDown();
                if (!StoreTestSupport.await(release)) {
                  throw new IllegalStateException("never released");
                }
                return insertBlob(c, 4, 10);
              });
      assertThat(running.await(60, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Integer> small = store.writeAsync(c -> insertBlob(c, 5, 10));
      CompletableFuture<Integer> big = store.writeAsync(c -> insertBlob(c, 10, 100_000));
      CompletableFuture<Integer> after = store.writeAsync(c -> insertBlob(c, 6, 10));
      release.countDown();
      ExecutionException e = thrown(ExecutionException.class, () -> big.get(60, TimeUnit.SECONDS));
      assertThat(e.getCause()).isInstanceOf(StorageFullException.class);
      assertThat(blocker.get(60, TimeUnit.SECONDS)).isEqualTo(1);
      // Run in the transaction SQLite rolled back: failed, not reported committed.
      thrown(ExecutionException.class, () -> small.get(60, TimeUnit.SECONDS));
      assertThat(after.get(60, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(smallIds(store)).containsExactly("1", "2", "3", "4", "6");

      unlimit(store);
      writeEveryWay(store, 1_000);
      assertThat(smallIds(store)).containsExactly("1", "2", "3", "4", "6");
    }
  }

  @Test
  void writesResumeAfterAFailedCommit() throws Exception {
    Path db = dir.resolve("commit.db");
    try (Store store = Store.open(db)) {
      createBlobs(store);
      // A function that ends the transaction itself makes the store's COMMIT fail.
      GanderException e =
          thrown(
              GanderException.class,
              () ->
                  store.write(
                      c -> {
                        insertBlob(c, 4, 10);
                        exec(c, "COMMIT");
                        return null;
                      }));
      assertThat(e.getMessage()).contains("no transaction is active");
      writeEveryWay(store, 1_000);
      assertThat(smallIds(store)).containsExactly("1", "2", "3", "4");
    }
  }

  @Test
  void aReadThatEndsItsOwnTransactionDoesNotBreakItsConnection() {
    try (Store store =
        Store.open(dir.resolve("read.db"), SqliteOptions.builder().readPoolSize(1).build())) {
      createBlobs(store);
      store.read(
          c -> {
            exec(c, "COMMIT");
            return null;
          });
      for (int i = 0; i < 3; i++) {
        assertThat(count(store, "blobs")).isEqualTo(3);
      }
      store.write(c -> insertBlob(c, 4, 10));
      assertThat(count(store, "blobs")).isEqualTo(4);
    }
  }

  @Test
  void queueWritesResumeAfterAFullDisk() {
    try (Gander gander = Gander.open(dir.resolve("queue.db"))) {
      Store store = gander.store();
      Queue q = gander.queue("jobs");
      q.enqueue("kept");
      limitGrowth(store, 5);
      thrown(StorageFullException.class, () -> q.enqueue("x".repeat(100_000)));
      thrown(StorageFullException.class, () -> q.enqueueAll(List.of("y".repeat(100_000), "z")));
      unlimit(store);
      q.enqueue("x".repeat(100_000));
      q.enqueueAll(List.of("a", "b"));
      assertThat(q.stats().ready()).isEqualTo(4);
      assertThat(count(store, "gander_jobs")).isEqualTo(4);
    }
  }
}
