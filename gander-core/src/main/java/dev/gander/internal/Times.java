package dev.gander.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * Saturating time arithmetic. A duration or instant beyond what a {@code long} of milliseconds or
 * nanoseconds holds means "not before the end of time": it saturates to {@link Long#MAX_VALUE} (or
 * {@link Long#MIN_VALUE} for the distant past) instead of wrapping or throwing {@link
 * ArithmeticException}.
 */
public final class Times {
  private Times() {}

  /**
   * A non-negative duration in milliseconds, saturating.
   *
   * @param d the duration, not negative
   * @return its milliseconds, at most {@link Long#MAX_VALUE}
   */
  public static long millis(Duration d) {
    if (d.getSeconds() >= Long.MAX_VALUE / 1000) {
      return Long.MAX_VALUE;
    }
    return d.toMillis();
  }

  /**
   * A non-negative duration in nanoseconds, saturating.
   *
   * @param d the duration, not negative
   * @return its nanoseconds, at most {@link Long#MAX_VALUE}
   */
  public static long nanos(Duration d) {
    if (d.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L) {
      return Long.MAX_VALUE;
    }
    return d.toNanos();
  }

  /**
   * {@code epochMillis + d}, saturating at {@link Long#MAX_VALUE}.
   *
   * @param epochMillis a time
   * @param d a non-negative duration
   * @return the later time
   */
  public static long plus(long epochMillis, Duration d) {
    return plus(epochMillis, millis(d));
  }

  /**
   * {@code a + b} for a non-negative {@code b}, saturating at {@link Long#MAX_VALUE}.
   *
   * @param a a value
   * @param b a non-negative value
   * @return the sum
   */
  public static long plus(long a, long b) {
    long r = a + b;
    return r < a ? Long.MAX_VALUE : r;
  }

  /**
   * An instant as epoch milliseconds, saturating at both ends.
   *
   * @param t the instant
   * @return its epoch milliseconds
   */
  public static long epochMillis(Instant t) {
    if (t.getEpochSecond() >= Long.MAX_VALUE / 1000) {
      return Long.MAX_VALUE;
    }
    if (t.getEpochSecond() <= Long.MIN_VALUE / 1000) {
      return Long.MIN_VALUE;
    }
    return t.toEpochMilli();
  }

  /**
   * A deadline on {@link System#nanoTime()} that a wait of {@code timeoutNanos} ends at; {@link
   * Long#MAX_VALUE} timeouts mean "wait that long", which no program outlives.
   *
   * @param timeoutNanos the wait, saturated
   * @return a deadline for {@link #nanosLeft}
   */
  public static long deadline(long timeoutNanos) {
    return System.nanoTime() + Math.min(Math.max(0, timeoutNanos), Long.MAX_VALUE / 4);
  }

  /**
   * Nanoseconds left until a deadline from {@link #deadline}.
   *
   * @param deadline the deadline
   * @return what is left, {@code <= 0} once passed
   */
  public static long nanosLeft(long deadline) {
    return deadline - System.nanoTime();
  }

  /**
   * Checks that a duration is given and not negative.
   *
   * @param d the duration
   * @param name its name, for the message
   * @return {@code d}
   */
  public static Duration notNegative(Duration d, String name) {
    if (d == null) {
      throw new NullPointerException(name);
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " must not be negative, was " + d);
    }
    return d;
  }
}
