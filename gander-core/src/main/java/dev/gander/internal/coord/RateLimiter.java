package dev.gander.internal.coord;

import dev.gander.internal.Names;
import dev.gander.internal.Times;
import dev.gander.internal.spi.Backend;
import dev.gander.internal.spi.RateLimitOps;
import dev.gander.internal.spi.TxRunner;
import dev.gander.ratelimit.RateLimitDecision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fixed-window rate limits on any backend: each call is counted in one write, atomically across
 * processes, in the window {@code [floor(now / window) × window, + window)}. Old windows are
 * deleted every {@link #PRUNE_EVERY} calls of this process.
 */
public final class RateLimiter {
  static final int PRUNE_EVERY = 1024;

  private final TxRunner tx;
  private final RateLimitOps ops;
  private final Clock clock;
  private final AtomicLong calls = new AtomicLong();

  /**
   * Creates the limiter.
   *
   * @param backend the open database
   * @param clock time of windows (the server's, on PostgreSQL)
   */
  public RateLimiter(Backend backend, Clock clock) {
    this.tx = backend.transactions();
    this.ops = backend.rateLimits();
    this.clock = clock;
  }

  /**
   * Counts a call of {@code key} and decides it.
   *
   * @param key the key
   * @param limit calls allowed per window
   * @param window the window's length
   * @return the decision
   */
  public RateLimitDecision decide(String key, int limit, Duration window) {
    if (tx.isClosed()) {
      throw tx.closedException();
    }
    Names.check("rate limit key", key);
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    Objects.requireNonNull(window, "window");
    if (window.compareTo(Duration.ofMillis(1)) < 0) {
      throw new IllegalArgumentException("window must be at least 1 ms, was " + window);
    }
    long windowMs = Times.millis(window);
    boolean prune = calls.incrementAndGet() % PRUNE_EVERY == 0;
    RateLimitOps.Hit hit =
        tx.runWrite(
            t -> {
              long now = clock.millis();
              long start = now - Math.floorMod(now, windowMs);
              RateLimitOps.Hit h = ops.hit(t, key, start, windowMs);
              if (prune) {
                ops.prune(t, now);
              }
              return h;
            });
    return new RateLimitDecision(
        hit.count() <= limit,
        Math.max(0, limit - hit.count()),
        Instant.ofEpochMilli(Times.plus(hit.windowStart(), windowMs)));
  }
}
