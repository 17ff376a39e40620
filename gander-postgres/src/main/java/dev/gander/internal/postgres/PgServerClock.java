package dev.gander.internal.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The PostgreSQL server's clock, read without a round trip: on PostgreSQL, run times, leases,
 * expiry and sweeps use the server's time, so that machines whose clocks disagree never steal a
 * live lease or run a delayed job early (DESIGN §3).
 *
 * <p>The server's time is kept as an offset from this machine's monotonic clock ({@link
 * System#nanoTime()}), so that a step of the local wall clock changes nothing. It is measured with
 * {@code clock_timestamp()}, taking the midpoint of the round trip, which bounds the error by half
 * of it: at open from the best of a few round trips, then again at most every {@value
 * #RESYNC_SECONDS} seconds, on a connection that a transaction has just borrowed ({@link #due()},
 * {@link #resync(Connection)}), which needs no connection and no thread of its own. A measurement
 * replaces the current one only when it is at least as certain: half its round trip against the
 * current one's half round trip plus a drift allowance of {@value #DRIFT_PPM} ppm of its age. A
 * correction backwards of less than a second is absorbed by holding the clock still until it
 * catches up, so that time read in this process does not run back because of a re-measurement; a
 * larger one (the server's clock was stepped) is taken at once.
 *
 * <p>Thread-safe; reading costs two volatile reads and a compare-and-set.
 */
final class PgServerClock extends Clock {
  static final String SERVER_NOW = "SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint";

  static final long RESYNC_SECONDS = 5;
  private static final long RESYNC_NANOS = TimeUnit.SECONDS.toNanos(RESYNC_SECONDS);
  private static final long DRIFT_PPM = 200;
  private static final long MAX_HOLD_MS = 1_000;
  private static final int SAMPLES_AT_OPEN = 3;

  /** One measurement: the server's time at a local monotonic instant, and how sure it is. */
  private record Sample(long serverMillis, long atNanos, long uncertaintyNanos) {
    long millisAt(long nanos) {
      return serverMillis + Math.floorDiv(nanos - atNanos, 1_000_000L);
    }

    /** Half the round trip, plus what the two clocks may have drifted apart since. */
    long uncertaintyAt(long nanos) {
      return uncertaintyNanos + (nanos - atNanos) / 1_000_000L * DRIFT_PPM;
    }
  }

  private volatile Sample sample;
  private volatile long lastAttemptNanos;
  private final AtomicLong lastRead = new AtomicLong(Long.MIN_VALUE);
  private final AtomicBoolean measuring = new AtomicBoolean();

  private PgServerClock(Sample sample) {
    this.sample = sample;
    this.lastAttemptNanos = sample.atNanos();
  }

  /**
   * Measures the server's clock on {@code c} with a few round trips and keeps the most certain.
   *
   * @param c a connection, in any transaction state; nothing is written
   * @return the clock
   * @throws SQLException if a query fails
   */
  static PgServerClock measure(Connection c) throws SQLException {
    Sample best = sample(c);
    for (int i = 1; i < SAMPLES_AT_OPEN; i++) {
      Sample s = sample(c);
      if (s.uncertaintyNanos() < best.uncertaintyNanos()) {
        best = s;
      }
    }
    return new PgServerClock(best);
  }

  private static Sample sample(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(SERVER_NOW)) {
      long before = System.nanoTime();
      long server;
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        server = rs.getLong(1);
      }
      long after = System.nanoTime();
      long half = (after - before) / 2;
      return new Sample(server, before + half, half);
    }
  }

  /**
   * Whether a new measurement is due; true for one caller at a time, which must then call {@link
   * #resync(Connection)}.
   *
   * @return whether the caller should measure now
   */
  boolean due() {
    return System.nanoTime() - lastAttemptNanos > RESYNC_NANOS
        && measuring.compareAndSet(false, true);
  }

  /**
   * Measures once on {@code c}, inside whatever transaction it is in ({@code clock_timestamp()} is
   * the real time, not the transaction's start), and keeps the measurement if it is at least as
   * certain as the current one. Call only after {@link #due()} said so.
   *
   * @param c a connection a transaction has just borrowed
   * @throws SQLException if the query fails; the current measurement stays
   */
  void resync(Connection c) throws SQLException {
    try {
      Sample next = sample(c);
      Sample current = sample;
      if (next.uncertaintyNanos() <= current.uncertaintyAt(next.atNanos())) {
        sample = next;
      }
    } finally {
      lastAttemptNanos = System.nanoTime();
      measuring.set(false);
    }
  }

  @Override
  public long millis() {
    long computed = sample.millisAt(System.nanoTime());
    long last = lastRead.get();
    while (true) {
      if (computed < last && last - computed <= MAX_HOLD_MS) {
        return last; // a small correction backwards: stand still until time catches up
      }
      if (lastRead.compareAndSet(last, computed)) {
        return computed;
      }
      last = lastRead.get();
    }
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    if (zone.equals(ZoneOffset.UTC)) {
      return this;
    }
    PgServerClock server = this;
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return zone;
      }

      @Override
      public Clock withZone(ZoneId other) {
        return server.withZone(other);
      }

      @Override
      public long millis() {
        return server.millis();
      }

      @Override
      public Instant instant() {
        return server.instant();
      }
    };
  }

  @Override
  public String toString() {
    Sample s = sample;
    return "PgServerClock[±" + s.uncertaintyAt(System.nanoTime()) / 1_000 + " µs]";
  }
}
