package dev.gander.internal.queue;

import dev.gander.GanderException;
import dev.gander.LeaseLostException;
import dev.gander.internal.Times;
import dev.gander.internal.sqlite.SqliteStore;
import dev.gander.internal.sqlite.SqliteTx;
import dev.gander.internal.wake.WakeHub;
import dev.gander.queue.DeadLetter;
import dev.gander.queue.EnqueueOptions;
import dev.gander.queue.EnqueueResult;
import dev.gander.queue.JobId;
import dev.gander.queue.JobInfo;
import dev.gander.queue.JobResult;
import dev.gander.queue.JobState;
import dev.gander.queue.QueueOptions;
import dev.gander.queue.QueueStats;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQL of the queues, shared by every queue handle of one database. Every change runs through
 * the store's writer (group-committed) and signals waiters after its commit.
 */
public final class QueueEngine {
  private static final Logger log = LoggerFactory.getLogger(QueueEngine.class);
  static final int READY = 0;
  static final int RUNNING = 1;
  static final int SCHEDULED = 2;

  /** The wake-up key of a queue's waiters. */
  static String key(String queue) {
    return "q:" + queue;
  }

  /** The wake-up key of those waiting for a queue to drain. */
  static String drainKey(String queue) {
    return "d:" + queue;
  }

  /** The wake-up key of result waiters: signalled whenever a job ends. */
  static final String RESULTS_KEY = "results";

  /** Dead-letter reasons. */
  static final String FAILED = "failed";

  static final String LEASE_EXPIRED = "lease-expired";
  static final String EXPIRED = "expired";
  static final String EXPIRED_WHILE_RETRYING = "expired-while-retrying";

  /** Leases longer than this (about 31,000 years) never expire; clamping them is moot. */
  private static final long MAX_CLAMPED_LEASE = 1L << 50;

  private static final String INSERT =
      "INSERT INTO gander_jobs (queue, payload, priority, run_at, state, max_attempts, unique_key,"
          + " expires_at, enqueued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (queue, unique_key) WHERE unique_key IS NOT NULL DO NOTHING"
          + " RETURNING id";
  private static final String FIND_UNIQUE =
      "SELECT id, state, expires_at, lease_until, attempt, max_attempts FROM gander_jobs"
          + " WHERE queue = ? AND unique_key = ?";
  private static final String PROMOTE =
      "UPDATE gander_jobs SET state = 0 WHERE queue = ? AND state = 2 AND run_at <= ?";
  private static final String REQUEUE_EXPIRED_LEASES =
      "UPDATE gander_jobs SET state = 0, lease_until = NULL, worker_id = NULL"
          + " WHERE state = 1 AND lease_until <= ? AND attempt < max_attempts"
          + " RETURNING queue";
  private static final String CLAIM_SET =
      "UPDATE gander_jobs SET state = 1, attempt = attempt + 1, lease_token = lease_token + 1,"
          + " lease_until = ?, worker_id = ?, lease_ms = ?";
  private static final String CLAIM_NEXT =
      " (SELECT id FROM gander_jobs WHERE queue = ? AND state = 0"
          + " AND (expires_at IS NULL OR expires_at > ?)"
          + " ORDER BY priority DESC, run_at, id LIMIT ?)"
          + " RETURNING id, payload, priority, run_at, attempt, max_attempts, lease_token,"
          + " enqueued_at, last_error, expires_at";

  /** One job: {@code id = (subquery)} runs about five times faster than {@code id IN}. */
  private static final String CLAIM_ONE = CLAIM_SET + " WHERE id =" + CLAIM_NEXT;

  private static final String CLAIM_MANY = CLAIM_SET + " WHERE id IN" + CLAIM_NEXT;
  private static final String ACK =
      "DELETE FROM gander_jobs WHERE id = ? AND lease_token = ? AND state = 1";
  private static final String SAVE_RESULT =
      "INSERT OR REPLACE INTO gander_results (job_id, queue, value, attempt, finished_at,"
          + " expires_at) VALUES (?, ?, ?, ?, ?, ?)";
  private static final String HEARTBEAT =
      "UPDATE gander_jobs SET lease_until = ?, lease_ms = ?"
          + " WHERE id = ? AND lease_token = ? AND state = 1";
  private static final String RETRY =
      "UPDATE gander_jobs SET state = ?, run_at = ?, last_error = ?, lease_until = NULL,"
          + " worker_id = NULL WHERE id = ? AND lease_token = ? AND state = 1";
  private static final String RELEASE =
      "UPDATE gander_jobs SET state = 0, attempt = attempt - ?, lease_until = NULL,"
          + " worker_id = NULL WHERE id = ? AND lease_token = ? AND state = 1";
  private static final String DEAD_COLUMNS =
      "id, queue, payload, priority, attempt, max_attempts, lease_token, unique_key, enqueued_at,"
          + " last_error, reason, died_at";
  private static final String BURY_ONE =
      "INSERT INTO gander_dead_jobs ("
          + DEAD_COLUMNS
          + ") SELECT id, queue, payload, priority, attempt, max_attempts, lease_token,"
          + " unique_key, enqueued_at, ?, ?, ? FROM gander_jobs"
          + " WHERE id = ? AND lease_token = ? AND state = 1";
  private static final String DELETE_ONE = "DELETE FROM gander_jobs WHERE id = ?";
  private static final String BURY_LEASE_EXPIRED =
      "INSERT INTO gander_dead_jobs ("
          + DEAD_COLUMNS
          + ") SELECT id, queue, payload, priority, attempt, max_attempts, lease_token,"
          + " unique_key, enqueued_at, coalesce(last_error, 'lease expired'), 'lease-expired', ?"
          + " FROM gander_jobs WHERE state = 1 AND lease_until <= ? AND attempt >= max_attempts";
  private static final String DELETE_LEASE_EXPIRED =
      "DELETE FROM gander_jobs WHERE state = 1 AND lease_until <= ? AND attempt >= max_attempts"
          + " RETURNING queue";

  /**
   * A lease granted at a time still in the future was granted before the clock stepped back:
   * shorten it to one lease length from now, so it is recovered within one lease.
   */
  private static final String CLAMP_LEASES =
      "UPDATE gander_jobs SET lease_until = ? + lease_ms WHERE state = 1"
          + " AND lease_ms BETWEEN 0 AND "
          + MAX_CLAMPED_LEASE
          + " AND lease_until - lease_ms > ?";

  /** The latest grant time of a live lease: later than now only if the clock stepped back. */
  private static final String LATEST_GRANT =
      "SELECT max(lease_until - lease_ms) FROM gander_jobs WHERE state = 1"
          + " AND lease_ms BETWEEN 0 AND "
          + MAX_CLAMPED_LEASE;

  private static final String BURY_EXPIRED =
      "INSERT INTO gander_dead_jobs ("
          + DEAD_COLUMNS
          + ") SELECT id, queue, payload, priority, attempt, max_attempts, lease_token,"
          + " unique_key, enqueued_at, last_error,"
          + " CASE WHEN attempt = 0 THEN 'expired' ELSE 'expired-while-retrying' END, ?"
          + " FROM gander_jobs WHERE expires_at IS NOT NULL AND state <> 1 AND expires_at <= ?";
  private static final String DELETE_EXPIRED =
      "DELETE FROM gander_jobs WHERE expires_at IS NOT NULL AND state <> 1 AND expires_at <= ?"
          + " RETURNING queue";

  /** Buries the one job holding a unique key if it can no longer run (expired, last lease out). */
  private static final String BURY_UNUSABLE_HOLDER =
      "INSERT INTO gander_dead_jobs ("
          + DEAD_COLUMNS
          + ") SELECT id, queue, payload, priority, attempt, max_attempts, lease_token,"
          + " unique_key, enqueued_at, coalesce(last_error, ?), ?, ? FROM gander_jobs WHERE id = ?";

  private static final String REQUEUE_DEAD =
      "INSERT INTO gander_jobs (id, queue, payload, priority, run_at, state, attempt,"
          + " max_attempts, lease_token, unique_key, enqueued_at, last_error)"
          + " SELECT d.id, d.queue, d.payload, d.priority, ?, 0, 0, d.max_attempts,"
          + " d.lease_token, d.unique_key, d.enqueued_at, d.last_error"
          + " FROM gander_dead_jobs d WHERE d.queue = ?"
          + " AND (d.unique_key IS NULL OR NOT EXISTS (SELECT 1 FROM gander_jobs j"
          + " WHERE j.queue = d.queue AND j.unique_key = d.unique_key))";
  private static final String REQUEUE_ONE_DEAD = REQUEUE_DEAD + " AND d.id = ? RETURNING id";

  /** All of a queue's: of dead jobs sharing a unique key, only the newest. */
  private static final String REQUEUE_ALL_DEAD =
      REQUEUE_DEAD
          + " AND (d.unique_key IS NULL OR NOT EXISTS (SELECT 1 FROM gander_dead_jobs e"
          + " WHERE e.queue = d.queue AND e.unique_key = d.unique_key"
          + " AND (e.died_at > d.died_at OR (e.died_at = d.died_at AND e.id > d.id))))"
          + " RETURNING id";

  private static final String DELETE_DEAD = "DELETE FROM gander_dead_jobs WHERE id = ?";
  private static final String COUNT_DEAD = "SELECT count(*) FROM gander_dead_jobs WHERE queue = ?";
  private static final String COUNT_ONE_DEAD =
      "SELECT count(*) FROM gander_dead_jobs WHERE queue = ? AND id = ?";
  private static final String STATS_READY =
      "SELECT count(*), min(run_at) FROM gander_jobs WHERE queue = ? AND state = 0";
  private static final String STATS_SCHEDULED =
      "SELECT count(*), coalesce(sum(run_at <= ?), 0), min(run_at) FROM gander_jobs"
          + " WHERE queue = ? AND state = 2";
  private static final String STATS_RUNNING =
      "SELECT count(*) FROM gander_jobs WHERE queue = ? AND state = 1";
  private static final String PURGE_RESULTS = "DELETE FROM gander_results WHERE expires_at <= ?";

  final SqliteStore store;
  final JsonCodec codec;
  final Clock clock;
  final WakeHub hub;
  private final Runnable onConsumer;

  /** Told the lease expiry of every claim, so the sweeper can wake in time for it. */
  java.util.function.LongConsumer leaseHint = t -> {};

  /**
   * Creates the engine.
   *
   * @param store the store
   * @param codec JSON
   * @param clock time for run times, leases and TTLs
   * @param hub in-process wake-up signals
   * @param onConsumer called when something starts consuming (starts the sweeper and watcher)
   */
  public QueueEngine(
      SqliteStore store, JsonCodec codec, Clock clock, WakeHub hub, Runnable onConsumer) {
    this.store = store;
    this.codec = codec;
    this.clock = clock;
    this.hub = hub;
    this.onConsumer = onConsumer;
  }

  /** Throws {@link dev.gander.GanderClosedException} once the database is closed. */
  void checkOpen() {
    if (store.isClosed()) {
      throw store.closedException();
    }
  }

  void consumerStarted() {
    onConsumer.run();
  }

  // ---------------------------------------------------------------- enqueue

  /** An encoded job ready to insert. */
  record NewJob(String payload, EnqueueOptions options, int maxAttempts) {}

  /** Inserts jobs inside the current write; returns their ids and whether each was a duplicate. */
  List<EnqueueResult> insert(String queue, List<NewJob> jobs) throws SQLException {
    SqliteTx tx = store.context();
    long now = clock.millis();
    List<EnqueueResult> ids = new ArrayList<>(jobs.size());
    boolean inserted = false;
    for (NewJob job : jobs) {
      EnqueueOptions o = job.options();
      long runAt = o.runAt().map(Times::epochMillis).orElse(Times.plus(now, o.delay()));
      int state = runAt > now ? SCHEDULED : READY;
      PreparedStatement ps = tx.prepared(INSERT);
      ps.setString(1, queue);
      ps.setString(2, job.payload());
      ps.setInt(3, o.priority());
      ps.setLong(4, runAt);
      ps.setInt(5, state);
      ps.setInt(6, job.maxAttempts());
      setNullableString(ps, 7, o.uniqueKey().orElse(null));
      if (o.expiresIn().isPresent()) {
        ps.setLong(8, Times.plus(now, o.expiresIn().get()));
      } else {
        ps.setNull(8, Types.INTEGER);
      }
      ps.setLong(9, now);
      Long id = returnedId(ps);
      if (id == null && buryUnusableHolder(tx, queue, o.uniqueKey().orElseThrow(), now)) {
        // The key's holder could no longer run: it is a dead letter now, and the key is free.
        id = returnedId(ps);
      }
      if (id == null) {
        // A live job of this queue holds the unique key: hand back its id, write nothing.
        PreparedStatement find = tx.prepared(FIND_UNIQUE);
        find.setString(1, queue);
        find.setString(2, o.uniqueKey().orElseThrow());
        try (ResultSet rs = find.executeQuery()) {
          if (!rs.next()) {
            throw new GanderException("unique key conflict without a live job in " + queue);
          }
          ids.add(new EnqueueResult(JobId.of(rs.getLong(1)), true));
        }
      } else {
        inserted = true;
        ids.add(new EnqueueResult(JobId.of(id), false));
      }
    }
    if (inserted) {
      // Scheduled jobs wake waiters too: they re-read the queue's next run time.
      String key = key(queue);
      tx.afterCommit(() -> hub.signal(key));
    }
    return ids;
  }

  private static @Nullable Long returnedId(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : null;
    }
  }

  /**
   * Dead-letters the job holding {@code uniqueKey} if it can no longer run: expired unclaimed, or
   * running on its last attempt with its lease run out. The sweeper would do the same a moment
   * later; doing it here means a new job is never dropped in favour of one that will not run.
   *
   * @return whether the holder was buried
   */
  private boolean buryUnusableHolder(SqliteTx tx, String queue, String uniqueKey, long now)
      throws SQLException {
    PreparedStatement find = tx.prepared(FIND_UNIQUE);
    find.setString(1, queue);
    find.setString(2, uniqueKey);
    long id;
    String reason;
    String error;
    try (ResultSet rs = find.executeQuery()) {
      if (!rs.next()) {
        return false;
      }
      id = rs.getLong(1);
      int state = rs.getInt(2);
      long expiresAt = rs.getLong(3);
      boolean expires = !rs.wasNull();
      long leaseUntil = rs.getLong(4);
      int attempt = rs.getInt(5);
      int maxAttempts = rs.getInt(6);
      if (state != RUNNING && expires && expiresAt <= now) {
        reason = attempt == 0 ? EXPIRED : EXPIRED_WHILE_RETRYING;
        error = "expired";
      } else if (state == RUNNING && leaseUntil <= now && attempt >= maxAttempts) {
        reason = LEASE_EXPIRED;
        error = "lease expired";
      } else {
        return false;
      }
    }
    PreparedStatement bury = tx.prepared(BURY_UNUSABLE_HOLDER);
    bury.setString(1, error);
    bury.setString(2, reason);
    bury.setLong(3, now);
    bury.setLong(4, id);
    bury.executeUpdate();
    PreparedStatement delete = tx.prepared(DELETE_ONE);
    delete.setLong(1, id);
    delete.executeUpdate();
    signalEnded(tx, queue);
    return true;
  }

  /** After the commit, wakes those waiting for results and for the queue to drain. */
  private void signalEnded(SqliteTx tx, String queue) {
    String drain = drainKey(queue);
    tx.afterCommit(
        () -> {
          hub.signal(RESULTS_KEY);
          hub.signal(drain);
        });
  }

  // ------------------------------------------------------------------ claim

  List<JobImpl> claim(SqliteQueue queue, String workerId, int max) {
    long visibility = Times.millis(queue.options().visibilityTimeout());
    List<JobImpl> jobs =
        store.writeRerunnable(
            c -> {
              SqliteTx tx = store.context();
              long now = clock.millis();
              PreparedStatement promote = tx.prepared(PROMOTE);
              promote.setString(1, queue.name());
              promote.setLong(2, now);
              promote.executeUpdate();
              long leaseUntil = Times.plus(now, visibility);
              PreparedStatement claim = tx.prepared(max == 1 ? CLAIM_ONE : CLAIM_MANY);
              claim.setLong(1, leaseUntil);
              claim.setString(2, workerId);
              claim.setLong(3, visibility);
              claim.setString(4, queue.name());
              claim.setLong(5, now);
              claim.setInt(6, max);
              List<JobImpl> out = new ArrayList<>(Math.min(max, 64));
              try (ResultSet rs = claim.executeQuery()) {
                while (rs.next()) {
                  long expiresAt = rs.getLong(10);
                  if (rs.wasNull()) {
                    expiresAt = Long.MAX_VALUE;
                  }
                  out.add(
                      new JobImpl(
                          this,
                          queue,
                          rs.getLong(1),
                          rs.getString(2),
                          rs.getInt(3),
                          rs.getLong(4),
                          rs.getInt(5),
                          rs.getInt(6),
                          rs.getLong(7),
                          rs.getLong(8),
                          rs.getString(9),
                          expiresAt,
                          workerId,
                          leaseUntil));
                }
              }
              return out;
            });
    if (jobs.size() > 1) {
      jobs.sort(ORDER);
    }
    if (!jobs.isEmpty()) {
      leaseHint.accept(jobs.get(0).leaseExpiresAt().toEpochMilli());
    }
    return jobs;
  }

  private static final Comparator<JobImpl> ORDER =
      Comparator.comparingInt(JobImpl::priority)
          .reversed()
          .thenComparingLong(j -> j.runAt)
          .thenComparingLong(j -> j.id);

  // ---------------------------------------------------------------- settle

  long heartbeat(JobImpl job, Duration extension) {
    long ms = Times.millis(extension);
    long until = Times.plus(clock.millis(), ms);
    store.writeRerunnable(
        c -> {
          PreparedStatement ps = store.context().prepared(HEARTBEAT);
          ps.setLong(1, until);
          ps.setLong(2, ms);
          ps.setLong(3, job.id);
          ps.setLong(4, job.token);
          requireLease(ps.executeUpdate(), job, "heartbeat");
          return null;
        });
    return until;
  }

  /**
   * Acks a job, storing its result (or the record that it succeeded) in the same transaction. The
   * job is marked settled only when that transaction commits.
   */
  void ack(JobImpl job, @Nullable Object result) {
    QueueOptions options = job.handle().options();
    String json = result == null ? null : codec.encode(result, options.maxPayloadBytes(), "result");
    store.writeRerunnable(
        c -> {
          SqliteTx tx = store.context();
          PreparedStatement ps = tx.prepared(ACK);
          ps.setLong(1, job.id);
          ps.setLong(2, job.token);
          requireLease(ps.executeUpdate(), job, "ack");
          saveRecord(tx, job, json, options, clock.millis());
          tx.afterCommit(job::markSettled);
          signalEnded(tx, job.queue());
          return null;
        });
  }

  private static void saveRecord(
      SqliteTx tx, JobImpl job, @Nullable String json, QueueOptions options, long now)
      throws SQLException {
    Duration keep = json == null ? options.keepSucceeded() : options.resultTtl();
    if (keep.isZero()) {
      return;
    }
    PreparedStatement save = tx.prepared(SAVE_RESULT);
    save.setLong(1, job.id);
    save.setString(2, job.queue());
    setNullableString(save, 3, json);
    save.setInt(4, job.attempt());
    save.setLong(5, now);
    save.setLong(6, Times.plus(now, keep));
    save.executeUpdate();
  }

  /**
   * Acks many jobs in one transaction; a job whose lease was lost is skipped. Each acked job is
   * marked settled when the transaction commits.
   *
   * @return for each job, whether it was acked
   */
  boolean[] ackAll(List<JobImpl> jobs) {
    return store.writeRerunnable(
        c -> {
          SqliteTx tx = store.context();
          PreparedStatement ps = tx.prepared(ACK);
          long now = clock.millis();
          boolean[] acked = new boolean[jobs.size()];
          List<JobImpl> done = new ArrayList<>(jobs.size());
          for (int i = 0; i < acked.length; i++) {
            JobImpl job = jobs.get(i);
            ps.setLong(1, job.id);
            ps.setLong(2, job.token);
            acked[i] = ps.executeUpdate() == 1;
            if (acked[i]) {
              done.add(job);
            }
          }
          saveRecords(tx, done, now);
          if (!done.isEmpty()) {
            tx.afterCommit(() -> done.forEach(JobImpl::markSettled));
            signalEnded(tx, done.get(0).queue());
          }
          return acked;
        });
  }

  /** Rows per statement when the records of a batch are saved together. */
  private static final int RECORDS_PER_STATEMENT = 32;

  private static final String SAVE_RECORDS =
      "INSERT OR REPLACE INTO gander_results (job_id, queue, value, attempt, finished_at,"
          + " expires_at) VALUES "
          + String.join(
              ", ", java.util.Collections.nCopies(RECORDS_PER_STATEMENT, "(?, ?, NULL, ?, ?, ?)"));

  /**
   * Saves the records that jobs acked without a result succeeded, 32 rows per statement: one
   * statement per row made the record cost as much as the ack itself in batched acks.
   */
  private static void saveRecords(SqliteTx tx, List<JobImpl> done, long now) throws SQLException {
    List<JobImpl> kept = new ArrayList<>(done.size());
    for (JobImpl job : done) {
      if (!job.handle().options().keepSucceeded().isZero()) {
        kept.add(job);
      }
    }
    int i = 0;
    if (kept.size() >= RECORDS_PER_STATEMENT) {
      PreparedStatement many = tx.prepared(SAVE_RECORDS);
      for (; i + RECORDS_PER_STATEMENT <= kept.size(); i += RECORDS_PER_STATEMENT) {
        int p = 1;
        for (int j = i; j < i + RECORDS_PER_STATEMENT; j++) {
          JobImpl job = kept.get(j);
          many.setLong(p++, job.id);
          many.setString(p++, job.queue());
          many.setInt(p++, job.attempt());
          many.setLong(p++, now);
          many.setLong(p++, Times.plus(now, job.handle().options().keepSucceeded()));
        }
        many.executeUpdate();
      }
    }
    for (; i < kept.size(); i++) {
      JobImpl job = kept.get(i);
      saveRecord(tx, job, null, job.handle().options(), now);
    }
  }

  /**
   * Puts a job back to run after {@code delay}; dead-letters it instead when that was its last
   * attempt ({@code failed}) or when the retry would start after its expiry ({@code
   * expired-while-retrying}). The one place that decides a failed attempt's fate.
   */
  void retry(JobImpl job, Duration delay, String error) {
    if (job.attempt() >= job.maxAttempts()) {
      deadLetter(job, error, FAILED);
      return;
    }
    long now = clock.millis();
    long runAt = Times.plus(now, delay);
    if (job.expiresAt != Long.MAX_VALUE && runAt >= job.expiresAt) {
      deadLetter(job, error, EXPIRED_WHILE_RETRYING);
      return;
    }
    int state = runAt > now ? SCHEDULED : READY;
    String key = key(job.queue());
    store.writeRerunnable(
        c -> {
          SqliteTx tx = store.context();
          PreparedStatement ps = tx.prepared(RETRY);
          ps.setInt(1, state);
          ps.setLong(2, runAt);
          ps.setString(3, error);
          ps.setLong(4, job.id);
          ps.setLong(5, job.token);
          requireLease(ps.executeUpdate(), job, "retry");
          tx.afterCommit(job::markSettled);
          tx.afterCommit(() -> hub.signal(key));
          return null;
        });
  }

  /** Gives a job back; {@code refundAttempt} when it was claimed but never started. */
  void release(JobImpl job, boolean refundAttempt) {
    String key = key(job.queue());
    store.writeRerunnable(
        c -> {
          SqliteTx tx = store.context();
          PreparedStatement ps = tx.prepared(RELEASE);
          ps.setInt(1, refundAttempt ? 1 : 0);
          ps.setLong(2, job.id);
          ps.setLong(3, job.token);
          if (ps.executeUpdate() > 0) {
            tx.afterCommit(() -> hub.signal(key));
          }
          tx.afterCommit(job::markSettled);
          return null;
        });
  }

  void deadLetter(JobImpl job, String error, String reason) {
    long now = clock.millis();
    store.writeRerunnable(
        c -> {
          SqliteTx tx = store.context();
          PreparedStatement bury = tx.prepared(BURY_ONE);
          bury.setString(1, error);
          bury.setString(2, reason);
          bury.setLong(3, now);
          bury.setLong(4, job.id);
          bury.setLong(5, job.token);
          requireLease(bury.executeUpdate(), job, "fail");
          PreparedStatement delete = tx.prepared(DELETE_ONE);
          delete.setLong(1, job.id);
          delete.executeUpdate();
          tx.afterCommit(job::markSettled);
          signalEnded(tx, job.queue());
          return null;
        });
  }

  private static void requireLease(int rows, JobImpl job, String what) {
    if (rows == 0) {
      throw new LeaseLostException(
          "Cannot "
              + what
              + " job "
              + job.id
              + " of queue '"
              + job.queue()
              + "': this worker's lease (attempt "
              + job.attempt()
              + ", token "
              + job.fencingToken()
              + ") was lost; the job was claimed again, dead-lettered or finished. Heartbeat"
              + " long jobs or raise the visibility timeout. Nothing was changed.");
    }
  }

  // ----------------------------------------------------------------- sweep

  /**
   * Makes lease-expired jobs claimable again (or dead-letters them on their last attempt),
   * dead-letters jobs that expired unclaimed, and purges expired results.
   *
   * @return how many rows changed
   */
  public int sweep() {
    return store.writeRerunnable(
        c -> {
          long now = clock.millis();
          SqliteTx tx = store.context();
          int changed = 0;
          PreparedStatement clamp = tx.prepared(CLAMP_LEASES);
          clamp.setLong(1, now);
          clamp.setLong(2, now);
          int clamped = clamp.executeUpdate();
          if (clamped > 0) {
            log.warn(
                "The clock stepped back: {} lease(s) granted later than now were shortened to"
                    + " one lease length from now",
                clamped);
            changed += clamped;
          }
          PreparedStatement bury = tx.prepared(BURY_LEASE_EXPIRED);
          bury.setLong(1, now);
          bury.setLong(2, now);
          changed += bury.executeUpdate();
          PreparedStatement delete = tx.prepared(DELETE_LEASE_EXPIRED);
          delete.setLong(1, now);
          Set<String> ended = new HashSet<>();
          collect(delete, ended);
          PreparedStatement requeue = tx.prepared(REQUEUE_EXPIRED_LEASES);
          requeue.setLong(1, now);
          Set<String> woken = new HashSet<>();
          changed += collect(requeue, woken);
          PreparedStatement buryExpired = tx.prepared(BURY_EXPIRED);
          buryExpired.setLong(1, now);
          buryExpired.setLong(2, now);
          changed += buryExpired.executeUpdate();
          PreparedStatement deleteExpired = tx.prepared(DELETE_EXPIRED);
          deleteExpired.setLong(1, now);
          collect(deleteExpired, ended);
          PreparedStatement purge = tx.prepared(PURGE_RESULTS);
          purge.setLong(1, now);
          changed += purge.executeUpdate();
          if (!woken.isEmpty()) {
            tx.afterCommit(
                () -> {
                  for (String q : woken) {
                    hub.signal(key(q));
                  }
                });
          }
          for (String q : ended) {
            signalEnded(tx, q);
          }
          return changed;
        });
  }

  /** Runs a statement returning queue names into {@code into}; returns the number of rows. */
  private static int collect(PreparedStatement ps, Set<String> into) throws SQLException {
    int n = 0;
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        into.add(rs.getString(1));
        n++;
      }
    }
    return n;
  }

  /**
   * The earliest time at which {@link #sweep()} has something to do, read without writing.
   *
   * @return epoch milliseconds, or {@link Long#MAX_VALUE} if nothing is pending
   */
  public long nextSweepAt() {
    return store.read(
        c -> {
          long now = clock.millis();
          long next = Long.MAX_VALUE;
          next = Math.min(next, min(c, "SELECT min(lease_until) FROM gander_jobs WHERE state = 1"));
          next =
              Math.min(
                  next,
                  min(
                      c,
                      "SELECT min(expires_at) FROM gander_jobs"
                          + " WHERE expires_at IS NOT NULL AND state <> 1"));
          next = Math.min(next, min(c, "SELECT min(expires_at) FROM gander_results"));
          long latestGrant = min(c, LATEST_GRANT);
          if (latestGrant != Long.MAX_VALUE && latestGrant > now) {
            return now; // the clock stepped back past a grant: clamp that lease now
          }
          return next;
        });
  }

  private static long min(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      long v = rs.next() ? rs.getLong(1) : 0;
      return rs.wasNull() ? Long.MAX_VALUE : v;
    }
  }

  /**
   * The next run time of a queue's scheduled jobs, for waiters to wake at.
   *
   * @param queue the queue
   * @return epoch milliseconds, or empty if none is scheduled
   */
  Optional<Long> nextScheduled(String queue) {
    return store.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT min(run_at) FROM gander_jobs WHERE queue = ? AND state = 2")) {
            ps.setString(1, queue);
            try (ResultSet rs = ps.executeQuery()) {
              long v = rs.next() ? rs.getLong(1) : 0;
              return rs.wasNull() ? Optional.<Long>empty() : Optional.of(v);
            }
          }
        });
  }

  // ------------------------------------------------------- stats and dead

  QueueStats stats(String queue) {
    long now = clock.millis();
    return store.read(
        c -> {
          // Three scans of the partial indexes (each covering), not one of the table: about
          // four times faster on a queue of a million jobs.
          long ready;
          long scheduled;
          long running;
          long oldest = Long.MAX_VALUE;
          try (PreparedStatement ps = c.prepareStatement(STATS_READY)) {
            ps.setString(1, queue);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              ready = rs.getLong(1);
              long min = rs.getLong(2);
              if (!rs.wasNull()) {
                oldest = min;
              }
            }
          }
          try (PreparedStatement ps = c.prepareStatement(STATS_SCHEDULED)) {
            ps.setLong(1, now);
            ps.setString(2, queue);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              long due = rs.getLong(2);
              scheduled = rs.getLong(1) - due;
              ready += due;
              if (due > 0) {
                oldest = Math.min(oldest, rs.getLong(3));
              }
            }
          }
          try (PreparedStatement ps = c.prepareStatement(STATS_RUNNING)) {
            ps.setString(1, queue);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              running = rs.getLong(1);
            }
          }
          long dead;
          try (PreparedStatement ps =
              c.prepareStatement("SELECT count(*) FROM gander_dead_jobs WHERE queue = ?")) {
            ps.setString(1, queue);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              dead = rs.getLong(1);
            }
          }
          Duration age =
              oldest == Long.MAX_VALUE
                  ? Duration.ZERO
                  : Duration.ofMillis(Math.max(0, now - oldest));
          return new QueueStats(ready, scheduled, running, dead, age);
        });
  }

  List<DeadLetter> deadLetters(String queue, int limit) {
    return store.read(
        c -> {
          List<DeadLetter> out = new ArrayList<>();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id, payload, attempt, reason, last_error, enqueued_at, died_at"
                      + " FROM gander_dead_jobs WHERE queue = ? ORDER BY died_at, id LIMIT ?")) {
            ps.setString(1, queue);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                out.add(
                    new DeadLetter(
                        JobId.of(rs.getLong(1)),
                        queue,
                        rs.getString(2),
                        rs.getInt(3),
                        rs.getString(4),
                        Optional.ofNullable(rs.getString(5)),
                        Instant.ofEpochMilli(rs.getLong(6)),
                        Instant.ofEpochMilli(rs.getLong(7))));
              }
            }
          }
          return out;
        });
  }

  /**
   * Moves dead letters back to the queue with a new attempt budget. A dead job whose unique key is
   * held by a live job stays dead; among dead jobs sharing a key, only the newest revives (the key
   * admits one live job). Skipped jobs stay as they were, and are logged.
   *
   * @param id one dead job, or {@code null} for all of the queue's
   * @return how many were requeued
   */
  int requeueDead(String queue, @Nullable Long id) {
    long now = clock.millis();
    return store.writeRerunnable(
        c -> {
          SqliteTx tx = store.context();
          List<Long> revived = new ArrayList<>();
          PreparedStatement ps = tx.prepared(id == null ? REQUEUE_ALL_DEAD : REQUEUE_ONE_DEAD);
          ps.setLong(1, now);
          ps.setString(2, queue);
          if (id != null) {
            ps.setLong(3, id);
          }
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              revived.add(rs.getLong(1));
            }
          }
          PreparedStatement delete = tx.prepared(DELETE_DEAD);
          for (long r : revived) {
            delete.setLong(1, r);
            delete.executeUpdate();
          }
          PreparedStatement count = tx.prepared(id == null ? COUNT_DEAD : COUNT_ONE_DEAD);
          count.setString(1, queue);
          if (id != null) {
            count.setLong(2, id);
          }
          try (ResultSet rs = count.executeQuery()) {
            long left = rs.next() ? rs.getLong(1) : 0;
            if (left > 0) {
              log.info(
                  "Requeue of dead jobs of '{}': {} left dead because a live or newer job holds"
                      + " their unique key",
                  queue,
                  left);
            }
          }
          if (!revived.isEmpty()) {
            String key = key(queue);
            tx.afterCommit(() -> hub.signal(key));
          }
          return revived.size();
        });
  }

  int purgeDead(String queue, @Nullable Long id) {
    String where = id == null ? "queue = ?" : "queue = ? AND id = ?";
    return store.writeRerunnable(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("DELETE FROM gander_dead_jobs WHERE " + where)) {
            ps.setString(1, queue);
            if (id != null) {
              ps.setLong(2, id);
            }
            return ps.executeUpdate();
          }
        });
  }

  // ---------------------------------------------------------------- results

  Optional<ResultImpl> result(long id) {
    long now = clock.millis();
    return store.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT value, expires_at FROM gander_results"
                      + " WHERE job_id = ? AND expires_at > ? AND value IS NOT NULL")) {
            ps.setLong(1, id);
            ps.setLong(2, now);
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return Optional.<ResultImpl>empty();
              }
              return Optional.of(
                  new ResultImpl(codec, JobId.of(id), rs.getString(1), rs.getLong(2)));
            }
          }
        });
  }

  /** What became of a job, in one snapshot. */
  JobInfo info(JobId jobId) {
    long id = jobId.value();
    long now = clock.millis();
    return store.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT queue, state, attempt, last_error, run_at FROM gander_jobs WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              if (rs.next()) {
                int state = rs.getInt(2);
                JobState s =
                    state == RUNNING
                        ? JobState.RUNNING
                        : state == READY || rs.getLong(5) <= now
                            ? JobState.READY
                            : JobState.SCHEDULED;
                return new JobInfo(
                    jobId,
                    s,
                    Optional.of(rs.getString(1)),
                    rs.getInt(3),
                    Optional.ofNullable(rs.getString(4)),
                    Optional.empty(),
                    Optional.empty());
              }
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT queue, attempt, last_error, reason FROM gander_dead_jobs WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              if (rs.next()) {
                return new JobInfo(
                    jobId,
                    JobState.DEAD,
                    Optional.of(rs.getString(1)),
                    rs.getInt(2),
                    Optional.ofNullable(rs.getString(3)),
                    Optional.of(rs.getString(4)),
                    Optional.empty());
              }
            }
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT queue, value, attempt, expires_at FROM gander_results"
                      + " WHERE job_id = ? AND expires_at > ?")) {
            ps.setLong(1, id);
            ps.setLong(2, now);
            try (ResultSet rs = ps.executeQuery()) {
              if (rs.next()) {
                String json = rs.getString(2);
                Optional<JobResult> result =
                    json == null
                        ? Optional.empty()
                        : Optional.of(new ResultImpl(codec, jobId, json, rs.getLong(4)));
                return new JobInfo(
                    jobId,
                    JobState.SUCCEEDED,
                    Optional.ofNullable(rs.getString(1)),
                    rs.getInt(3),
                    Optional.empty(),
                    Optional.empty(),
                    result);
              }
            }
          }
          return JobInfo.unknown(jobId);
        });
  }

  /** Whether the queue has no live job: none ready, scheduled or running. */
  boolean isDrained(String queue) {
    return store.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT EXISTS (SELECT 1 FROM gander_jobs WHERE queue = ? AND state = 0)"
                      + " OR EXISTS (SELECT 1 FROM gander_jobs WHERE queue = ? AND state = 2)"
                      + " OR EXISTS (SELECT 1 FROM gander_jobs WHERE state = 1 AND queue = ?)")) {
            ps.setString(1, queue);
            ps.setString(2, queue);
            ps.setString(3, queue);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next() && rs.getInt(1) == 0;
            }
          }
        });
  }

  private static void setNullableString(PreparedStatement ps, int i, @Nullable String v)
      throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.VARCHAR);
    } else {
      ps.setString(i, v);
    }
  }
}
