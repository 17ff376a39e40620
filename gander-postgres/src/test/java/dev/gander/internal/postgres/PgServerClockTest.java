package dev.gander.internal.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@RequiresPostgres
class PgServerClockTest {
  @BeforeAll
  static void server() {
    PgTestServer.require();
  }

  private static long serverNow(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(PgServerClock.SERVER_NOW)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void readsTheServersTimeWithoutARoundTrip() throws Exception {
    try (Connection c = PgTestServer.connect()) {
      PgServerClock clock = PgServerClock.measure(c);
      for (int i = 0; i < 20; i++) {
        long before = serverNow(c);
        long read = clock.millis();
        long after = serverNow(c);
        // Within the server's readings around it, give or take the estimate's error (half a
        // round trip on a local connection, and a millisecond of rounding).
        assertThat(read).isBetween(before - 5, after + 5);
      }
      assertThat(clock.instant().toEpochMilli()).isGreaterThanOrEqualTo(clock.millis() - 1);
      assertThat(clock.due()).as("not due right after measuring").isFalse();
    }
  }

  @Test
  void neverRunsBackwardsWithinOneProcess() throws Exception {
    try (Connection c = PgTestServer.connect()) {
      PgServerClock clock = PgServerClock.measure(c);
      long last = clock.millis();
      for (int i = 0; i < 5; i++) {
        clock.resync(c); // a measurement a little apart from the first one
        for (int j = 0; j < 1_000; j++) {
          long now = clock.millis();
          assertThat(now).isGreaterThanOrEqualTo(last);
          last = now;
        }
      }
    }
  }
}
