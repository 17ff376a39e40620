package dev.gander.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.Gander;
import dev.gander.internal.contract.Jvm;
import dev.gander.sqlite.WakeMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Producers, workers and waiters in separate JVMs on one database file. */
@Timeout(value = 240, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MultiProcessQueueTest {
  private static final int PRODUCERS = 4;
  private static final int PER_PRODUCER = 5_000;
  private static final int JOBS = PRODUCERS * PER_PRODUCER;

  @TempDir Path dir;

  /**
   * Four producer and four worker processes share 20,000 jobs; one worker, slow on purpose so that
   * it surely holds leases, is killed with {@code destroyForcibly()} mid-run. The others finish
   * everything, including the killed worker's jobs once its leases run out, and no job is acked
   * twice.
   */
  @Test
  void fourProducersAndFourWorkersProcessEveryJobOnceThoughAWorkerIsKilled() throws Exception {
    Path db = dir.resolve("shared.db");
    Gander.open(db).close(); // create the schema once, so the processes start on an equal footing
    List<Jvm> all = new ArrayList<>();
    try {
      Jvm doomed =
          new Jvm("doomed-worker", dir, QueueChild.class, "work", db.toString(), "4", "5", "40");
      all.add(doomed);
      List<Jvm> workers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Jvm w =
            new Jvm("worker-" + i, dir, QueueChild.class, "work", db.toString(), "2", "0", "-1");
        workers.add(w);
        all.add(w);
      }
      for (Jvm w : all) {
        assertThat(w.next(60)).as(w.describe()).isEqualTo("working");
      }
      List<Jvm> producers = new ArrayList<>();
      for (int p = 0; p < PRODUCERS; p++) {
        Jvm producer =
            new Jvm(
                "producer-" + p,
                dir,
                QueueChild.class,
                "produce",
                db.toString(),
                "p" + p,
                Integer.toString(PER_PRODUCER));
        producers.add(producer);
        all.add(producer);
      }

      // Kill the doomed worker mid-run: after 40 acks it hangs on the next job it claims, so it
      // surely dies holding a lease.
      Set<Long> held = new HashSet<>();
      while (held.isEmpty()) {
        String line = doomed.next(60);
        assertThat(line).as(doomed.describe()).isNotEqualTo(Jvm.EOF);
        if (line.startsWith("holding ")) {
          held.add(Long.parseLong(line.substring("holding ".length())));
        }
      }
      doomed.process.destroyForcibly();
      assertThat(doomed.process.waitFor(30, TimeUnit.SECONDS)).isTrue();

      for (Jvm p : producers) {
        assertThat(p.next(120)).as(p.describe()).isEqualTo("produced " + PER_PRODUCER);
        assertThat(p.stop(60)).as(p.describe()).isZero();
      }
      // Every job is finished once nothing is left in the queue: the killed worker's leased jobs
      // come back after the 2 s visibility timeout and are taken by the others.
      awaitEmptyQueue(db, Duration.ofSeconds(120));
      for (Jvm w : workers) {
        assertThat(w.stop(60)).as(w.describe()).isZero();
      }

      try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
        assertThat(count(c, "SELECT count(*) FROM gander_jobs")).isZero();
        assertThat(count(c, "SELECT count(*) FROM gander_dead_jobs")).isZero();
        // One result per job, written by the ack that finished it.
        Map<Long, String> results = new HashMap<>();
        try (ResultSet rs =
            c.createStatement().executeQuery("SELECT job_id, value FROM gander_results")) {
          while (rs.next()) {
            results.put(rs.getLong(1), rs.getString(2).replace("\"", ""));
          }
        }
        assertThat(results).hasSize(JOBS);
        assertThat(count(c, "SELECT max(seq) FROM sqlite_sequence WHERE name = 'gander_jobs'"))
            .isEqualTo(JOBS);

        // No job was acked twice: every printed ack is distinct, by id and by payload, and is the
        // very ack whose result the database kept.
        Set<Long> ackedIds = new HashSet<>();
        Set<String> ackedKeys = new HashSet<>();
        List<Jvm> ackers = new ArrayList<>(workers);
        ackers.add(doomed);
        for (Jvm w : ackers) {
          String pid = Long.toString(w.process.pid());
          for (String line : w.drain()) {
            if (!line.startsWith("acked ")) {
              continue;
            }
            String[] parts = line.split(" ");
            long id = Long.parseLong(parts[1]);
            assertThat(ackedIds.add(id)).as("job %d acked twice", id).isTrue();
            assertThat(ackedKeys.add(parts[2])).as("payload %s acked twice", parts[2]).isTrue();
            assertThat(results.get(id)).startsWith(pid + ":");
          }
        }
        // Acks the killed worker committed but did not live to print are in the results with
        // its pid; all others were printed.
        String doomedPid = doomed.process.pid() + ":";
        for (Map.Entry<Long, String> r : results.entrySet()) {
          if (!ackedIds.contains(r.getKey())) {
            assertThat(r.getValue())
                .as("unprinted ack of job %d", r.getKey())
                .startsWith(doomedPid);
          }
        }
        assertThat(JOBS - ackedIds.size()).isLessThanOrEqualTo(4);
        // The jobs the killed worker held were taken again by the others once its leases ran out.
        for (long id : held) {
          assertThat(results.get(id))
              .as("job %d, held by the killed worker", id)
              .doesNotStartWith(doomedPid);
          assertThat(results.get(id)).doesNotEndWith(":1");
        }
      }
    } finally {
      for (Jvm j : all) {
        j.close();
      }
    }
  }

  /** A producer killed with {@code destroyForcibly()} mid-run leaves only whole batches. */
  @Test
  void aProducerKilledMidRunLeavesWholeBatchesAndAHealthyFile() throws Exception {
    Path db = dir.resolve("flood.db");
    Gander.open(db).close();
    int printed = 0;
    try (Jvm flood = new Jvm("flood", dir, QueueChild.class, "flood", db.toString())) {
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
      long jobs = count(c, "SELECT count(*) FROM gander_jobs");
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
            new Jvm("waiter-" + mode, dir, QueueChild.class, "wait", db.toString(), mode.name())) {
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

  private static void awaitEmptyQueue(Path db, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      while (count(c, "SELECT count(*) FROM gander_jobs") > 0) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              count(c, "SELECT count(*) FROM gander_jobs") + " jobs left after " + timeout);
        }
        Thread.sleep(50);
      }
    }
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
