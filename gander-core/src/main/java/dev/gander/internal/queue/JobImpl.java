package dev.gander.internal.queue;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.gander.internal.spi.JobOps;
import dev.gander.queue.Job;
import dev.gander.queue.JobId;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** A claimed job: the row as claimed, and the lease that fences every change to it. */
final class JobImpl implements Job {
  private final JobLifecycle engine;
  private final QueueHandle queue;
  final long id;
  private final String payload;
  private final int priority;
  final long runAt;
  private final int attempt;
  private final int maxAttempts;
  final long token;
  private final long enqueuedAt;
  private final @Nullable String lastError;

  /** Epoch milliseconds after which the job may not start again; {@code Long.MAX_VALUE}: never. */
  final long expiresAt;

  private final String workerId;
  private volatile long leaseUntil;
  private volatile boolean settled;

  JobImpl(
      JobLifecycle engine,
      QueueHandle queue,
      JobOps.Claimed row,
      String workerId,
      long leaseUntil) {
    this.engine = engine;
    this.queue = queue;
    this.id = row.id();
    this.payload = row.payload();
    this.priority = row.priority();
    this.runAt = row.runAt();
    this.attempt = row.attempt();
    this.maxAttempts = row.maxAttempts();
    this.token = row.token();
    this.enqueuedAt = row.enqueuedAt();
    this.lastError = row.lastError();
    this.expiresAt = row.expiresAt();
    this.workerId = workerId;
    this.leaseUntil = leaseUntil;
  }

  @Override
  public JobId id() {
    return JobId.of(id);
  }

  @Override
  public String queue() {
    return queue.name();
  }

  @Override
  public String payloadJson() {
    return payload;
  }

  @Override
  public <T> T payloadAs(Class<T> type) {
    return engine.codec.decode(payload, Objects.requireNonNull(type, "type"), "payload");
  }

  @Override
  public <T> T payloadAs(TypeReference<T> type) {
    return engine.codec.decode(payload, Objects.requireNonNull(type, "type"), "payload");
  }

  @Override
  public int attempt() {
    return attempt;
  }

  @Override
  public int maxAttempts() {
    return maxAttempts;
  }

  @Override
  public int priority() {
    return priority;
  }

  @Override
  public Instant enqueuedAt() {
    return Instant.ofEpochMilli(enqueuedAt);
  }

  @Override
  public Optional<String> lastError() {
    return Optional.ofNullable(lastError);
  }

  @Override
  public long fencingToken() {
    return token;
  }

  @Override
  public String workerId() {
    return workerId;
  }

  @Override
  public Instant leaseExpiresAt() {
    return Instant.ofEpochMilli(leaseUntil);
  }

  @Override
  public void heartbeat(Duration extension) {
    Objects.requireNonNull(extension, "extension");
    if (extension.isNegative() || extension.isZero()) {
      throw new IllegalArgumentException("extension must be positive, was " + extension);
    }
    checkOpen("heartbeat");
    leaseUntil = engine.heartbeat(this, extension);
  }

  @Override
  public void ack() {
    ack(null);
  }

  @Override
  public synchronized void ack(@Nullable Object result) {
    checkOpen("ack");
    engine.ack(this, result); // marks the job settled when its transaction commits
  }

  @Override
  public synchronized void retry(Duration delay, String error) {
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(error, "error");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, was " + delay);
    }
    checkOpen("retry");
    engine.retry(this, delay, error);
  }

  @Override
  public synchronized void fail(String error) {
    Objects.requireNonNull(error, "error");
    checkOpen("fail");
    engine.deadLetter(this, error, JobLifecycle.FAILED);
  }

  /**
   * Marks the job settled: called after the commit of the transaction that settled it, so that a
   * settle inside a transaction that rolls back leaves the job unsettled. Runs on the thread that
   * committed, possibly while the settling thread holds this job's monitor: never lock here.
   */
  void markSettled() {
    settled = true;
  }

  /** Throws if the job was settled already. */
  synchronized void requireUnsettled(String what) {
    checkOpen(what);
  }

  /** Gives the job back unrun (a worker closing before it started): releases lease and attempt. */
  synchronized void release() {
    if (!settled) {
      engine.release(this, true);
    }
  }

  /** Gives back a job whose handler did not finish in time; the attempt still counts. */
  synchronized void releaseStarted() {
    if (!settled) {
      engine.release(this, false);
    }
  }

  @Override
  public boolean isSettled() {
    return settled;
  }

  QueueHandle handle() {
    return queue;
  }

  private void checkOpen(String what) {
    if (settled) {
      throw new IllegalStateException(
          "Job " + id + " was already settled; " + what + " can be called only before that");
    }
  }

  @Override
  public String toString() {
    return "Job[" + queue.name() + "#" + id + ", attempt " + attempt + "/" + maxAttempts + "]";
  }
}
