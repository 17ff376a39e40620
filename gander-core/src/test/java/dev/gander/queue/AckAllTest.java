package dev.gander.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.Gander;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Queue#ackAll}: many acks in one transaction, lost leases skipped. */
class AckAllTest {
  @TempDir Path dir;

  @Test
  void ackAllAcknowledgesEveryClaimedJobAndSettlesThem() throws Exception {
    Path db = dir.resolve("app.db");
    try (Gander gander = Gander.open(db)) {
      Queue q = gander.queue("batch");
      List<Integer> payloads = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        payloads.add(i);
      }
      q.enqueueAll(payloads);
      List<Job> jobs = q.claim("w", 128);
      assertThat(jobs).hasSize(128);

      assertThat(q.ackAll(jobs)).isEqualTo(128);

      assertThat(jobs).allMatch(Job::isSettled);
      QueueStats stats = q.stats();
      assertThat(stats.running()).isZero();
      assertThat(stats.ready()).isEqualTo(300 - 128);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM gander_jobs")) {
      rs.next();
      assertThat(rs.getLong(1)).isEqualTo(300 - 128);
    }
  }

  @Test
  void aJobWhoseLeaseWasLostIsSkippedAndLeftToItsNewHolder() {
    HandClock clock = new HandClock();
    try (Gander gander = Gander.builder().path(dir.resolve("app.db")).clock(clock).open()) {
      Queue q =
          gander.queue(
              "leases", QueueOptions.builder().visibilityTimeout(Duration.ofSeconds(10)).build());
      JobId first = q.enqueue("a");
      q.enqueue("b");
      Job a = q.claim("slow").orElseThrow();
      assertThat(a.id()).isEqualTo(first);
      // b is claimed and its lease extended before the clock moves: claimed after, it could be
      // a again, if the sweeper had already made a claimable.
      Job b = q.claim("slow").orElseThrow();
      b.heartbeat(Duration.ofMinutes(1));
      clock.advance(Duration.ofSeconds(11)); // a's lease runs out, b's does not
      // The sweeper makes a claimable again (it re-reads the clock at least once a second).
      Job again = awaitClaim(q, "fast");
      assertThat(again.id()).isEqualTo(first);

      assertThat(q.ackAll(List.of(a, b))).isEqualTo(1);

      assertThat(a.isSettled()).isFalse();
      assertThat(b.isSettled()).isTrue();
      assertThat(q.stats().running()).isEqualTo(1);
      again.ack(); // the new holder still owns it
      assertThat(q.stats().running()).isZero();
    }
  }

  private static Job awaitClaim(Queue q, String worker) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      java.util.Optional<Job> job = q.poll(worker, Duration.ofMillis(50));
      if (job.isPresent()) {
        return job.get();
      }
    }
    throw new AssertionError("no job became claimable within 10 s");
  }

  @Test
  void settledJobsAndJobsOfAnotherQueueAreRefusedBeforeAnythingIsWritten() {
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue q = gander.queue("one");
      Queue other = gander.queue("two");
      q.enqueueAll(List.of(1, 2));
      other.enqueue(3);
      List<Job> jobs = q.claim("w", 2);
      Job foreign = other.claim("w").orElseThrow();

      List<Job> mixed = new ArrayList<>(jobs);
      mixed.add(foreign);
      assertThatThrownBy(() -> q.ackAll(mixed))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not claimed from this queue ('one')");
      assertThat(q.stats().running()).isEqualTo(2);
      assertThat(jobs).noneMatch(Job::isSettled);

      jobs.get(0).ack();
      assertThatThrownBy(() -> q.ackAll(jobs))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already settled");
      assertThat(jobs.get(1).isSettled()).isFalse();
      assertThat(q.stats().running()).isEqualTo(1); // jobs.get(1)

      assertThat(q.ackAll(List.of())).isZero();
    }
  }
}
