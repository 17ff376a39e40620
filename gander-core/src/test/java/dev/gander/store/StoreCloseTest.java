package dev.gander.store;

import static dev.gander.store.StoreTestSupport.jdbc;
import static dev.gander.store.StoreTestSupport.liveGanderThreads;
import static dev.gander.store.StoreTestSupport.names;
import static dev.gander.store.StoreTestSupport.queryLong;
import static dev.gander.store.StoreTestSupport.rows;
import static dev.gander.store.StoreTestSupport.thrown;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.GanderClosedException;
import dev.gander.sqlite.SqliteOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** close(): what happens to work around it, to the files and to the threads. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StoreCloseTest {
  @TempDir Path dir;

  private static void createTable(Store store) {
    store.write(
        c ->
            c.createStatement()
                .executeUpdate("CREATE TABLE t (thread INTEGER NOT NULL, i INTEGER NOT NULL)"));
  }

  private static int insert(Connection c, int thread, int i) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (thread, i) VALUES (?, ?)")) {
      ps.setInt(1, thread);
      ps.setInt(2, i);
      return ps.executeUpdate();
    }
  }

  /** Unwraps what a future failed with; asserts that it failed. */
  private static Throwable failureOf(CompletableFuture<?> f) throws Exception {
    try {
      f.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the future succeeded");
  }

  /** Calls writeAsync and returns what it threw or what its future failed with. */
  private static Throwable writeAsyncFailure(Store store) throws Exception {
    CompletableFuture<Integer> f;
    try {
      f = store.writeAsync(c -> insert(c, 0, 0));
    } catch (RuntimeException e) {
      return e;
    }
    return failureOf(f);
  }

  @Test
  void aClosedStoreRefusesAllWork() throws Exception {
    Path db = dir.resolve("closed.db");
    Store store = Store.open(db);
    createTable(store);
    assertThat(store.isClosed()).isFalse();
    store.close();
    assertThat(store.isClosed()).isTrue();
    store.close(); // idempotent
    assertThat(store.isClosed()).isTrue();

    thrown(GanderClosedException.class, () -> store.write(c -> insert(c, 0, 0)));
    thrown(
        GanderClosedException.class, () -> store.writeFlow(c -> TxOutcome.commit(insert(c, 0, 0))));
    thrown(GanderClosedException.class, () -> store.<Long>read(c -> queryLong(c, "SELECT 1")));
    thrown(
        GanderClosedException.class,
        () -> store.inTransaction(tx -> insert(tx.connection(), 0, 0)));
    thrown(
        GanderClosedException.class,
        () -> store.transactionResult(tx -> insert(tx.connection(), 0, 0)));
    assertThat(writeAsyncFailure(store)).isInstanceOf(GanderClosedException.class);
    Throwable readAsync;
    try {
      readAsync = failureOf(store.readAsync(c -> queryLong(c, "SELECT 1")));
    } catch (RuntimeException e) {
      readAsync = e;
    }
    assertThat(readAsync).isInstanceOf(GanderClosedException.class);

    try (Connection c = jdbc(db)) {
      assertThat(queryLong(c, "SELECT count(*) FROM t")).isZero();
    }
  }

  @Test
  void closeCheckpointsTheWal() throws Exception {
    Path db = dir.resolve("wal.db");
    Path wal = Path.of(db + "-wal");
    try (Store store = Store.open(db)) {
      createTable(store);
      for (int i = 0; i < 100; i++) {
        int n = i;
        store.write(c -> insert(c, 0, n));
      }
      assertThat(Files.exists(wal) && Files.size(wal) > 0)
          .as("the WAL holds the writes before close")
          .isTrue();
    }
    assertThat(!Files.exists(wal) || Files.size(wal) == 0)
        .as("WAL absent or empty after close")
        .isTrue();
    try (Connection c = jdbc(db)) {
      assertThat(queryLong(c, "SELECT count(*) FROM t")).isEqualTo(100);
    }
  }

  @Test
  void closeCheckpointsTheWalWhileAnotherConnectionKeepsTheFileOpen() throws Exception {
    Path db = dir.resolve("walshared.db");
    Path wal = Path.of(db + "-wal");
    Store store = Store.open(db);
    try (Connection other = jdbc(db)) {
      try {
        createTable(store);
        for (int i = 0; i < 100; i++) {
          int n = i;
          store.write(c -> insert(c, 0, n));
        }
        // The other connection has the file open (but no transaction), so SQLite will not
        // delete the WAL when the store's connections close: only a checkpoint empties it.
        assertThat(queryLong(other, "SELECT count(*) FROM t")).isEqualTo(100);
        assertThat(Files.size(wal)).isPositive();
      } finally {
        store.close();
      }
      assertThat(!Files.exists(wal) || Files.size(wal) == 0)
          .as(
              "WAL absent or empty after close, was %s bytes",
              Files.exists(wal) ? Files.size(wal) : -1)
          .isTrue();
      assertThat(queryLong(other, "SELECT count(*) FROM t")).isEqualTo(100);
    }
  }

  @Test
  void closeLeavesNoGanderThreads() throws Exception {
    Set<Thread> before = liveGanderThreads();
    Path db = dir.resolve("threads.db");
    Store store = Store.open(db, SqliteOptions.builder().readPoolSize(3).build());
    try {
      createTable(store);
      for (int i = 0; i < 20; i++) {
        int n = i;
        store.write(c -> insert(c, 0, n));
      }
      List<CompletableFuture<Integer>> writes = new ArrayList<>();
      List<CompletableFuture<Long>> reads = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        int n = i;
        writes.add(store.writeAsync(c -> insert(c, 1, n)));
        reads.add(store.readAsync(c -> queryLong(c, "SELECT count(*) FROM t")));
      }
      for (CompletableFuture<Integer> f : writes) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(1);
      }
      for (CompletableFuture<Long> f : reads) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isBetween(20L, 40L);
      }
      store.inTransaction(tx -> insert(tx.connection(), 2, 0));
      assertThat(store.<Long>read(c -> queryLong(c, "SELECT count(*) FROM t"))).isEqualTo(41);

      Set<Thread> open = liveGanderThreads();
      open.removeAll(before);
      assertThat(names(open))
          .as("the open store's threads")
          .anyMatch(n -> n.startsWith("gander-writer-"));
    } finally {
      store.close();
    }
    Set<Thread> after = liveGanderThreads();
    after.removeAll(before);
    assertThat(names(after)).as("gander threads still alive after close()").isEmpty();
  }

  @Test
  void writesRacingCloseEitherCommitOrFailWithGanderClosed() throws Exception {
    int submitters = 4;
    int syncWriters = 2;
    int maxPerThread = 5_000;
    Path db = dir.resolve("burst.db");
    Store store = Store.open(db);
    createTable(store);

    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> succeeded = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> refused = new ConcurrentLinkedQueue<>();
    List<List<CompletableFuture<Integer>>> futures = new ArrayList<>();
    CountDownLatch enoughSubmitted = new CountDownLatch(500);
    ExecutorService pool = Executors.newFixedThreadPool(submitters + syncWriters);
    try {
      List<Future<?>> threads = new ArrayList<>();
      for (int t = 0; t < submitters; t++) {
        int thread = t;
        List<CompletableFuture<Integer>> mine = new ArrayList<>();
        futures.add(mine);
        threads.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < maxPerThread; i++) {
                    int n = i;
                    try {
                      mine.add(store.writeAsync(c -> insert(c, thread, n)));
                    } catch (GanderClosedException e) {
                      refused.add(thread + "|" + n);
                      break;
                    } catch (RuntimeException e) {
                      problems.add("writeAsync threw " + e);
                      break;
                    } finally {
                      enoughSubmitted.countDown();
                    }
                  }
                }));
      }
      for (int t = submitters; t < submitters + syncWriters; t++) {
        int thread = t;
        threads.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < maxPerThread; i++) {
                    int n = i;
                    try {
                      store.write(c -> insert(c, thread, n));
                      succeeded.add(thread + "|" + n);
                    } catch (GanderClosedException e) {
                      refused.add(thread + "|" + n);
                      break;
                    } catch (RuntimeException e) {
                      problems.add("write threw " + e);
                      break;
                    } finally {
                      enoughSubmitted.countDown();
                    }
                  }
                }));
      }
      assertThat(enoughSubmitted.await(60, TimeUnit.SECONDS)).isTrue();
      store.close();
      assertThat(store.isClosed()).isTrue();
      for (Future<?> f : threads) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
      store.close();
    }

    for (int t = 0; t < futures.size(); t++) {
      List<CompletableFuture<Integer>> mine = futures.get(t);
      for (int i = 0; i < mine.size(); i++) {
        try {
          Integer v = mine.get(i).get(60, TimeUnit.SECONDS);
          if (v != 1) {
            problems.add(t + "|" + i + " returned " + v);
          }
          succeeded.add(t + "|" + i);
        } catch (TimeoutException e) {
          problems.add(t + "|" + i + " never completed");
        } catch (ExecutionException e) {
          if (e.getCause() instanceof GanderClosedException) {
            refused.add(t + "|" + i);
          } else {
            problems.add(t + "|" + i + " failed with " + e.getCause());
          }
        }
      }
    }
    assertThat(problems).isEmpty();
    assertThat(succeeded).as("some writes committed before close").isNotEmpty();

    try (Store reopened = Store.open(db)) {
      List<String> inFile = reopened.<List<String>>read(c -> rows(c, "SELECT thread, i FROM t"));
      assertThat(inFile).doesNotHaveDuplicates();
      Set<String> present = new HashSet<>(inFile);
      Set<String> lost = new HashSet<>(succeeded);
      lost.removeAll(present);
      assertThat(lost).as("reported committed but not in the file").isEmpty();
      Set<String> ghosts = new HashSet<>(refused);
      ghosts.retainAll(present);
      assertThat(ghosts).as("reported refused but written anyway").isEmpty();
      assertThat(present).hasSameSizeAs(new HashSet<>(succeeded));
    }
  }

  @Test
  void closeFinishesQueuedWritesAndRefusesNewOnes() throws Exception {
    Path db = dir.resolve("drain.db");
    Store store = Store.open(db);
    createTable(store);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Integer> blocker =
        store.writeAsync(
            c -> {
              running.countDown();
              if (!StoreTestSupport.await(release)) {
                throw new IllegalStateException("never released");
              }
              return insert(c, 9, 9);
            });
    assertThat(running.await(60, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<Integer>> queued = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      int n = i;
      queued.add(store.writeAsync(c -> insert(c, 0, n)));
    }

    CompletableFuture<Void> closing = CompletableFuture.runAsync(store::close);
    // isClosed() is true once closing has begun; wait for that without sleeping a fixed time.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!store.isClosed() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(store.isClosed()).isTrue();
    assertThat(writeAsyncFailure(store)).isInstanceOf(GanderClosedException.class);
    thrown(GanderClosedException.class, () -> store.write(c -> insert(c, 0, 99)));
    assertThat(closing).isNotDone();
    assertThat(queued).noneMatch(CompletableFuture::isDone);

    release.countDown();
    closing.get(60, TimeUnit.SECONDS);
    assertThat(blocker.get(60, TimeUnit.SECONDS)).isEqualTo(1);
    for (CompletableFuture<Integer> f : queued) {
      assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(1);
    }
    try (Connection c = jdbc(db)) {
      assertThat(queryLong(c, "SELECT count(*) FROM t WHERE thread = 0")).isEqualTo(20);
      assertThat(queryLong(c, "SELECT count(*) FROM t WHERE thread = 9")).isEqualTo(1);
    }
  }

  @Test
  void closeTimeoutFailsQueuedWritesWithGanderClosed() throws Exception {
    Path db = dir.resolve("timeout.db");
    Store store =
        Store.open(
            db,
            SqliteOptions.defaults(),
            StoreOptions.builder().closeTimeout(Duration.ofMillis(200)).build());
    createTable(store);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    CompletableFuture<Integer> blocker =
        store.writeAsync(
            c -> {
              running.countDown();
              try {
                // Held until close() gives up and interrupts the writer.
                never.await(60, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted by close", e);
              }
              return insert(c, 9, 9);
            });
    assertThat(running.await(60, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<Integer>> queued = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int n = i;
      queued.add(store.writeAsync(c -> insert(c, 0, n)));
    }
    try {
      store.close();
      for (CompletableFuture<Integer> f : queued) {
        assertThat(failureOf(f)).isInstanceOf(GanderClosedException.class);
      }
      // The held request did not finish in time either: it must not report success.
      Throwable held = failureOf(blocker);
      assertThat(held).isNotNull();
    } finally {
      never.countDown();
    }
    try (Connection c = jdbc(db)) {
      assertThat(queryLong(c, "SELECT count(*) FROM t")).isZero();
    }
  }

  @Test
  void aWriteStillRunningWhenCloseTimesOutIsNeverLeftHanging() throws Exception {
    Path db = dir.resolve("overrun.db");
    Store store =
        Store.open(
            db,
            SqliteOptions.defaults(),
            StoreOptions.builder().closeTimeout(Duration.ofMillis(200)).build());
    createTable(store);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    // A function that outlives the close timeout and ignores interrupts, like a long statement.
    CompletableFuture<Integer> overrun =
        store.writeAsync(
            c -> {
              running.countDown();
              boolean interrupted = false;
              try {
                while (true) {
                  try {
                    if (release.await(60, TimeUnit.SECONDS)) {
                      break;
                    }
                  } catch (InterruptedException e) {
                    interrupted = true;
                  }
                }
              } finally {
                if (interrupted) {
                  Thread.currentThread().interrupt();
                }
              }
              return insert(c, 7, 7);
            });
    assertThat(running.await(60, TimeUnit.SECONDS)).isTrue();
    try {
      store.close(); // gives up on the running write after the close timeout
      assertThat(store.isClosed()).isTrue();
    } finally {
      release.countDown();
    }
    // Once the function returns, its caller must learn the outcome, and the outcome must match
    // the file: success and the row is there, or GanderClosedException and it is not.
    boolean succeeded;
    try {
      assertThat(overrun.get(30, TimeUnit.SECONDS)).isEqualTo(1);
      succeeded = true;
    } catch (TimeoutException e) {
      throw new AssertionError("the future of a write that outlived close() never completed", e);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(GanderClosedException.class);
      succeeded = false;
    }
    try (Connection c = jdbc(db)) {
      assertThat(queryLong(c, "SELECT count(*) FROM t WHERE thread = 7"))
          .isEqualTo(succeeded ? 1 : 0);
    }
  }

  @Test
  void readsRacingCloseEitherSucceedOrFailWithGanderClosed() throws Exception {
    // Several rounds: each races sync reads and a stream of readAsync calls against close().
    List<String> problems = new ArrayList<>();
    for (int round = 0; round < 10 && problems.isEmpty(); round++) {
      problems.addAll(readsRacingClose(dir.resolve("reads" + round + ".db")));
    }
    assertThat(problems).isEmpty();
  }

  private static List<String> readsRacingClose(Path db) throws Exception {
    Store store = Store.open(db, SqliteOptions.builder().readPoolSize(2).build());
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<CompletableFuture<Long>> futures = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Thread> readers = new ConcurrentLinkedQueue<>();
    CountDownLatch enough = new CountDownLatch(1_000);
    int threads = 6;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> loops = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        boolean async = t % 2 == 1;
        loops.add(
            pool.submit(
                () -> {
                  readers.add(Thread.currentThread());
                  while (true) {
                    try {
                      if (async) {
                        futures.add(store.readAsync(c -> queryLong(c, "SELECT 1")));
                      } else {
                        store.read(c -> queryLong(c, "SELECT 1"));
                      }
                    } catch (GanderClosedException e) {
                      return;
                    } catch (RuntimeException e) {
                      problems.add((async ? "readAsync threw " : "read threw ") + e);
                      return;
                    } finally {
                      enough.countDown();
                    }
                  }
                }));
      }
      assertThat(enough.await(60, TimeUnit.SECONDS)).isTrue();
      store.close();
      for (Future<?> f : loops) {
        try {
          f.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          StringBuilder stacks =
              new StringBuilder("a reader never returned after close(); reader threads:");
          for (Thread r : readers) {
            stacks.append("\n").append(r.getName()).append(" ").append(r.getState());
            for (StackTraceElement el : r.getStackTrace()) {
              stacks.append("\n    at ").append(el);
            }
          }
          problems.add(stacks.toString());
          break;
        }
      }
      for (CompletableFuture<Long> f : futures) {
        try {
          f.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          problems.add("a readAsync future never completed");
          break;
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof GanderClosedException)) {
            problems.add("a readAsync future failed with " + e.getCause());
          }
        }
      }
    } finally {
      pool.shutdownNow();
      store.close();
    }
    return new ArrayList<>(new java.util.LinkedHashSet<>(problems));
  }

  @Test
  void futureCallbacksThatWriteDoNotDeadlock() throws Exception {
    try (Store store = Store.open(dir.resolve("callback.db"))) {
      createTable(store);
      CompletableFuture<Integer> chained =
          store
              .writeAsync(c -> insert(c, 0, 0))
              .thenApply(n -> n + store.write(c -> insert(c, 0, 1)));
      assertThat(chained.get(60, TimeUnit.SECONDS)).isEqualTo(2);
      assertThat(store.<Long>read(c -> queryLong(c, "SELECT count(*) FROM t"))).isEqualTo(2);
    }
  }

  @Test
  void joinOfAFutureFromAClosedStoreThrowsCompletionExceptionOrItFailsAtOnce() {
    Store store = Store.open(dir.resolve("join.db"));
    store.close();
    Throwable t =
        thrown(
            RuntimeException.class, () -> store.writeAsync(c -> queryLong(c, "SELECT 1")).join());
    if (t instanceof CompletionException) {
      t = t.getCause();
    }
    assertThat(t).isInstanceOf(GanderClosedException.class);
  }
}
