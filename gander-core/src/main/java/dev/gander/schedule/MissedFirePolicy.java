package dev.gander.schedule;

import java.util.Objects;

/**
 * What a runner does with ticks that came due while no runner led (every process was down, or the
 * leader died and its lock had not yet run out).
 *
 * <p>Ticks are counted from the last tick fired (or from when the task was added or resumed). When
 * a runner finds more than one tick due, or one tick more than {@link #GRACE_MS} ms late, the
 * policy decides:
 *
 * <ul>
 *   <li>{@link #fireOnce()} (the default): one job, for the latest due tick;
 *   <li>{@link #fireAll(int)}: a job for every due tick, oldest first, but at most {@code max} of
 *       them (the latest {@code max});
 *   <li>{@link #skip()}: no job; the next tick fires as usual.
 * </ul>
 *
 * @param kind which of the three
 * @param max for {@link Kind#FIRE_ALL}, the most jobs fired at once for missed ticks; 1 otherwise
 */
public record MissedFirePolicy(Kind kind, int max) {
  /** How late a tick may fire and still count as on time, in milliseconds. */
  public static final long GRACE_MS = 1_000;

  /** The three policies. */
  public enum Kind {
    /** One job for the latest due tick. */
    FIRE_ONCE,
    /** A job for each due tick, up to a bound. */
    FIRE_ALL,
    /** No job for missed ticks. */
    SKIP
  }

  /**
   * Validates the policy.
   *
   * @param kind which of the three
   * @param max the bound of {@link Kind#FIRE_ALL}, 1 to 10,000; 1 for the others
   */
  public MissedFirePolicy {
    Objects.requireNonNull(kind, "kind");
    if (kind == Kind.FIRE_ALL ? max < 1 || max > 10_000 : max != 1) {
      throw new IllegalArgumentException(
          kind == Kind.FIRE_ALL
              ? "max must be 1 to 10,000 for FIRE_ALL, was " + max
              : "max is 1 for " + kind + ", was " + max + "; use fireAll(max) for a bound");
    }
  }

  /**
   * One job for the latest missed tick: the default.
   *
   * @return the policy
   */
  public static MissedFirePolicy fireOnce() {
    return new MissedFirePolicy(Kind.FIRE_ONCE, 1);
  }

  /**
   * A job for each missed tick, at most {@code max} (the latest ones).
   *
   * @param max the bound, 1 to 10,000
   * @return the policy
   */
  public static MissedFirePolicy fireAll(int max) {
    return new MissedFirePolicy(Kind.FIRE_ALL, max);
  }

  /**
   * No job for missed ticks.
   *
   * @return the policy
   */
  public static MissedFirePolicy skip() {
    return new MissedFirePolicy(Kind.SKIP, 1);
  }
}
