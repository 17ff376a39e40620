package dev.gander.queue;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Queue} handle treats the jobs it enqueues and claims. Immutable; build with {@link
 * #builder()}. These options belong to the handle, not to the stored queue: processes may use
 * different options for the same queue (the lease a worker takes is its own).
 *
 * @param visibilityTimeout how long a claim leases a job before another worker may claim it
 *     (default 30 s)
 * @param maxAttempts how many claims a job gets before it is dead-lettered, unless its enqueue
 *     options say otherwise (default 3)
 * @param backoffBase the delay before the first retry of a failed job; each later retry doubles it
 *     (default 1 s)
 * @param backoffCap the longest delay between retries (default 10 min)
 * @param maxPayloadBytes the largest payload accepted, in bytes of UTF-8 JSON (default 1 MiB)
 * @param resultTtl how long a job's result is kept after its ack (default 1 h)
 * @param keepSucceeded how long the record of a job acked without a result is kept, so that {@link
 *     Results#info} and {@link Results#await} can tell it succeeded (default 1 min; zero keeps
 *     none, which saves one row write per ack)
 */
public record QueueOptions(
    Duration visibilityTimeout,
    int maxAttempts,
    Duration backoffBase,
    Duration backoffCap,
    int maxPayloadBytes,
    Duration resultTtl,
    Duration keepSucceeded) {

  /**
   * Validates the options; use {@link #builder()} rather than calling this directly.
   *
   * @param visibilityTimeout the lease of a claim
   * @param maxAttempts the default number of claims
   * @param backoffBase the delay before the first retry
   * @param backoffCap the longest delay between retries
   * @param maxPayloadBytes the largest payload in UTF-8 bytes
   * @param resultTtl how long a result is kept
   * @param keepSucceeded how long the record of a job acked without a result is kept
   * @throws IllegalArgumentException if an option is out of range
   */
  public QueueOptions {
    positive(visibilityTimeout, "visibilityTimeout");
    positive(backoffBase, "backoffBase");
    positive(backoffCap, "backoffCap");
    positive(resultTtl, "resultTtl");
    Objects.requireNonNull(keepSucceeded, "keepSucceeded");
    if (keepSucceeded.isNegative()) {
      throw new IllegalArgumentException(
          "keepSucceeded must not be negative, was " + keepSucceeded);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    if (maxPayloadBytes < 2) {
      throw new IllegalArgumentException(
          "maxPayloadBytes must be at least 2 (the smallest JSON value), was " + maxPayloadBytes);
    }
    if (backoffCap.compareTo(backoffBase) < 0) {
      throw new IllegalArgumentException(
          "backoffCap ("
              + backoffCap
              + ") must not be shorter than backoffBase ("
              + backoffBase
              + ")");
    }
  }

  static void positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, was " + d);
    }
  }

  /**
   * The defaults.
   *
   * @return default options
   */
  public static QueueOptions defaults() {
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

  /** Builds {@link QueueOptions}. Not thread-safe. */
  public static final class Builder {
    private Duration visibilityTimeout = Duration.ofSeconds(30);
    private int maxAttempts = 3;
    private Duration backoffBase = Duration.ofSeconds(1);
    private Duration backoffCap = Duration.ofMinutes(10);
    private int maxPayloadBytes = 1 << 20;
    private Duration resultTtl = Duration.ofHours(1);
    private Duration keepSucceeded = Duration.ofMinutes(1);

    private Builder() {}

    /**
     * Sets the lease a claim takes.
     *
     * @param visibilityTimeout a positive duration
     * @return this builder
     */
    public Builder visibilityTimeout(Duration visibilityTimeout) {
      this.visibilityTimeout = visibilityTimeout;
      return this;
    }

    /**
     * Sets the default number of attempts.
     *
     * @param maxAttempts at least 1
     * @return this builder
     */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Sets the first retry delay.
     *
     * @param backoffBase a positive duration
     * @return this builder
     */
    public Builder backoffBase(Duration backoffBase) {
      this.backoffBase = backoffBase;
      return this;
    }

    /**
     * Sets the longest retry delay.
     *
     * @param backoffCap a duration no shorter than the base
     * @return this builder
     */
    public Builder backoffCap(Duration backoffCap) {
      this.backoffCap = backoffCap;
      return this;
    }

    /**
     * Sets the payload limit.
     *
     * @param maxPayloadBytes bytes of UTF-8 JSON
     * @return this builder
     */
    public Builder maxPayloadBytes(int maxPayloadBytes) {
      this.maxPayloadBytes = maxPayloadBytes;
      return this;
    }

    /**
     * Sets how long results are kept.
     *
     * @param resultTtl a positive duration
     * @return this builder
     */
    public Builder resultTtl(Duration resultTtl) {
      this.resultTtl = resultTtl;
      return this;
    }

    /**
     * Sets how long the record of a job acked without a result is kept (default 1 minute), so that
     * {@code results().info(id)} reports it as succeeded and {@code results().await} returns at
     * once. {@link Duration#ZERO} keeps none: each ack then writes one row less, and a finished job
     * without a result is reported as unknown.
     *
     * @param keepSucceeded zero or a positive duration
     * @return this builder
     */
    public Builder keepSucceeded(Duration keepSucceeded) {
      this.keepSucceeded = keepSucceeded;
      return this;
    }

    /**
     * Builds the options.
     *
     * @return the options
     * @throws IllegalArgumentException if a value is out of range
     */
    public QueueOptions build() {
      return new QueueOptions(
          visibilityTimeout,
          maxAttempts,
          backoffBase,
          backoffCap,
          maxPayloadBytes,
          resultTtl,
          keepSucceeded);
    }
  }
}
