package dev.gander.internal.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.gander.internal.spi.WakeKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@RequiresPostgres
class PgNotifierTest {
  private static final PgSchema SCHEMA = PgTestServer.freshSchema(PgNotifierTest.class);
  private static PgBackend backend;

  private final BlockingQueue<WakeKey> woken = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> rechecks = new LinkedBlockingQueue<>();
  private PgNotifier notifier;

  @BeforeAll
  static void open() {
    PgTestServer.require();
    backend = PgTestServer.open(SCHEMA);
  }

  @AfterAll
  static void close() throws Exception {
    if (backend != null) {
      backend.close();
    }
    PgTestServer.dropSchema(SCHEMA);
  }

  @BeforeEach
  void listen() throws InterruptedException {
    notifier = new PgNotifier(SCHEMA, PgTestServer::connect, SCHEMA.name());
    notifier.listen(woken::add, () -> rechecks.add("recheck"));
    assertThat(notifier.awaitListening(Duration.ofSeconds(10))).isTrue();
    // Listening begins with a re-check: a waiter may have looked just before the LISTEN.
    assertThat(rechecks.poll()).as("re-check once listening").isEqualTo("recheck");
    assertThat(rechecks).isEmpty();
  }

  @AfterEach
  void stop() {
    notifier.close();
  }

  private void send(WakeKey... keys) {
    backend
        .runner()
        .runWrite(
            tx -> {
              backend.notifier().send(tx, List.of(keys));
              return null;
            });
  }

  private WakeKey next() throws InterruptedException {
    WakeKey k = woken.poll(10, TimeUnit.SECONDS);
    assertThat(k).as("a wake-up within 10 s").isNotNull();
    return k;
  }

  @Test
  void keysTravelAsShortStrings() {
    assertThat(PgNotifier.encode(new WakeKey.QueueWork("emails"))).isEqualTo("w:emails");
    assertThat(PgNotifier.encode(new WakeKey.QueueDrain("a:b"))).isEqualTo("d:a:b");
    assertThat(PgNotifier.encode(WakeKey.JobEnded.INSTANCE)).isEqualTo("e");
    for (WakeKey k :
        List.of(
            new WakeKey.QueueWork("emails"),
            new WakeKey.QueueWork("a:b.c-d"),
            new WakeKey.QueueDrain("x"),
            WakeKey.JobEnded.INSTANCE)) {
      assertThat(PgNotifier.decode(PgNotifier.encode(k))).hasValue(k);
    }
    assertThat(PgNotifier.decode("z:future")).isEmpty();
    assertThat(PgNotifier.decode("w:")).isEmpty();
    assertThat(PgNotifier.decode("")).isEmpty();
  }

  @Test
  void aCommittedKeyIsDeliveredDecoded() throws InterruptedException {
    send(new WakeKey.QueueWork("emails"));
    assertThat(next()).isEqualTo(new WakeKey.QueueWork("emails"));
    send(new WakeKey.QueueDrain("emails"), WakeKey.JobEnded.INSTANCE);
    assertThat(List.of(next(), next()))
        .containsExactlyInAnyOrder(new WakeKey.QueueDrain("emails"), WakeKey.JobEnded.INSTANCE);
  }

  @Test
  void aRolledBackTransactionWakesNobody() throws InterruptedException {
    assertThatThrownBy(
            () ->
                backend
                    .runner()
                    .runWrite(
                        tx -> {
                          backend.notifier().send(tx, new WakeKey.QueueWork("rolled-back"));
                          throw new IllegalStateException("roll back");
                        }))
        .hasMessage("roll back");
    // Notifications arrive in commit order: once the marker is here, the rolled-back one would
    // have been too.
    send(new WakeKey.QueueWork("marker"));
    assertThat(next()).isEqualTo(new WakeKey.QueueWork("marker"));
    assertThat(woken).isEmpty();
  }

  @Test
  void anotherSchemasKeysAreNotHeard() throws InterruptedException, SQLException {
    PgSchema other = PgTestServer.freshSchema(PgNotifierTest.class);
    PgNotifier elsewhere = new PgNotifier(other, PgTestServer::connect, other.name());
    try (Connection c = PgTestServer.connect()) {
      c.setAutoCommit(false);
      elsewhere.send(new PgTx(c, true), new WakeKey.QueueWork("elsewhere"));
      c.commit();
    }
    send(new WakeKey.QueueWork("marker"));
    assertThat(next()).isEqualTo(new WakeKey.QueueWork("marker"));
    assertThat(woken).isEmpty();
  }

  @Test
  void aKilledListeningConnectionIsReplacedAndWaitersRecheck() throws Exception {
    int pid = listenerPid();
    try (Connection c = PgTestServer.connect();
        PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
      ps.setInt(1, pid);
      ps.executeQuery().close();
    }
    assertThat(rechecks.poll(15, TimeUnit.SECONDS)).as("re-check after reconnecting").isNotNull();
    assertThat(notifier.awaitListening(Duration.ofSeconds(10))).isTrue();
    assertThat(listenerPid()).isNotEqualTo(pid);
    send(new WakeKey.QueueWork("after"));
    assertThat(next()).isEqualTo(new WakeKey.QueueWork("after"));
  }

  @Test
  void closingStopsTheThreadAndTheConnection() throws Exception {
    assertThat(listenerPids()).hasSize(1);
    notifier.close();
    notifier.close();
    assertThat(
            Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("gander-listen-" + SCHEMA.name())))
        .isEmpty();
    // The server ends the session a moment after the client's Terminate: ask again until then
    // (each question is a round trip, not a spin).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!listenerPids().isEmpty() && System.nanoTime() < deadline) {
      try (Connection c = PgTestServer.connect();
          Statement st = c.createStatement()) {
        st.execute("SELECT pg_sleep(0.01)");
      }
    }
    assertThat(listenerPids()).isEmpty();
    assertThatThrownBy(() -> notifier.listen(k -> {}, () -> {}))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aPooledListeningConnectionGoesBackWithoutItsListen() throws Exception {
    notifier.close();
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(PgTestServer.URL);
    hc.setMaximumPoolSize(1);
    hc.setPoolName("app-pool-listen");
    try (HikariDataSource app = new HikariDataSource(hc)) {
      PgNotifier pooled = new PgNotifier(SCHEMA, app::getConnection, SCHEMA.name());
      CountDownLatch heard = new CountDownLatch(1);
      pooled.listen(k -> heard.countDown(), () -> {});
      assertThat(pooled.awaitListening(Duration.ofSeconds(10))).isTrue();
      send(new WakeKey.QueueWork("pooled"));
      assertThat(heard.await(10, TimeUnit.SECONDS)).isTrue();
      pooled.close();
      try (Connection c = app.getConnection();
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_listening_channels()")) {
        rs.next();
        assertThat(rs.getInt(1)).isZero();
      }
    }
  }

  private int listenerPid() throws SQLException {
    List<Integer> pids = listenerPids();
    assertThat(pids).hasSize(1);
    return pids.get(0);
  }

  private List<Integer> listenerPids() throws SQLException {
    try (Connection c = PgTestServer.connect();
        PreparedStatement ps =
            c.prepareStatement("SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
      ps.setString(1, notifier.applicationName());
      try (ResultSet rs = ps.executeQuery()) {
        List<Integer> out = new java.util.ArrayList<>();
        while (rs.next()) {
          out.add(rs.getInt(1));
        }
        return out;
      }
    }
  }
}
