package dev.gander.store;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Store} opens and runs its connections. Immutable; build with {@link #builder()}.
 *
 * @param busyTimeout how long a write waits for another process's write lock before failing with
 *     {@link dev.gander.DatabaseBusyException} (default 15 s)
 * @param synchronous the writer's {@code PRAGMA synchronous} (default {@link Synchronous#NORMAL})
 * @param readPoolSize how many read-only connections {@link Store#read} may use at once (default 4)
 * @param closeTimeout how long {@link Store#close()} waits for queued writes and borrowed read
 *     connections (default 10 s); longer than {@link Long#MAX_VALUE} nanoseconds (about 292 years,
 *     e.g. {@code ChronoUnit.FOREVER.getDuration()}) counts as that
 */
public record StoreOptions(
    Duration busyTimeout, Synchronous synchronous, int readPoolSize, Duration closeTimeout) {

  /**
   * Validates the options; use {@link #builder()} rather than calling this directly.
   *
   * @param busyTimeout how long a write waits for another process's lock
   * @param synchronous the writer's {@code PRAGMA synchronous}
   * @param readPoolSize how many read-only connections
   * @param closeTimeout how long close waits
   * @throws IllegalArgumentException if an option is out of range
   */
  public StoreOptions {
    Objects.requireNonNull(busyTimeout, "busyTimeout");
    Objects.requireNonNull(synchronous, "synchronous");
    Objects.requireNonNull(closeTimeout, "closeTimeout");
    // Compared as Durations: toMillis() of a huge one throws ArithmeticException.
    if (busyTimeout.isNegative() || busyTimeout.compareTo(MAX_BUSY_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          "busyTimeout must be between 0 and " + Integer.MAX_VALUE + " ms, was " + busyTimeout);
    }
    if (readPoolSize < 1 || readPoolSize > 64) {
      throw new IllegalArgumentException(
          "readPoolSize must be between 1 and 64, was " + readPoolSize);
    }
    if (closeTimeout.isNegative()) {
      throw new IllegalArgumentException("closeTimeout must not be negative, was " + closeTimeout);
    }
    // Saturate: close() counts in nanoseconds, and "wait for ever" is a fair thing to ask.
    if (closeTimeout.compareTo(MAX_CLOSE_TIMEOUT) > 0) {
      closeTimeout = MAX_CLOSE_TIMEOUT;
    }
  }

  /** SQLite takes the busy timeout as an {@code int} of milliseconds. */
  private static final Duration MAX_BUSY_TIMEOUT = Duration.ofMillis(Integer.MAX_VALUE);

  /** The longest close timeout, about 292 years: {@link Long#MAX_VALUE} nanoseconds. */
  private static final Duration MAX_CLOSE_TIMEOUT = Duration.ofNanos(Long.MAX_VALUE);

  /**
   * The defaults: busy timeout 15 s, {@code synchronous=NORMAL}, 4 readers, close timeout 10 s.
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
    return new Builder()
        .busyTimeout(busyTimeout)
        .synchronous(synchronous)
        .readPoolSize(readPoolSize)
        .closeTimeout(closeTimeout);
  }

  /** Builds {@link StoreOptions}. Not thread-safe. */
  public static final class Builder {
    private Duration busyTimeout = Duration.ofSeconds(15);
    private Synchronous synchronous = Synchronous.NORMAL;
    private int readPoolSize = 4;
    private Duration closeTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /**
     * Sets how long a write waits for another connection's lock.
     *
     * @param busyTimeout the wait, 0 to fail at once, at most {@link Integer#MAX_VALUE} ms
     * @return this builder
     */
    public Builder busyTimeout(Duration busyTimeout) {
      this.busyTimeout = Objects.requireNonNull(busyTimeout, "busyTimeout");
      return this;
    }

    /**
     * Sets the writer's {@code PRAGMA synchronous}.
     *
     * @param synchronous {@code NORMAL} or {@code FULL}
     * @return this builder
     */
    public Builder synchronous(Synchronous synchronous) {
      this.synchronous = Objects.requireNonNull(synchronous, "synchronous");
      return this;
    }

    /**
     * Sets the number of read-only connections.
     *
     * @param readPoolSize between 1 and 64
     * @return this builder
     */
    public Builder readPoolSize(int readPoolSize) {
      this.readPoolSize = readPoolSize;
      return this;
    }

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
      return new StoreOptions(busyTimeout, synchronous, readPoolSize, closeTimeout);
    }
  }
}
