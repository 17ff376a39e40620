package dev.gander.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.DatabaseBusyException;
import dev.gander.Gander;
import dev.gander.sqlite.SqliteOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Another connection holding the write lock past the busy timeout, then letting go. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class QueueBusyTest {
  @TempDir Path dir;

  @Test
  void writesFailWithDatabaseBusyWhileLockedAndWorkAgainAfterwards() throws Exception {
    Path db = dir.resolve("app.db");
    try (Gander gander =
        Gander.builder()
            .path(db)
            .sqlite(SqliteOptions.builder().busyTimeout(Duration.ofMillis(200)).build())
            .open()) {
      Queue q = gander.queue("jobs");
      JobId before = q.enqueue("before");
      Job claimed = q.claim("w").orElseThrow();
      assertThat(claimed.id()).isEqualTo(before);
      q.enqueue("second");

      try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + db);
          Statement st = other.createStatement()) {
        st.execute("BEGIN IMMEDIATE"); // another process's long write transaction
        assertThatThrownBy(() -> q.enqueue("during"))
            .isInstanceOf(DatabaseBusyException.class)
            .hasMessageContaining("busy");
        assertThatThrownBy(() -> q.claim("w")).isInstanceOf(DatabaseBusyException.class);
        assertThatThrownBy(claimed::ack).isInstanceOf(DatabaseBusyException.class);
        assertThat(claimed.isSettled()).isFalse();
        st.execute("ROLLBACK");
      }

      // Every statement the failures touched works again.
      JobId after = q.enqueue("after");
      claimed.ack();
      assertThat(q.claim("w").map(j -> j.payloadAs(String.class))).contains("second");
      assertThat(q.claim("w").map(Job::id)).contains(after);
      assertThat(q.stats().ready()).isZero();
    }
  }
}
