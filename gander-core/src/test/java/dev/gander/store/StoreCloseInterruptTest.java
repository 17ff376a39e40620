package dev.gander.store;

import static dev.gander.store.StoreTestSupport.jdbc;
import static dev.gander.store.StoreTestSupport.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * close() called by an interrupted thread, or interrupted while it waits: it still finishes its
 * work (queued writes, checkpoint, every connection closed) and returns with the flag set.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StoreCloseInterruptTest {
  @TempDir Path dir;

  private static int insert(Connection c, int i) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (i) VALUES (?)")) {
      ps.setInt(1, i);
      return ps.executeUpdate();
    }
  }

  private static long openDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  private static boolean walGoneOrEmpty(Path db) throws IOException {
    Path wal = Path.of(db + "-wal");
    return !Files.exists(wal) || Files.size(wal) == 0;
  }

  /** Opens, writes every way (starting the callback and reader threads too), and returns it. */
  private static Store openAndWrite(Path db) throws Exception {
    Store store = Store.open(db);
    store.write(c -> c.createStatement().executeUpdate("CREATE TABLE IF NOT EXISTS t (i INTEGER)"));
    store.write(c -> insert(c, 1));
    assertThat(store.writeAsync(c -> insert(c, 2)).get(60, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(
            store.readAsync(c -> queryLong(c, "SELECT count(*) FROM t")).get(60, TimeUnit.SECONDS))
        .isPositive();
    return store;
  }

  @Test
  void closeFromAnInterruptedThreadFinishesAndKeepsTheFlag() throws Exception {
    assertThat(Files.isDirectory(Path.of("/proc/self/fd"))).as("needs /proc/self/fd").isTrue();
    Path db = dir.resolve("interrupted.db");
    // One cycle first, so that the driver's native library and the JVM's own files are open.
    openAndWrite(db).close();
    long before = openDescriptors();
    for (int cycle = 0; cycle < 20; cycle++) {
      Store store = openAndWrite(db);
      Thread.currentThread().interrupt();
      try {
        store.close();
        assertThat(Thread.currentThread().isInterrupted())
            .as("flag after close, cycle %s", cycle)
            .isTrue();
      } finally {
        Thread.interrupted();
      }
      assertThat(store.isClosed()).isTrue();
      assertThat(walGoneOrEmpty(db))
          .as("WAL absent or empty after close, cycle %s", cycle)
          .isTrue();
    }
    long after = openDescriptors();
    assertThat(after)
        .as("open descriptors after 20 interrupted closes (before: %s)", before)
        .isLessThanOrEqualTo(before + 3);
    try (Connection c = jdbc(db)) {
      assertThat(queryLong(c, "SELECT count(*) FROM t")).isEqualTo(2 * 21);
    }
  }

  @Test
  void anInterruptWhileCloseWaitsForQueuedWritesDoesNotCutThemShort() throws Exception {
    Path db = dir.resolve("waiting.db");
    Store store = Store.open(db);
    store.write(c -> c.createStatement().executeUpdate("CREATE TABLE t (i INTEGER)"));
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Integer> blocker =
        store.writeAsync(
            c -> {
              running.countDown();
              if (!StoreTestSupport.await(release)) {
                throw new IllegalStateException("never released");
              }
              return insert(c, 0);
            });
    assertThat(running.await(60, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<Integer>> queued = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      int n = i;
      queued.add(store.writeAsync(c -> insert(c, n)));
    }

    boolean[] flagAfterClose = {false};
    Thread closer =
        new Thread(
            () -> {
              store.close();
              flagAfterClose[0] = Thread.currentThread().isInterrupted();
            },
            "test-closer");
    closer.start();
    // Wait (without a fixed sleep) until close() is blocked waiting for the writer, then interrupt.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (closer.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(closer.getState()).isEqualTo(Thread.State.TIMED_WAITING);
    closer.interrupt();
    release.countDown();
    closer.join(TimeUnit.SECONDS.toMillis(60));
    assertThat(closer.isAlive()).isFalse();
    assertThat(flagAfterClose[0]).as("interrupt flag after close").isTrue();

    assertThat(blocker.get(60, TimeUnit.SECONDS)).isEqualTo(1);
    for (CompletableFuture<Integer> f : queued) {
      assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(1);
    }
    assertThat(walGoneOrEmpty(db)).as("WAL absent or empty after close").isTrue();
    try (Connection c = jdbc(db)) {
      assertThat(queryLong(c, "SELECT count(*) FROM t")).isEqualTo(11);
    }
  }
}
