package dev.gander.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.sqlite.SqliteOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The close timeout at the edges of what {@link Duration} holds: rejected when negative, saturated
 * when huge, never wrapped around or failing with ArithmeticException. (The busy timeout's edges
 * are in {@code SqliteOptionsTest}.)
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StoreOptionsTest {
  @TempDir Path dir;

  private static final List<Duration> HUGE =
      List.of(
          Duration.ofMillis(Long.MAX_VALUE),
          ChronoUnit.FOREVER.getDuration(),
          Duration.ofSeconds(Long.MAX_VALUE, 999_999_999),
          Duration.ofNanos(Long.MAX_VALUE),
          Duration.ofMillis(Integer.MAX_VALUE + 1L));

  private static final List<Duration> NEGATIVE =
      List.of(
          Duration.ofNanos(-1),
          Duration.ofMillis(-1),
          Duration.ofSeconds(Long.MIN_VALUE),
          ChronoUnit.FOREVER.getDuration().negated());

  @Test
  void aNegativeCloseTimeoutIsRejected() {
    for (Duration d : NEGATIVE) {
      assertThatThrownBy(() -> StoreOptions.builder().closeTimeout(d).build())
          .as("closeTimeout %s", d)
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("closeTimeout");
    }
  }

  @Test
  void aHugeCloseTimeoutSaturatesAndCloseStillWorks() {
    for (Duration d : HUGE) {
      StoreOptions options = StoreOptions.builder().closeTimeout(d).build();
      assertThat(options.closeTimeout())
          .as("closeTimeout %s", d)
          .isLessThanOrEqualTo(d)
          .isPositive();
      assertThat(options.closeTimeout().toNanos())
          .as("in nanoseconds without overflow")
          .isPositive();
      assertThat(options.toBuilder().build()).isEqualTo(options);
    }
    assertThat(
            StoreOptions.builder()
                .closeTimeout(ChronoUnit.FOREVER.getDuration())
                .build()
                .closeTimeout())
        .isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
    assertThat(StoreOptions.builder().closeTimeout(Duration.ofSeconds(10)).build().closeTimeout())
        .isEqualTo(Duration.ofSeconds(10));

    for (Duration d : HUGE) {
      Store store =
          Store.open(
              dir.resolve("huge.db"),
              SqliteOptions.defaults(),
              StoreOptions.builder().closeTimeout(d).build());
      store.write(
          c -> c.createStatement().executeUpdate("CREATE TABLE IF NOT EXISTS t (v INTEGER)"));
      assertThat(
              store
                  .writeAsync(
                      c -> c.createStatement().executeUpdate("INSERT INTO t (v) VALUES (1)"))
                  .join())
          .isEqualTo(1);
      store.close();
      assertThat(store.isClosed()).isTrue();
    }
  }
}
