package dev.gander.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * How one job is enqueued. Immutable; build with {@link #builder()}.
 *
 * @param priority higher runs first (default 0)
 * @param delay how long after enqueue the job becomes claimable (default none); ignored when {@code
 *     runAt} is set
 * @param runAt when the job becomes claimable
 * @param maxAttempts overrides the queue's default number of attempts
 * @param uniqueKey while a job with this key is live in the queue (ready, scheduled or running),
 *     enqueueing again returns that job's id and writes nothing
 * @param expiresIn a job not claimed within this time of enqueue is dead-lettered with reason
 *     {@code expired} and never run
 */
public record EnqueueOptions(
    int priority,
    Duration delay,
    Optional<Instant> runAt,
    OptionalInt maxAttempts,
    Optional<String> uniqueKey,
    Optional<Duration> expiresIn) {

  private static final EnqueueOptions DEFAULTS = builder().build();

  /**
   * Validates the options; use {@link #builder()} rather than calling this directly.
   *
   * @param priority higher runs first
   * @param delay how long until the job is claimable
   * @param runAt when the job becomes claimable
   * @param maxAttempts the attempts for this job
   * @param uniqueKey the key that keeps one live job
   * @param expiresIn how long the job may wait to be claimed
   * @throws IllegalArgumentException if an option is out of range
   */
  public EnqueueOptions {
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(runAt, "runAt");
    Objects.requireNonNull(maxAttempts, "maxAttempts");
    Objects.requireNonNull(uniqueKey, "uniqueKey");
    Objects.requireNonNull(expiresIn, "expiresIn");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, was " + delay);
    }
    if (maxAttempts.isPresent() && maxAttempts.getAsInt() < 1) {
      throw new IllegalArgumentException(
          "maxAttempts must be at least 1, was " + maxAttempts.getAsInt());
    }
    if (uniqueKey.isPresent() && (uniqueKey.get().isEmpty() || uniqueKey.get().length() > 512)) {
      throw new IllegalArgumentException("uniqueKey must be 1 to 512 characters");
    }
    if (expiresIn.isPresent() && (expiresIn.get().isNegative() || expiresIn.get().isZero())) {
      throw new IllegalArgumentException("expiresIn must be positive, was " + expiresIn.get());
    }
  }

  /**
   * Priority 0, no delay, the queue's attempts, no unique key, no expiry.
   *
   * @return the default options
   */
  public static EnqueueOptions defaults() {
    return DEFAULTS;
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link EnqueueOptions}. Not thread-safe. */
  public static final class Builder {
    private int priority;
    private Duration delay = Duration.ZERO;
    private @Nullable Instant runAt;
    private int maxAttempts;
    private @Nullable String uniqueKey;
    private @Nullable Duration expiresIn;

    private Builder() {}

    /**
     * Sets the priority; higher runs first.
     *
     * @param priority any int
     * @return this builder
     */
    public Builder priority(int priority) {
      this.priority = priority;
      return this;
    }

    /**
     * Makes the job claimable only after a delay.
     *
     * @param delay not negative
     * @return this builder
     */
    public Builder delay(Duration delay) {
      this.delay = Objects.requireNonNull(delay, "delay");
      return this;
    }

    /**
     * Makes the job claimable only from a given time.
     *
     * @param runAt the time
     * @return this builder
     */
    public Builder runAt(Instant runAt) {
      this.runAt = Objects.requireNonNull(runAt, "runAt");
      return this;
    }

    /**
     * Overrides the queue's number of attempts.
     *
     * @param maxAttempts at least 1
     * @return this builder
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Deduplicates: while a live job of the queue has this key, enqueue returns its id.
     *
     * @param uniqueKey 1 to 512 characters
     * @return this builder
     */
    public Builder uniqueKey(String uniqueKey) {
      this.uniqueKey = Objects.requireNonNull(uniqueKey, "uniqueKey");
      return this;
    }

    /**
     * Dead-letters the job, unrun, if it is not claimed in time.
     *
     * @param expiresIn positive
     * @return this builder
     */
    public Builder expiresIn(Duration expiresIn) {
      this.expiresIn = Objects.requireNonNull(expiresIn, "expiresIn");
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     */
    public EnqueueOptions build() {
      return new EnqueueOptions(
          priority,
          delay,
          Optional.ofNullable(runAt),
          maxAttempts == 0 ? OptionalInt.empty() : OptionalInt.of(maxAttempts),
          Optional.ofNullable(uniqueKey),
          Optional.ofNullable(expiresIn));
    }
  }
}
