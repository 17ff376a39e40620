package dev.gander.queue;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link Worker} runs. Immutable; build with {@link #builder()}.
 *
 * @param concurrency how many jobs run at once, each on its own pool thread (default 1)
 * @param workerId the name recorded on claimed jobs; default {@code host-pid-queue}
 * @param shutdownTimeout how long {@link Worker#close()} waits for running jobs (default 30 s); a
 *     duration too long to count in nanoseconds (about 292 years), such as {@code
 *     ChronoUnit.FOREVER.getDuration()}, means no limit
 * @param heartbeat whether long jobs get their lease extended automatically (default on: every
 *     third of the visibility timeout)
 */
public record WorkerOptions(
    int concurrency, Optional<String> workerId, Duration shutdownTimeout, boolean heartbeat) {

  /**
   * Validates the options; use {@link #builder()} rather than calling this directly.
   *
   * @param concurrency how many jobs run at once
   * @param workerId the name recorded on claimed jobs
   * @param shutdownTimeout how long close waits for running jobs
   * @param heartbeat whether leases are extended automatically
   * @throws IllegalArgumentException if an option is out of range
   */
  public WorkerOptions {
    Objects.requireNonNull(workerId, "workerId");
    Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    if (concurrency < 1 || concurrency > 1024) {
      throw new IllegalArgumentException(
          "concurrency must be between 1 and 1024, was " + concurrency);
    }
    if (shutdownTimeout.isNegative()) {
      throw new IllegalArgumentException("shutdownTimeout must not be negative");
    }
  }

  /**
   * The defaults.
   *
   * @return default options
   */
  public static WorkerOptions defaults() {
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

  /** Builds {@link WorkerOptions}. Not thread-safe. */
  public static final class Builder {
    private int concurrency = 1;
    private @Nullable String workerId;
    private Duration shutdownTimeout = Duration.ofSeconds(30);
    private boolean heartbeat = true;

    private Builder() {}

    /**
     * Sets how many jobs run at once.
     *
     * @param concurrency 1 to 1024
     * @return this builder
     */
    public Builder concurrency(int concurrency) {
      this.concurrency = concurrency;
      return this;
    }

    /**
     * Sets the worker's name.
     *
     * @param workerId recorded on claimed jobs
     * @return this builder
     */
    public Builder workerId(String workerId) {
      this.workerId = Objects.requireNonNull(workerId, "workerId");
      return this;
    }

    /**
     * Sets how long close waits for running jobs.
     *
     * @param shutdownTimeout not negative; anything over about 292 years means no limit
     * @return this builder
     */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
      return this;
    }

    /**
     * Turns automatic lease extension on or off.
     *
     * @param heartbeat whether to heartbeat running jobs
     * @return this builder
     */
    public Builder heartbeat(boolean heartbeat) {
      this.heartbeat = heartbeat;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     */
    public WorkerOptions build() {
      return new WorkerOptions(
          concurrency, Optional.ofNullable(workerId), shutdownTimeout, heartbeat);
    }
  }
}
