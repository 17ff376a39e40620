package dev.gander.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.Gander;
import dev.gander.internal.contract.Blocked;
import dev.gander.internal.postgres.PgSchema;
import dev.gander.internal.postgres.PgTestServer;
import dev.gander.internal.postgres.RequiresPostgres;
import dev.gander.queue.Job;
import dev.gander.queue.JobId;
import dev.gander.queue.JobState;
import dev.gander.queue.Queue;
import dev.gander.queue.QueueOptions;
import dev.gander.queue.Worker;
import dev.gander.queue.WorkerOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Wake-up and lost connections on PostgreSQL, through the public API: a rolled-back enqueue sends
 * nothing; a waiter whose listening connection is killed mid-wait still gets the job (re-check
 * after the reconnect); workers whose pooled connections are killed mid-run lose no job.
 */
@RequiresPostgres
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PostgresWakeTest {
  private static final PgSchema SCHEMA = PgTestServer.freshSchema(PostgresWakeTest.class);
  private static Gander gander;
  private ExecutorService pool;

  @BeforeAll
  static void open() {
    PgTestServer.require();
    gander = PgTestServer.gander(SCHEMA);
  }

  @AfterAll
  static void close() throws Exception {
    if (gander != null) {
      gander.close();
    }
    PgTestServer.dropSchema(SCHEMA);
  }

  @BeforeEach
  void threads() {
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stop() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aRolledBackEnqueueNotifiesNobody() throws Exception {
    try (Connection listener = PgTestServer.connect()) {
      try (Statement st = listener.createStatement()) {
        st.execute("LISTEN \"" + SCHEMA.channel() + "\"");
      }
      Queue rolled = gander.queue("rolled");
      assertThatThrownBy(
              () ->
                  gander.inTransaction(
                      tx -> {
                        rolled.enqueue(tx, "never");
                        throw new IllegalStateException("roll back");
                      }))
          .hasMessage("roll back");
      gander.queue("marker").enqueue("after");

      // Notifications arrive in commit order: once the marker's is here, a rolled-back one would
      // have been too.
      List<String> heard = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      PGConnection pg = listener.unwrap(PGConnection.class);
      while (!heard.contains("w:marker") && System.nanoTime() < deadline) {
        PGNotification[] got = pg.getNotifications(1_000);
        if (got != null) {
          for (PGNotification n : got) {
            heard.add(n.getParameter());
          }
        }
      }
      assertThat(heard).contains("w:marker").doesNotContain("w:rolled");
      assertThat(rolled.stats().ready()).isZero();
    }
  }

  @Test
  void aWaiterWhoseListeningConnectionIsKilledMidWaitStillGetsTheJob() throws Exception {
    Queue q = gander.queue("killed-listener");
    try (Gander producer = PgTestServer.gander(SCHEMA)) {
      Future<Optional<Job>> polled = pool.submit(() -> q.poll("waiter", Duration.ofSeconds(90)));
      int pid = awaitOne("gander-listen-" + SCHEMA.name());
      terminate(pid);
      // Enqueued while the listener is (most likely) reconnecting: its NOTIFY reaches nobody, and
      // the waiter learns of the job from the re-check that follows the reconnect.
      JobId id = producer.queue(q.name()).enqueue("while nobody listens");
      Job job = polled.get(60, TimeUnit.SECONDS).orElseThrow();
      assertThat(job.id()).isEqualTo(id);
      job.ack();
      assertThat(awaitOne("gander-listen-" + SCHEMA.name())).isNotEqualTo(pid);

      // And listening goes on: the next enqueue wakes the next wait.
      Future<Optional<Job>> again =
          Blocked.submit(pool, () -> q.poll("waiter", Duration.ofSeconds(90)));
      JobId next = producer.queue(q.name()).enqueue("after the reconnect");
      Job second = again.get(60, TimeUnit.SECONDS).orElseThrow();
      assertThat(second.id()).isEqualTo(next);
      second.ack();
    }
  }

  @Test
  void workersWhoseConnectionsAreKilledMidRunLoseNoJob() throws Exception {
    Queue q =
        gander.queue(
            "killed-workers",
            QueueOptions.builder()
                .visibilityTimeout(Duration.ofSeconds(2))
                .maxAttempts(20)
                .backoffBase(Duration.ofMillis(10))
                .backoffCap(Duration.ofMillis(50))
                .build());
    List<Integer> payloads = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      payloads.add(i);
    }
    List<JobId> ids = q.enqueueAll(payloads);
    try (Worker w =
        q.process(
            job -> {
              Thread.sleep(2); // long enough that kills land mid-run
              return job.payloadAs(Integer.class);
            },
            WorkerOptions.builder().concurrency(4).build())) {
      for (int round = 0; round < 5 && !q.awaitDrained(Duration.ZERO); round++) {
        Thread.sleep(100);
        for (int pid : pids("gander-" + SCHEMA.name())) {
          terminate(pid);
        }
      }
      assertThat(q.awaitDrained(Duration.ofSeconds(120))).isTrue();
      assertThat(w.processed()).isGreaterThanOrEqualTo(1);
    }
    for (JobId id : ids) {
      assertThat(gander.results().info(id).state()).as("job %s", id).isEqualTo(JobState.SUCCEEDED);
    }
    assertThat(q.stats().dead()).isZero();
  }

  private static List<Integer> pids(String applicationName) throws SQLException {
    try (Connection c = PgTestServer.connect();
        PreparedStatement ps =
            c.prepareStatement("SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
      ps.setString(1, applicationName);
      try (ResultSet rs = ps.executeQuery()) {
        List<Integer> out = new ArrayList<>();
        while (rs.next()) {
          out.add(rs.getInt(1));
        }
        return out;
      }
    }
  }

  /** The one backend with that name, once it is there (each look is a round trip). */
  private static int awaitOne(String applicationName) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      List<Integer> found = pids(applicationName);
      if (found.size() == 1) {
        return found.get(0);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no single '" + applicationName + "' connection: " + found);
      }
      Thread.sleep(20);
    }
  }

  private static void terminate(int pid) throws SQLException {
    try (Connection c = PgTestServer.connect();
        PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
      ps.setInt(1, pid);
      ps.executeQuery().close();
    }
  }
}
