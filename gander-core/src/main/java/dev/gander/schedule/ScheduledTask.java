package dev.gander.schedule;

import dev.gander.queue.RawJson;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A cron schedule that enqueues a job into a queue at each tick. Immutable; build with {@link
 * #builder(String, String, String)}. The name and the cron expression are checked by {@link
 * Scheduler#add}.
 *
 * @param name the task, unique per database: the queue-name rule applies
 * @param queue the queue each tick enqueues into
 * @param cron five fields ({@code minute hour day-of-month month day-of-week}), six with a leading
 *     seconds field, or a macro such as {@code @daily}
 * @param zone the time zone the expression is read in (default UTC)
 * @param payload each job's payload: any value the database's JSON mapper writes, or {@link
 *     RawJson}; a task read back from the database holds the stored {@link RawJson}
 * @param priority each job's priority (default 0)
 * @param expiresIn a job not claimed within this time of being enqueued is dead-lettered as expired
 * @param jitter each job's run time is its tick plus a random delay of up to this (default none);
 *     its unique key stays the tick's
 * @param missedFirePolicy what to do with ticks that came due while no runner led
 */
public record ScheduledTask(
    String name,
    String queue,
    String cron,
    ZoneId zone,
    Object payload,
    int priority,
    Optional<Duration> expiresIn,
    Duration jitter,
    MissedFirePolicy missedFirePolicy) {

  /**
   * Validates the task's fields; use {@link #builder(String, String, String)}.
   *
   * @param name the task
   * @param queue the target queue
   * @param cron the expression
   * @param zone the time zone
   * @param payload the payload
   * @param priority the jobs' priority
   * @param expiresIn the jobs' expiry
   * @param jitter the largest random delay
   * @param missedFirePolicy the missed-tick policy
   * @throws IllegalArgumentException if the jitter or the expiry is out of range
   */
  public ScheduledTask {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(cron, "cron");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(expiresIn, "expiresIn");
    Objects.requireNonNull(jitter, "jitter");
    Objects.requireNonNull(missedFirePolicy, "missedFirePolicy");
    if (jitter.isNegative()) {
      throw new IllegalArgumentException("jitter must not be negative, was " + jitter);
    }
    if (expiresIn.isPresent() && (expiresIn.get().isNegative() || expiresIn.get().isZero())) {
      throw new IllegalArgumentException("expiresIn must be positive, was " + expiresIn.get());
    }
  }

  /**
   * Starts a task with the defaults: UTC, payload {@code null}, priority 0, no expiry, no jitter,
   * {@link MissedFirePolicy#fireOnce()}.
   *
   * @param name the task: the queue-name rule applies
   * @param queue the queue each tick enqueues into
   * @param cron the cron expression, such as {@code "0 9 * * MON-FRI"}
   * @return a builder
   */
  public static Builder builder(String name, String queue, String cron) {
    return new Builder(name, queue, cron);
  }

  /** Builds a {@link ScheduledTask}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final String queue;
    private final String cron;
    private ZoneId zone = ZoneOffset.UTC;
    private Object payload = RawJson.of("null");
    private int priority;
    private @Nullable Duration expiresIn;
    private Duration jitter = Duration.ZERO;
    private MissedFirePolicy missed = MissedFirePolicy.fireOnce();

    private Builder(String name, String queue, String cron) {
      this.name = Objects.requireNonNull(name, "name");
      this.queue = Objects.requireNonNull(queue, "queue");
      this.cron = Objects.requireNonNull(cron, "cron");
    }

    /**
     * Sets the time zone the expression is read in.
     *
     * @param zone such as {@code ZoneId.of("Europe/Berlin")}
     * @return this builder
     */
    public Builder zone(ZoneId zone) {
      this.zone = Objects.requireNonNull(zone, "zone");
      return this;
    }

    /**
     * Sets each job's payload.
     *
     * @param payload any value the JSON mapper writes, {@link RawJson}, or null
     * @return this builder
     */
    public Builder payload(@Nullable Object payload) {
      this.payload = payload == null ? RawJson.of("null") : payload;
      return this;
    }

    /**
     * Sets each job's priority; higher runs first.
     *
     * @param priority any int
     * @return this builder
     */
    public Builder priority(int priority) {
      this.priority = priority;
      return this;
    }

    /**
     * Dead-letters a job not claimed within this time of being enqueued.
     *
     * @param expiresIn positive
     * @return this builder
     */
    public Builder expiresIn(Duration expiresIn) {
      this.expiresIn = Objects.requireNonNull(expiresIn, "expiresIn");
      return this;
    }

    /**
     * Delays each job's run time by a random amount up to this, to spread load.
     *
     * @param jitter not negative
     * @return this builder
     */
    public Builder jitter(Duration jitter) {
      this.jitter = Objects.requireNonNull(jitter, "jitter");
      return this;
    }

    /**
     * Sets what to do with ticks that came due while no runner led.
     *
     * @param policy the policy (default {@link MissedFirePolicy#fireOnce()})
     * @return this builder
     */
    public Builder missedFirePolicy(MissedFirePolicy policy) {
      this.missed = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * Builds the task.
     *
     * @return the task
     * @throws IllegalArgumentException if an option is out of range
     */
    public ScheduledTask build() {
      return new ScheduledTask(
          name,
          queue,
          cron,
          zone,
          payload,
          priority,
          Optional.ofNullable(expiresIn),
          jitter,
          missed);
    }
  }
}
