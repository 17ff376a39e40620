package dev.gander.store;

import static dev.gander.store.StoreTestSupport.exec;
import static dev.gander.store.StoreTestSupport.liveGanderThreads;
import static dev.gander.store.StoreTestSupport.names;
import static dev.gander.store.StoreTestSupport.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * WAL checkpoints run on the store's own thread, never inside a commit, and still keep the WAL
 * bounded; close leaves no WAL behind.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WalCheckpointTest {
  /** Far above what the checkpoints let the WAL reach, far below what it reaches without them. */
  private static final long WAL_BOUND = 128L << 20;

  @TempDir Path dir;

  private static void createTable(Store store) {
    store.write(
        c -> {
          exec(
              c,
              "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, q TEXT NOT NULL,"
                  + " p TEXT NOT NULL, at INTEGER NOT NULL)");
          exec(c, "CREATE INDEX t_q ON t (q, at, id)");
          return null;
        });
  }

  private static int insert(Connection c, long n) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (q, p, at) VALUES ('q', ?, ?)")) {
      ps.setString(1, "{\"to\":\"someone@example.com\",\"n\":" + n + "}");
      ps.setLong(2, n);
      return ps.executeUpdate();
    }
  }

  private static long walSize(Path db) throws Exception {
    Path wal = Path.of(db + "-wal");
    return Files.exists(wal) ? Files.size(wal) : 0;
  }

  @Test
  void noConnectionThatWritesCheckpointsInsideACommit() {
    try (Store store = Store.open(dir.resolve("auto.db"))) {
      // SQLite's automatic checkpoint would run inside the commit that takes the WAL past 1,000
      // pages, on the committing thread, with every queued write waiting behind it.
      long onWriter = store.<Long>write(c -> queryLong(c, "PRAGMA wal_autocheckpoint"));
      assertThat(onWriter).isZero();
    }
  }

  @Test
  void checkpointsRunOnAThreadOfTheStoreStartedByTheFirstCommit() {
    Path db = dir.resolve("lazy.db");
    String name = "gander-checkpoint-lazy.db";
    Store store = Store.open(db);
    try {
      assertThat(names(liveGanderThreads())).as("before any write").doesNotContain(name);
      createTable(store);
      assertThat(names(liveGanderThreads())).as("after the first commit").contains(name);
    } finally {
      store.close();
    }
    assertThat(names(liveGanderThreads())).as("after close").doesNotContain(name);
  }

  @Test
  void theWalStaysBoundedUnderContinuousWritesAndCloseLeavesNone() throws Exception {
    Path db = dir.resolve("bounded.db");
    int commits = 40_000;
    long largest = 0;
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicReference<Throwable> readerFailed = new AtomicReference<>();
    try (Store store = Store.open(db)) {
      createTable(store);
      // Readers too, as a consumer would run them: each holds a snapshot for a moment.
      Thread reader =
          new Thread(
              () -> {
                try {
                  while (writing.get()) {
                    store.read(c -> queryLong(c, "SELECT count(*) FROM t WHERE q = 'q'"));
                  }
                } catch (Throwable t) {
                  readerFailed.set(t);
                }
              });
      reader.start();
      try {
        for (int i = 0; i < commits; i++) {
          long n = i;
          store.write(c -> insert(c, n));
          if (i % 500 == 0) {
            largest = Math.max(largest, walSize(db));
          }
        }
      } finally {
        writing.set(false);
        reader.join();
      }
      assertThat(readerFailed.get()).isNull();
      // Without checkpoints the WAL holds every commit: about three 4 KiB pages each, 480 MiB.
      assertThat(largest).as("largest WAL seen, bytes").isPositive().isLessThan(WAL_BOUND);
      assertThat(store.<Long>read(c -> queryLong(c, "SELECT count(*) FROM t"))).isEqualTo(commits);
    }
    assertThat(Path.of(db + "-wal")).doesNotExist();
    assertThat(Path.of(db + "-shm")).doesNotExist();
  }

  @Test
  void aWalGrownByOneBigTransactionIsGivenBackOnceTheWriterIsQuiet() throws Exception {
    Path db = dir.resolve("burst.db");
    try (Store store = Store.open(db)) {
      createTable(store);
      store.write(
          c -> {
            String padding = "x".repeat(1000);
            try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO t (q, p, at) VALUES ('q', ?, ?)")) {
              for (int i = 0; i < 60_000; i++) {
                ps.setString(1, padding + i);
                ps.setLong(2, i);
                ps.executeUpdate();
              }
            }
            return null;
          });
      assertThat(walSize(db)).as("after the burst").isGreaterThan(48L << 20);
      awaitUntil("the WAL is truncated", () -> walSizeQuietly(db) < (1L << 20));
      assertThat(store.<Long>read(c -> queryLong(c, "SELECT count(*) FROM t"))).isEqualTo(60_000);
    }
  }

  private static long walSizeQuietly(Path db) {
    try {
      return walSize(db);
    } catch (Exception e) {
      return Long.MAX_VALUE;
    }
  }

  /** Re-checks every 10 ms, up to 30 s: a bound on the wait, not an assertion on its length. */
  private static void awaitUntil(String what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("not within 30 s: " + what).isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
