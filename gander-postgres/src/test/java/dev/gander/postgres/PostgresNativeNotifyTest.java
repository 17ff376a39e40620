package dev.gander.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.Gander;
import dev.gander.internal.postgres.PgSchema;
import dev.gander.internal.postgres.PgTestServer;
import dev.gander.internal.postgres.RequiresPostgres;
import dev.gander.pubsub.Listener;
import dev.gander.pubsub.Notification;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Pub/sub on PostgreSQL rides on {@code LISTEN/NOTIFY} itself: a small notification is a NOTIFY
 * payload and writes no row; one over the 8,000-byte limit is a row sent by reference and pruned
 * after the retention; a listener whose connection is killed listens again.
 */
@RequiresPostgres
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PostgresNativeNotifyTest {
  private static final PgSchema SCHEMA = PgTestServer.freshSchema(PostgresNativeNotifyTest.class);
  private static Gander gander;

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

  @Test
  void aSmallNotificationIsANotifyPayloadAndALargeOneARowSentByReference() throws Exception {
    try (Connection raw = PgTestServer.connect()) {
      try (Statement st = raw.createStatement()) {
        st.execute("LISTEN \"" + SCHEMA.channel() + "\"");
      }
      gander.notify("native", "small");
      gander.notify("native", "x".repeat(9_000));
      List<String> heard = new ArrayList<>();
      PGConnection pg = raw.unwrap(PGConnection.class);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (heard.size() < 2 && System.nanoTime() < deadline) {
        PGNotification[] got = pg.getNotifications(1_000);
        if (got != null) {
          for (PGNotification n : got) {
            heard.add(n.getParameter());
          }
        }
      }
      assertThat(heard).hasSize(2);
      assertThat(heard.get(0)).startsWith("m:").contains(":native ").endsWith(" \"small\"");
      assertThat(heard.get(1)).startsWith("r:").contains(":native ").endsWith(" 1");
    }
    assertThat(rows("native")).isEqualTo(1); // the large one only
  }

  @Test
  void rowsOfLargeNotificationsArePrunedAfterTheRetention() throws Exception {
    try (Gander shortLived =
            Gander.builder()
                .postgres(PgTestServer.URL)
                .schema(SCHEMA.name())
                .notificationRetention(Duration.ofMillis(100))
                .open();
        Listener l = gander.listen("pruned")) {
      shortLived.notify("pruned", "a".repeat(10_000));
      Thread.sleep(400);
      shortLived.notify("pruned", "b".repeat(10_000)); // prunes rows older than 100 ms
      assertThat(rows("pruned")).isEqualTo(1);
      // The listener had the first queued by reference: its row is gone, so it is skipped.
      assertThat(l.poll(Duration.ofSeconds(10)).orElseThrow().payloadAs(String.class))
          .startsWith("b");
      assertThat(l.poll(Duration.ofMillis(50))).isEmpty();
    }
  }

  @Test
  void aListenerWhoseConnectionIsKilledListensAgain() throws Exception {
    try (Gander other = PgTestServer.gander(SCHEMA);
        Listener l = other.listen("killed")) {
      int pid = listeningPid();
      try (Connection c = PgTestServer.connect();
          PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
        ps.setInt(1, pid);
        ps.executeQuery().close();
      }
      long reconnected = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (listeningPid() == pid) {
        assertThat(System.nanoTime()).as("reconnected in time").isLessThan(reconnected);
        Thread.sleep(20);
      }
      // Sent while it reconnects, a notification is lost to it (pub/sub is not durable): send
      // until one arrives, then every later one arrives in order.
      Optional<Notification> first = Optional.empty();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (int i = 0; first.isEmpty() && System.nanoTime() < deadline; i++) {
        gander.notify("killed", -1);
        first = l.poll(Duration.ofMillis(200));
      }
      assertThat(first).isPresent();
      while (l.poll(Duration.ofMillis(200)).isPresent()) {
        // Late ones of the probe sends.
      }
      for (int i = 0; i < 20; i++) {
        gander.notify("killed", i);
      }
      for (int i = 0; i < 20; i++) {
        assertThat(l.poll(Duration.ofSeconds(10)).orElseThrow().payloadAs(Integer.class))
            .isEqualTo(i);
      }
    }
  }

  /** The listening connection of the second instance: the one that is not the first's. */
  private static int listeningPid() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      List<Integer> pids = new ArrayList<>();
      try (Connection c = PgTestServer.connect();
          PreparedStatement ps =
              c.prepareStatement(
                  "SELECT pid FROM pg_stat_activity WHERE application_name = ?"
                      + " ORDER BY backend_start DESC")) {
        ps.setString(1, "gander-listen-" + SCHEMA.name());
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            pids.add(rs.getInt(1));
          }
        }
      }
      if (!pids.isEmpty()) {
        return pids.get(0);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no listening connection");
      }
      Thread.sleep(20);
    }
  }

  private static long rows(String channel) throws SQLException {
    try (Connection c = PgTestServer.connect();
        PreparedStatement ps =
            c.prepareStatement(
                SCHEMA.sql("SELECT count(*) FROM {schema}.gander_events WHERE stream = ?"))) {
      ps.setString(1, "!" + channel);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
