package dev.gander.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.Gander;
import dev.gander.store.Store;
import dev.gander.store.StoreTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SqliteOptions}: the defaults, every field refused out of range with the allowed range in
 * the message, and the page size applied to a file Gander creates but never to one that exists.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SqliteOptionsTest {
  @TempDir Path dir;

  @Test
  void theDefaults() {
    SqliteOptions d = SqliteOptions.defaults();
    assertThat(d.busyTimeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(d.synchronous()).isEqualTo(Synchronous.NORMAL);
    assertThat(d.readPoolSize()).isEqualTo(4);
    assertThat(d.wakeMode()).isEqualTo(WakeMode.AUTO);
    assertThat(d.pageSize()).isEqualTo(4096);
    assertThat(SqliteOptions.builder().build()).isEqualTo(d);
  }

  @Test
  void toBuilderKeepsEveryField() {
    SqliteOptions o =
        SqliteOptions.builder()
            .busyTimeout(Duration.ofMillis(1))
            .synchronous(Synchronous.FULL)
            .readPoolSize(64)
            .wakeMode(WakeMode.POLLING)
            .pageSize(65536)
            .build();
    assertThat(o.toBuilder().build()).isEqualTo(o);
    assertThat(o.toBuilder().readPoolSize(1).build())
        .isEqualTo(
            new SqliteOptions(Duration.ofMillis(1), Synchronous.FULL, 1, WakeMode.POLLING, 65536));
  }

  @Test
  void aBusyTimeoutOutsideWhatSqliteTakesIsRejectedWithTheRange() {
    List<Duration> refused =
        List.of(
            Duration.ofMillis(Long.MAX_VALUE),
            ChronoUnit.FOREVER.getDuration(),
            Duration.ofSeconds(Long.MAX_VALUE, 999_999_999),
            Duration.ofNanos(Long.MAX_VALUE),
            Duration.ofMillis(Integer.MAX_VALUE + 1L),
            Duration.ofNanos(-1),
            Duration.ofMillis(-1),
            Duration.ofSeconds(Long.MIN_VALUE),
            ChronoUnit.FOREVER.getDuration().negated());
    for (Duration d : refused) {
      assertThatThrownBy(() -> SqliteOptions.builder().busyTimeout(d).build())
          .as("busyTimeout %s", d)
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("busyTimeout must be between 0 and " + Integer.MAX_VALUE + " ms");
    }
    Duration max = Duration.ofMillis(Integer.MAX_VALUE);
    assertThat(SqliteOptions.builder().busyTimeout(max).build().busyTimeout()).isEqualTo(max);
    assertThat(SqliteOptions.builder().busyTimeout(Duration.ZERO).build().busyTimeout()).isZero();
  }

  @Test
  void aReadPoolSizeOutsideOneTo64IsRejected() {
    for (int n : new int[] {0, -1, 65, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
      assertThatThrownBy(() -> SqliteOptions.builder().readPoolSize(n).build())
          .as("readPoolSize %d", n)
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("readPoolSize must be between 1 and 64, was " + n);
    }
    assertThat(SqliteOptions.builder().readPoolSize(1).build().readPoolSize()).isEqualTo(1);
    assertThat(SqliteOptions.builder().readPoolSize(64).build().readPoolSize()).isEqualTo(64);
  }

  @Test
  void aPageSizeThatIsNotAPowerOfTwoFrom512To65536IsRejected() {
    for (int n : new int[] {0, -4096, 1, 256, 511, 513, 1000, 3000, 4095, 131072, 1 << 30}) {
      assertThatThrownBy(() -> SqliteOptions.builder().pageSize(n).build())
          .as("pageSize %d", n)
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("pageSize must be a power of two between 512 and 65536 bytes, was " + n);
    }
    for (int n = 512; n <= 65536; n *= 2) {
      assertThat(SqliteOptions.builder().pageSize(n).build().pageSize()).isEqualTo(n);
    }
  }

  @Test
  void nullsAreRefusedByName() {
    assertThatThrownBy(() -> SqliteOptions.builder().busyTimeout(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("busyTimeout");
    assertThatThrownBy(() -> SqliteOptions.builder().synchronous(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("synchronous");
    assertThatThrownBy(() -> SqliteOptions.builder().wakeMode(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("wakeMode");
  }

  @Test
  void thePageSizeAppliesToANewFile() throws Exception {
    Path db = dir.resolve("big-pages.db");
    try (Store store = Store.open(db, SqliteOptions.builder().pageSize(16384).build())) {
      assertThat(store.info().sqlite().orElseThrow().pageSize()).isEqualTo(16384);
      assertThat(store.<Long>read(c -> StoreTestSupport.queryLong(c, "PRAGMA page_size")))
          .isEqualTo(16384L);
      assertThat(store.info().sqlite().orElseThrow().journalMode()).isEqualTo("wal");
    }
    try (Store ro = Store.openReadOnly(db)) {
      assertThat(ro.info().sqlite().orElseThrow().pageSize()).isEqualTo(16384);
    }
    // An empty file holds no database yet: it is created with the configured page size too.
    Path empty = Files.createFile(dir.resolve("empty.db"));
    try (Gander gander =
        Gander.builder()
            .path(empty)
            .sqlite(SqliteOptions.builder().pageSize(1024).build())
            .open()) {
      gander.queue("q").enqueue("works");
      assertThat(gander.store().info().sqlite().orElseThrow().pageSize()).isEqualTo(1024);
    }
  }

  @Test
  void anExistingFileKeepsItsPageSize() throws Exception {
    Path db = dir.resolve("existing.db");
    try (Store store = Store.open(db, SqliteOptions.builder().pageSize(8192).build())) {
      store.write(c -> c.createStatement().executeUpdate("CREATE TABLE t (v TEXT)"));
    }
    for (int asked : new int[] {512, 4096, 65536}) {
      try (Store store = Store.open(db, SqliteOptions.builder().pageSize(asked).build())) {
        assertThat(store.info().sqlite().orElseThrow().pageSize())
            .as("asked %d", asked)
            .isEqualTo(8192);
        store.write(c -> c.createStatement().executeUpdate("INSERT INTO t (v) VALUES ('x')"));
      }
    }
    try (Store store = Store.open(db)) {
      assertThat(store.info().sqlite().orElseThrow().pageSize()).isEqualTo(8192);
      assertThat(StoreTestSupport.count(store, "t")).isEqualTo(3);
    }

    // A file the application made (SQLite's default page size, its own table) keeps it too.
    Path app = dir.resolve("app.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + app);
        Statement st = c.createStatement()) {
      st.execute("PRAGMA page_size=2048");
      st.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)");
    }
    try (Gander gander =
        Gander.builder().path(app).sqlite(SqliteOptions.builder().pageSize(32768).build()).open()) {
      assertThat(gander.store().info().sqlite().orElseThrow().pageSize()).isEqualTo(2048);
    }
  }
}
