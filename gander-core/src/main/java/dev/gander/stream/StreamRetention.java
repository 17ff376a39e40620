package dev.gander.stream;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How long a stream keeps its events: by age, by count, both (whichever removes more), or for ever.
 * Stored with the stream, so every process applies the same rule. Retention never removes an event
 * that a consumer with a committed offset has not committed past (see {@link Stream#compact}).
 *
 * @param maxAge events older than this are removed
 * @param maxCount only this many newest events are kept
 */
public record StreamRetention(Optional<Duration> maxAge, OptionalLong maxCount) {
  /**
   * Validates the rule.
   *
   * @param maxAge at least a millisecond, if present
   * @param maxCount at least 1, if present
   * @throws IllegalArgumentException if a limit is out of range
   */
  public StreamRetention {
    Objects.requireNonNull(maxAge, "maxAge");
    Objects.requireNonNull(maxCount, "maxCount");
    if (maxAge.isPresent() && maxAge.get().compareTo(Duration.ofMillis(1)) < 0) {
      throw new IllegalArgumentException("maxAge must be at least 1 ms, was " + maxAge.get());
    }
    if (maxCount.isPresent() && maxCount.getAsLong() < 1) {
      throw new IllegalArgumentException(
          "maxCount must be at least 1, was " + maxCount.getAsLong());
    }
  }

  /**
   * Keeps every event (the default of a stream).
   *
   * @return the rule
   */
  public static StreamRetention forever() {
    return new StreamRetention(Optional.empty(), OptionalLong.empty());
  }

  /**
   * Removes events older than {@code age}.
   *
   * @param age at least a millisecond
   * @return the rule
   */
  public static StreamRetention maxAge(Duration age) {
    return new StreamRetention(Optional.of(age), OptionalLong.empty());
  }

  /**
   * Keeps the newest {@code count} events.
   *
   * @param count at least 1
   * @return the rule
   */
  public static StreamRetention maxCount(long count) {
    return new StreamRetention(Optional.empty(), OptionalLong.of(count));
  }

  /**
   * This rule, also keeping no more than the newest {@code count} events.
   *
   * @param count at least 1
   * @return the combined rule
   */
  public StreamRetention andMaxCount(long count) {
    return new StreamRetention(maxAge, OptionalLong.of(count));
  }

  /**
   * This rule, also removing events older than {@code age}.
   *
   * @param age at least a millisecond
   * @return the combined rule
   */
  public StreamRetention andMaxAge(Duration age) {
    return new StreamRetention(Optional.of(age), maxCount);
  }
}
