package dev.gander.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.Gander;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fixed windows by a clock moved by hand: the count starts again exactly at the boundary. */
class RateLimitWindowTest {
  @TempDir Path dir;

  /** A clock that moves only when told. */
  static final class MovableClock extends Clock {
    final AtomicLong millis;

    MovableClock(long start) {
      millis = new AtomicLong(start);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }
  }

  @Test
  void theCountStartsAgainAtTheWindowBoundaryAndNotBefore() {
    Duration minute = Duration.ofMinutes(1);
    long start = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
    MovableClock clock = new MovableClock(start + 5_000);
    try (Gander g = Gander.builder().path(dir.resolve("limits.db")).clock(clock).open()) {
      for (int i = 0; i < 3; i++) {
        assertThat(g.tryRateLimit("api", 3, minute)).isTrue();
      }
      RateLimitDecision refused = g.rateLimit("api", 3, minute);
      assertThat(refused.allowed()).isFalse();
      assertThat(refused.resetAt()).isEqualTo(Instant.parse("2026-12-01T10:01:00Z"));

      clock.millis.set(start + 59_999); // the last millisecond of the window
      assertThat(g.tryRateLimit("api", 3, minute)).isFalse();

      clock.millis.set(start + 60_000); // the next window
      RateLimitDecision fresh = g.rateLimit("api", 3, minute);
      assertThat(fresh.allowed()).isTrue();
      assertThat(fresh.remaining()).isEqualTo(2);
      assertThat(fresh.resetAt()).isEqualTo(Instant.parse("2026-12-01T10:02:00Z"));

      // A process whose clock is behind counts in the current window, never moving it back.
      try (Gander behind =
          Gander.builder()
              .path(dir.resolve("limits.db"))
              .clock(new MovableClock(start + 30_000))
              .open()) {
        RateLimitDecision late = behind.rateLimit("api", 3, minute);
        assertThat(late.remaining()).isEqualTo(1);
        assertThat(late.resetAt()).isEqualTo(Instant.parse("2026-12-01T10:02:00Z"));
      }
      assertThat(g.rateLimit("api", 3, minute).remaining()).isZero();
    }
  }
}
