package dev.gander.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.Gander;
import dev.gander.LeaseLostException;
import dev.gander.internal.postgres.PgSchema;
import dev.gander.internal.postgres.PgTestServer;
import dev.gander.internal.postgres.RequiresPostgres;
import dev.gander.queue.EnqueueOptions;
import dev.gander.queue.Job;
import dev.gander.queue.JobId;
import dev.gander.queue.Queue;
import dev.gander.queue.QueueOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Time comes from the server (DESIGN §3): two machines whose clocks disagree by a minute (here two
 * instances whose injected clocks are 30 s ahead and 30 s behind) never steal a live lease from
 * each other nor run a delayed job early, because both read the server's clock.
 */
@RequiresPostgres
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PostgresServerClockTest {
  private static final PgSchema SCHEMA = PgTestServer.freshSchema(PostgresServerClockTest.class);

  /** What the clocks' estimates of the server's time may be off by, at most. */
  private static final long ESTIMATE_MS = 50;

  @BeforeAll
  static void server() {
    PgTestServer.require();
  }

  @AfterAll
  static void drop() throws Exception {
    PgTestServer.dropSchema(SCHEMA);
  }

  private static Gander open(Duration skew) {
    return Gander.builder()
        .postgres(PgTestServer.URL)
        .schema(SCHEMA.name())
        .clock(Clock.offset(Clock.systemUTC(), skew))
        .open();
  }

  private static long serverNow() throws SQLException {
    try (Connection c = PgTestServer.connect();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void skewedMachinesNeitherStealALiveLeaseNorRunADelayedJobEarly() throws Exception {
    QueueOptions options =
        QueueOptions.builder().visibilityTimeout(Duration.ofSeconds(3)).maxAttempts(5).build();
    try (Gander ahead = open(Duration.ofSeconds(30));
        Gander behind = open(Duration.ofSeconds(-30))) {
      Queue early = ahead.queue("skew", options);
      Queue late = behind.queue("skew", options);

      // The machine behind leases a job: by its own clock the lease would have run out 27 s ago
      // for the machine ahead. By the server's clock it runs 3 s.
      JobId id = late.enqueue("leased");
      long claimedAt = serverNow();
      Job held = late.claim("behind").orElseThrow();
      assertThat(held.leaseExpiresAt().toEpochMilli())
          .isBetween(claimedAt + 3_000 - ESTIMATE_MS, serverNow() + 3_000 + ESTIMATE_MS);
      assertThat(early.claim("ahead")).isEmpty();

      // The machine ahead waits, and gets the job once the lease ran out by the server's clock.
      Job taken = early.poll("ahead", Duration.ofSeconds(60)).orElseThrow();
      long takenAt = serverNow();
      assertThat(taken.id()).isEqualTo(id);
      assertThat(taken.attempt()).isEqualTo(2);
      assertThat(takenAt)
          .isGreaterThanOrEqualTo(held.leaseExpiresAt().toEpochMilli() - ESTIMATE_MS);
      assertThatThrownBy(held::ack).isInstanceOf(LeaseLostException.class);
      taken.ack();

      // A job the machine behind delays by 5 s is not claimable early by the machine ahead.
      long enqueuedAt = serverNow();
      JobId later =
          late.enqueue("later", EnqueueOptions.builder().delay(Duration.ofSeconds(5)).build());
      assertThat(early.claim("ahead")).isEmpty();
      Job due = early.poll("ahead", Duration.ofSeconds(60)).orElseThrow();
      long dueAt = serverNow();
      assertThat(due.id()).isEqualTo(later);
      assertThat(dueAt - enqueuedAt).isGreaterThanOrEqualTo(5_000 - ESTIMATE_MS);
      due.ack();

      // And one the machine ahead delays is claimable by the machine behind on time, not 60 s late.
      long aheadEnqueuedAt = serverNow();
      early.enqueue("soon", EnqueueOptions.builder().delay(Duration.ofSeconds(1)).build());
      Job soon = late.poll("behind", Duration.ofSeconds(60)).orElseThrow();
      long soonAt = serverNow();
      assertThat(soonAt - aheadEnqueuedAt).isBetween(1_000 - ESTIMATE_MS, 20_000L);
      soon.ack();
    }
  }
}
