package dev.gander.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.Gander;
import dev.gander.internal.contract.Jvm;
import dev.gander.internal.contract.MultiProcessContract;
import dev.gander.internal.contract.QueueChild;
import dev.gander.sqlite.WakeMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Producers, workers and waiters in separate JVMs on one database file: the multi-process contract
 * every backend passes, and what only a file shows (a killed producer's torn batch, wake modes).
 */
class MultiProcessQueueTest extends MultiProcessContract {
  private Path db() {
    return dir.resolve("shared.db");
  }

  @Override
  protected String target() {
    return QueueChild.sqlite(db());
  }

  @Override
  protected Gander open() {
    return Gander.open(db());
  }

  @Override
  protected Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + db());
  }

  @Override
  protected String table(String table) {
    return table;
  }

  /** Ids are never wasted on SQLite: the last one given is the number of jobs. */
  @Override
  protected void checkAfterwards(Connection c, int jobs) throws SQLException {
    assertThat(query(c, "SELECT max(seq) FROM sqlite_sequence WHERE name = 'gander_jobs'"))
        .isEqualTo(jobs);
  }

  /** A producer killed with {@code destroyForcibly()} mid-run leaves only whole batches. */
  @Test
  void aProducerKilledMidRunLeavesWholeBatchesAndAHealthyFile() throws Exception {
    Path db = dir.resolve("flood.db");
    Gander.open(db).close();
    int printed = 0;
    try (Jvm flood = new Jvm("flood", dir, QueueChild.class, "flood", QueueChild.sqlite(db))) {
      while (printed < 20) {
        String line = flood.next(60);
        assertThat(line).as(flood.describe()).startsWith("batch ");
        printed = Integer.parseInt(line.substring("batch ".length()));
      }
      flood.process.destroyForcibly();
      assertThat(flood.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      for (String line : flood.drain()) {
        if (line.startsWith("batch ")) {
          printed = Math.max(printed, Integer.parseInt(line.substring("batch ".length())));
        }
      }
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      try (ResultSet rs = c.createStatement().executeQuery("PRAGMA integrity_check")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("ok");
      }
      long jobs = query(c, "SELECT count(*) FROM gander_jobs");
      assertThat(jobs % 100).as("whole batches only: %d jobs", jobs).isZero();
      assertThat(jobs / 100).isBetween((long) printed, (long) printed + 1);
    }
    // And Gander opens it and carries on.
    try (Gander gander = Gander.open(db)) {
      Queue q = gander.queue(QueueChild.QUEUE, QueueChild.OPTIONS);
      assertThat(q.claim("w", 100)).hasSize(100);
    }
  }

  /** A waiter blocked in another process receives a job this process enqueues, in either mode. */
  @ParameterizedTest
  @EnumSource(
      value = WakeMode.class,
      names = {"FILE_EVENTS", "POLLING"})
  void aWaiterInAnotherProcessReceivesAnEnqueuedJob(WakeMode mode) throws Exception {
    Path db = dir.resolve("wake.db");
    try (Gander gander = Gander.open(db);
        Jvm waiter =
            new Jvm(
                "waiter-" + mode,
                dir,
                QueueChild.class,
                "wait",
                QueueChild.sqlite(db),
                mode.name())) {
      Queue q = gander.queue(QueueChild.QUEUE, QueueChild.OPTIONS);
      assertThat(waiter.next(60)).as(waiter.describe()).isEqualTo("waiting");
      for (int round = 0; round < 3; round++) {
        // Give the waiter time to block (not needed for correctness: a job enqueued before it
        // waits is claimed by its first look).
        Thread.sleep(200);
        q.enqueue(new QueueChild.Item("parent", round));
        assertThat(waiter.next(60)).as(waiter.describe()).isEqualTo("got parent-" + round);
      }
      // A delayed job wakes the other process at its run time.
      q.enqueue(
          new QueueChild.Item("parent", 99),
          EnqueueOptions.builder().delay(Duration.ofMillis(300)).build());
      assertThat(waiter.next(60)).as(waiter.describe()).isEqualTo("got parent-99");
      assertThat(q.stats().ready() + q.stats().scheduled() + q.stats().running()).isZero();
    }
  }

  private static long query(Connection c, String sql) throws SQLException {
    try (ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
