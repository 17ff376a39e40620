package dev.gander.store;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Store} runs, on every backend. Immutable; build with {@link #builder()}. The
 * settings of a SQLite file (busy timeout, {@code synchronous}, read pool, wake mode, page size)
 * are in {@link dev.gander.sqlite.SqliteOptions}.
 *
 * @param closeTimeout how long {@link Store#close()} waits for queued writes and borrowed
 *     connections (default 10 s); longer than {@link Long#MAX_VALUE} nanoseconds (about 292 years,
 *     e.g. {@code ChronoUnit.FOREVER.getDuration()}) counts as that
 */
public record StoreOptions(Duration closeTimeout) {

  /**
   * Validates the options; use {@link #builder()} rather than calling this directly.
   *
   * @param closeTimeout how long close waits
   * @throws IllegalArgumentException if an option is out of range
   */
  public StoreOptions {
    Objects.requireNonNull(closeTimeout, "closeTimeout");
    if (closeTimeout.isNegative()) {
      throw new IllegalArgumentException("closeTimeout must not be negative, was " + closeTimeout);
    }
    // Saturate: close() counts in nanoseconds, and "wait for ever" is a fair thing to ask.
    if (closeTimeout.compareTo(MAX_CLOSE_TIMEOUT) > 0) {
      closeTimeout = MAX_CLOSE_TIMEOUT;
    }
  }

  /** The longest close timeout, about 292 years: {@link Long#MAX_VALUE} nanoseconds. */
  private static final Duration MAX_CLOSE_TIMEOUT = Duration.ofNanos(Long.MAX_VALUE);

  /**
   * The defaults: close timeout 10 s.
   *
   * @return the default options
   */
  public static StoreOptions defaults() {
    return builder().build();
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder starting from these options.
   *
   * @return a new builder with this record's values
   */
  public Builder toBuilder() {
    return new Builder().closeTimeout(closeTimeout);
  }

  /** Builds {@link StoreOptions}. Not thread-safe. */
  public static final class Builder {
    private Duration closeTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /**
     * Sets how long {@code close()} waits for queued work.
     *
     * @param closeTimeout the bound, not negative; above {@link Long#MAX_VALUE} nanoseconds it
     *     counts as that
     * @return this builder
     */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     * @throws IllegalArgumentException if a value is out of range, with the allowed range
     */
    public StoreOptions build() {
      return new StoreOptions(closeTimeout);
    }
  }
}
