package dev.gander.internal.spi;

import dev.gander.queue.DeadLetter;
import dev.gander.queue.QueueStats;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The job operations a backend implements, in domain terms: each is one or a few statements in the
 * transaction given, and none decides policy. Backoff, the dead-letter decision and which job may
 * hold a unique key live in the capability logic that calls these ({@code
 * internal.queue.JobLifecycle}). Times are epoch milliseconds from the caller's clock; {@code
 * Long.MAX_VALUE} means never.
 *
 * <p>Job states: {@link #READY}, {@link #RUNNING}, {@link #SCHEDULED}. Every operation on a running
 * job is fenced by its lease token: it matches nothing, and changes nothing, once the lease was
 * lost.
 */
public interface JobOps {
  /** Claimable now. */
  int READY = 0;

  /** Leased to a worker. */
  int RUNNING = 1;

  /** Run time in the future when written. */
  int SCHEDULED = 2;

  /**
   * How far after "now" a lease may have been granted before {@link #clampLeases} takes it for a
   * clock that stepped back. Processes that read time a little apart (on PostgreSQL, machines that
   * each estimate the server's clock to within a round trip) grant leases a few milliseconds into
   * each other's future; those are not clamped, and do not make a sweep due.
   */
  long GRANT_SLACK_MS = 1_000;

  /**
   * The latest grant time that {@link #clampLeases} leaves alone at {@code now}.
   *
   * @param now the caller's time, epoch milliseconds
   * @return {@code now + GRANT_SLACK_MS}, saturating at {@code Long.MAX_VALUE}
   */
  static long latestUnclampedGrant(long now) {
    return now > Long.MAX_VALUE - GRANT_SLACK_MS ? Long.MAX_VALUE : now + GRANT_SLACK_MS;
  }

  /**
   * A job to insert.
   *
   * @param queue its queue
   * @param payload its JSON
   * @param priority higher first
   * @param runAt not claimable before
   * @param state {@link #READY} or {@link #SCHEDULED}
   * @param maxAttempts its attempt budget
   * @param uniqueKey at most one live job per key and queue
   * @param expiresAt no attempt starts after it
   * @param enqueuedAt when it was enqueued
   */
  record NewJob(
      String queue,
      String payload,
      int priority,
      long runAt,
      int state,
      int maxAttempts,
      @Nullable String uniqueKey,
      long expiresAt,
      long enqueuedAt) {}

  /**
   * The live job holding a unique key.
   *
   * @param id its id
   * @param state its state
   * @param expiresAt its expiry
   * @param leaseUntil its lease's end, when running
   * @param attempt its attempts so far
   * @param maxAttempts its budget
   */
  record Holder(
      long id, int state, long expiresAt, long leaseUntil, int attempt, int maxAttempts) {}

  /**
   * A job as a claim returns it.
   *
   * @param id its id
   * @param payload its JSON
   * @param priority its priority
   * @param runAt its run time
   * @param attempt this attempt's number, from 1
   * @param maxAttempts its budget
   * @param token the lease token that fences this attempt
   * @param enqueuedAt when it was enqueued
   * @param lastError the error of its last failed attempt
   * @param expiresAt its expiry
   */
  record Claimed(
      long id,
      String payload,
      int priority,
      long runAt,
      int attempt,
      int maxAttempts,
      long token,
      long enqueuedAt,
      @Nullable String lastError,
      long expiresAt) {}

  /**
   * A running job whose lease ran out, or a waiting job past its expiry, found by a sweep.
   *
   * @param id its id
   * @param queue its queue
   * @param token its lease token (for a running job)
   * @param attempt its attempts so far
   * @param maxAttempts its budget
   * @param lastError the error of its last failed attempt
   */
  record Stale(
      long id,
      String queue,
      long token,
      int attempt,
      int maxAttempts,
      @Nullable String lastError) {}

  /**
   * The record of a job that succeeded.
   *
   * @param id the job
   * @param queue its queue
   * @param json its result, or {@code null} for none
   * @param attempt the attempt that acked it
   * @param finishedAt when
   * @param expiresAt when the record is purged
   */
  record Succeeded(
      long id, String queue, @Nullable String json, int attempt, long finishedAt, long expiresAt) {}

  /** Where a job was found. */
  enum Place {
    /** Ready, scheduled or running. */
    LIVE,
    /** A dead letter. */
    DEAD,
    /** The record of a job that succeeded. */
    SUCCEEDED
  }

  /**
   * What is known of a job, from whichever table holds it.
   *
   * @param where which table
   * @param queue its queue, when known
   * @param state for a live job, its state
   * @param runAt for a live job, its run time
   * @param attempt its attempts
   * @param lastError its last error
   * @param deadReason for a dead job, why
   * @param json for a succeeded job, its result
   * @param expiresAt for a succeeded job, when the record is purged
   */
  record Found(
      Place where,
      @Nullable String queue,
      int state,
      long runAt,
      int attempt,
      @Nullable String lastError,
      @Nullable String deadReason,
      @Nullable String json,
      long expiresAt) {}

  /**
   * The outcome of a requeue of dead letters.
   *
   * @param moved how many went back to the queue
   * @param leftDead how many of those asked for stayed dead (their unique key is held)
   */
  record Requeued(int moved, int leftDead) {}

  /**
   * A stored result.
   *
   * @param json the result
   * @param expiresAt when it is purged
   */
  record StoredResult(String json, long expiresAt) {}

  // ------------------------------------------------------------------------- enqueue

  /**
   * Inserts a job unless a live job of its queue holds its unique key.
   *
   * @return its id, or empty on a unique-key conflict (nothing written)
   */
  OptionalLong insert(Tx tx, NewJob job) throws SQLException;

  /**
   * Inserts jobs that carry no unique key, in order; a backend with a round trip per statement
   * writes them in one.
   *
   * @param jobs jobs whose {@link NewJob#uniqueKey()} is null
   * @return their ids, in the order given, increasing
   */
  default long[] insertMany(Tx tx, List<NewJob> jobs) throws SQLException {
    long[] ids = new long[jobs.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = insert(tx, jobs.get(i)).orElseThrow(() -> new SQLException("insert wrote nothing"));
    }
    return ids;
  }

  /** The live job of {@code queue} holding {@code uniqueKey}, if any. */
  Optional<Holder> holder(Tx tx, String queue, String uniqueKey) throws SQLException;

  // --------------------------------------------------------------------------- claim

  /**
   * Promotes the queue's due scheduled jobs, then leases up to {@code max} ready jobs not past
   * their expiry, in claim order (priority descending, run time, id), counting an attempt each.
   */
  List<Claimed> claim(
      Tx tx, String queue, String workerId, int max, long now, long leaseUntil, long leaseMs)
      throws SQLException;

  // -------------------------------------------------------------------------- settle

  /** Extends a lease; false if it was lost. */
  boolean heartbeat(Tx tx, long id, long token, long leaseUntil, long leaseMs) throws SQLException;

  /** Deletes a finished job; false if its lease was lost. */
  boolean ack(Tx tx, long id, long token) throws SQLException;

  /**
   * Deletes finished jobs, each fenced by its lease token; a backend with a round trip per
   * statement deletes them in one.
   *
   * @return for each job, whether it was acked (false if its lease was lost, or if it came earlier
   *     in the same call)
   */
  default boolean[] ackMany(Tx tx, long[] ids, long[] tokens) throws SQLException {
    boolean[] acked = new boolean[ids.length];
    for (int i = 0; i < ids.length; i++) {
      acked[i] = ack(tx, ids[i], tokens[i]);
    }
    return acked;
  }

  /**
   * Deletes a finished job and saves its record of success, in one statement where the backend can;
   * the record only if the job was acked.
   *
   * @return whether it was acked (false if its lease was lost; nothing is written then)
   */
  default boolean ackWithRecord(Tx tx, long id, long token, Succeeded record) throws SQLException {
    if (!ack(tx, id, token)) {
      return false;
    }
    saveSucceeded(tx, List.of(record));
    return true;
  }

  /** Saves records of succeeded jobs (a result, or the fact alone). */
  void saveSucceeded(Tx tx, List<Succeeded> records) throws SQLException;

  /** Puts a running job back to run at {@code runAt}; false if its lease was lost. */
  boolean retry(Tx tx, long id, long token, int state, long runAt, String error)
      throws SQLException;

  /** Gives a running job back, refunding its attempt or not; false if its lease was lost. */
  boolean release(Tx tx, long id, long token, boolean refundAttempt) throws SQLException;

  /**
   * Moves a job to the dead letters. With a token, only if that lease still holds it (false
   * otherwise); with {@code token < 0}, whatever its state. {@code error} replaces its last error
   * when not null.
   */
  boolean bury(Tx tx, long id, long token, @Nullable String error, String reason, long now)
      throws SQLException;

  // --------------------------------------------------------------------------- sweep

  /**
   * Shortens leases granted more than {@link #GRANT_SLACK_MS} later than {@code now} (the clock
   * stepped back past them) to one lease length from now.
   *
   * @return how many
   */
  int clampLeases(Tx tx, long now) throws SQLException;

  /** Running jobs whose lease ran out by {@code now}. */
  List<Stale> expiredLeases(Tx tx, long now) throws SQLException;

  /** Makes a running job whose lease ran out claimable again; false if it changed meanwhile. */
  boolean requeueExpiredLease(Tx tx, long id, long token) throws SQLException;

  /** Waiting jobs (ready or scheduled) past their expiry. */
  List<Stale> expiredWaiting(Tx tx, long now) throws SQLException;

  /**
   * Deletes expired results and records.
   *
   * @return how many
   */
  int purgeSucceeded(Tx tx, long now) throws SQLException;

  /**
   * The earliest time at which a sweep has work, {@code Long.MAX_VALUE} for none; {@code now} when
   * a lease was granted more than {@link #GRANT_SLACK_MS} later than {@code now}.
   */
  long nextSweepAt(Tx tx, long now) throws SQLException;

  // --------------------------------------------------------------------------- reads

  /** The earliest run time of the queue's scheduled jobs. */
  OptionalLong nextScheduled(Tx tx, String queue) throws SQLException;

  /** Whether the queue has a ready job. */
  boolean hasReady(Tx tx, String queue) throws SQLException;

  /** Whether the queue has no live job. */
  boolean isDrained(Tx tx, String queue) throws SQLException;

  /** Counts of the queue's jobs. */
  QueueStats stats(Tx tx, String queue, long now) throws SQLException;

  /** The queue's dead letters, oldest first. */
  List<DeadLetter> deadLetters(Tx tx, String queue, int limit) throws SQLException;

  /**
   * Moves dead letters back to the queue with a fresh attempt budget, ready now. A dead job whose
   * unique key a live job holds stays dead; with {@code id == null} (all of the queue's), of dead
   * jobs sharing a key only the newest moves.
   *
   * @return how many moved, and how many of those asked for stayed dead
   */
  Requeued requeueDead(Tx tx, String queue, @Nullable Long id, long now) throws SQLException;

  /** Deletes dead letters; returns how many. */
  int purgeDead(Tx tx, String queue, @Nullable Long id) throws SQLException;

  /** A job's stored result, if not expired. */
  Optional<StoredResult> result(Tx tx, long id, long now) throws SQLException;

  /** Whatever is known of a job. */
  Optional<Found> find(Tx tx, long id, long now) throws SQLException;
}
