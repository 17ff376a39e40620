package dev.gander.internal.postgres;

import dev.gander.internal.spi.JobOps;
import dev.gander.internal.spi.Tx;
import dev.gander.queue.DeadLetter;
import dev.gander.queue.JobId;
import dev.gander.queue.QueueStats;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The job operations on PostgreSQL: every statement of the queues, written once for the schema
 * given. Semantics are those of SQLite's implementation (the one contract suite checks both): times
 * are the caller's epoch milliseconds, {@code NULL} stands for "never" in {@code expires_at} and
 * for "none" in {@code lease_until}.
 *
 * <p>What differs is how concurrent writers are kept apart, since PostgreSQL runs many transactions
 * at once where SQLite runs one: claims and promotions lock rows with {@code FOR UPDATE SKIP
 * LOCKED} (two claimers never wait for, nor take, the same job); sweeps lock the rows they report,
 * so that the job they then requeue or bury is still the one they saw (a heartbeat committed in
 * between would otherwise have its lease taken away); fenced updates rely on READ COMMITTED
 * re-checking a row that changed under them. Inside a read-only snapshot nothing is locked.
 *
 * <p>Stateless apart from its SQL; thread-safe.
 */
public final class PgJobs implements JobOps {
  /** Leases longer than this (about 31,000 years) never expire; clamping them is moot. */
  private static final long MAX_CLAMPED_LEASE = 1L << 50;

  private static final String JOB_COLUMNS =
      "id, queue, payload, priority, attempt, max_attempts, lease_token, unique_key, enqueued_at";

  private final String insert;
  private final String insertMany;
  private final String ackMany;
  private final String holder;
  private final String holderLocked;
  private final String promoteAndClaim;
  private final String heartbeat;
  private final String ack;
  private final String saveSucceeded;
  private final String retry;
  private final String release;
  private final String buryFenced;
  private final String buryAny;
  private final String clampLeases;
  private final String expiredLeases;
  private final String expiredLeasesLocked;
  private final String requeueExpiredLease;
  private final String expiredWaiting;
  private final String expiredWaitingLocked;
  private final String purgeSucceeded;
  private final String nextSweepAt;
  private final String nextScheduled;
  private final String hasReady;
  private final String isDrained;
  private final String stats;
  private final String deadLetters;
  private final String requeueOneDead;
  private final String requeueAllDead;
  private final String purgeOneDead;
  private final String purgeAllDead;
  private final String result;
  private final String find;

  /**
   * Binds the statements to a schema.
   *
   * @param schema the schema holding Gander's tables
   */
  public PgJobs(PgSchema schema) {
    insert =
        schema.sql(
            "INSERT INTO {schema}.gander_jobs (queue, payload, priority, run_at, state,"
                + " max_attempts, unique_key, expires_at, enqueued_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (queue, unique_key) WHERE unique_key IS NOT NULL DO NOTHING"
                + " RETURNING id");
    // Rows in the order given: ids come from the sequence as rows are inserted, so they rise in
    // that order.
    insertMany =
        schema.sql(
            "INSERT INTO {schema}.gander_jobs (queue, payload, priority, run_at, state,"
                + " max_attempts, expires_at, enqueued_at)"
                + " SELECT q, p, pr, ra, st, ma, ex, en FROM unnest(?::text[], ?::text[],"
                + " ?::integer[], ?::bigint[], ?::integer[], ?::integer[], ?::bigint[],"
                + " ?::bigint[]) WITH ORDINALITY AS t(q, p, pr, ra, st, ma, ex, en, n)"
                + " ORDER BY n RETURNING id");
    ackMany =
        schema.sql(
            "DELETE FROM {schema}.gander_jobs j USING unnest(?::bigint[], ?::bigint[])"
                + " AS a(id, token) WHERE j.id = a.id AND j.lease_token = a.token"
                + " AND j.state = 1 RETURNING j.id");
    holder =
        schema.sql(
            "SELECT id, state, expires_at, lease_until, attempt, max_attempts"
                + " FROM {schema}.gander_jobs WHERE queue = ? AND unique_key = ?");
    // In a write, the holder stays as seen until the caller decides about it (buries it).
    holderLocked = holder + " FOR UPDATE";
    // Two statements in one round trip: pgjdbc sends them together, and under READ COMMITTED
    // the claim's snapshot is taken after the promotion, so it sees the jobs just promoted.
    // Promotion skips rows another claimer is promoting: that one makes them ready.
    promoteAndClaim =
        schema.sql(
            "UPDATE {schema}.gander_jobs SET state = 0 WHERE id IN (SELECT id FROM"
                + " {schema}.gander_jobs WHERE queue = ? AND state = 2 AND run_at <= ?"
                + " FOR UPDATE SKIP LOCKED);"
                + " WITH next AS (SELECT id FROM {schema}.gander_jobs"
                + " WHERE queue = ? AND state = 0 AND (expires_at IS NULL OR expires_at > ?)"
                + " ORDER BY priority DESC, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED)"
                + " UPDATE {schema}.gander_jobs j SET state = 1, attempt = j.attempt + 1,"
                + " lease_token = j.lease_token + 1, lease_until = ?, worker_id = ?, lease_ms = ?"
                + " FROM next WHERE j.id = next.id"
                + " RETURNING j.id, j.payload, j.priority, j.run_at, j.attempt, j.max_attempts,"
                + " j.lease_token, j.enqueued_at, j.last_error, j.expires_at");
    heartbeat =
        schema.sql(
            "UPDATE {schema}.gander_jobs SET lease_until = ?, lease_ms = ?"
                + " WHERE id = ? AND lease_token = ? AND state = 1");
    ack =
        schema.sql(
            "DELETE FROM {schema}.gander_jobs WHERE id = ? AND lease_token = ? AND state = 1");
    // Any number of records in one statement: one round trip for a batch of acks.
    saveSucceeded =
        schema.sql(
            "INSERT INTO {schema}.gander_results (job_id, queue, value, attempt, finished_at,"
                + " expires_at)"
                + " SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::integer[],"
                + " ?::bigint[], ?::bigint[])"
                + " ON CONFLICT (job_id) DO UPDATE SET queue = excluded.queue,"
                + " value = excluded.value, attempt = excluded.attempt,"
                + " finished_at = excluded.finished_at, expires_at = excluded.expires_at");
    retry =
        schema.sql(
            "UPDATE {schema}.gander_jobs SET state = ?, run_at = ?, last_error = ?,"
                + " lease_until = NULL, worker_id = NULL"
                + " WHERE id = ? AND lease_token = ? AND state = 1");
    release =
        schema.sql(
            "UPDATE {schema}.gander_jobs SET state = 0, attempt = attempt - ?,"
                + " lease_until = NULL, worker_id = NULL"
                + " WHERE id = ? AND lease_token = ? AND state = 1");
    // Move and delete in one statement: the row leaves the live table exactly when it enters
    // the dead one.
    String bury =
        "WITH gone AS (DELETE FROM {schema}.gander_jobs WHERE %s RETURNING "
            + JOB_COLUMNS
            + ", last_error)"
            + " INSERT INTO {schema}.gander_dead_jobs ("
            + JOB_COLUMNS
            + ", last_error, reason, died_at)"
            + " SELECT "
            + JOB_COLUMNS
            + ", coalesce(?, last_error), ?, ? FROM gone";
    buryFenced = schema.sql(String.format(bury, "id = ? AND lease_token = ? AND state = 1"));
    buryAny = schema.sql(String.format(bury, "id = ?"));
    clampLeases =
        schema.sql(
            "UPDATE {schema}.gander_jobs SET lease_until = ? + lease_ms WHERE state = 1"
                + " AND lease_ms BETWEEN 0 AND "
                + MAX_CLAMPED_LEASE
                + " AND lease_until - lease_ms > ?");
    expiredLeases =
        schema.sql(
            "SELECT id, queue, lease_token, attempt, max_attempts, last_error FROM {schema}.gander_jobs"
                + " WHERE state = 1 AND lease_until <= ? ORDER BY lease_until, id");
    expiredLeasesLocked =
        schema.sql(
            "SELECT id, queue, lease_token, attempt, max_attempts, last_error FROM {schema}.gander_jobs"
                + " WHERE state = 1 AND lease_until <= ? FOR UPDATE SKIP LOCKED");
    requeueExpiredLease =
        schema.sql(
            "UPDATE {schema}.gander_jobs SET state = 0, lease_until = NULL, worker_id = NULL"
                + " WHERE id = ? AND lease_token = ? AND state = 1");
    expiredWaiting =
        schema.sql(
            "SELECT id, queue, lease_token, attempt, max_attempts, last_error FROM {schema}.gander_jobs"
                + " WHERE expires_at IS NOT NULL AND state <> 1 AND expires_at <= ?"
                + " ORDER BY expires_at, id");
    expiredWaitingLocked =
        schema.sql(
            "SELECT id, queue, lease_token, attempt, max_attempts, last_error FROM {schema}.gander_jobs"
                + " WHERE expires_at IS NOT NULL AND state <> 1 AND expires_at <= ?"
                + " FOR UPDATE SKIP LOCKED");
    purgeSucceeded = schema.sql("DELETE FROM {schema}.gander_results WHERE expires_at <= ?");
    nextSweepAt =
        schema.sql(
            "SELECT (SELECT min(lease_until) FROM {schema}.gander_jobs WHERE state = 1),"
                + " (SELECT min(expires_at) FROM {schema}.gander_jobs"
                + " WHERE expires_at IS NOT NULL AND state <> 1),"
                + " (SELECT min(expires_at) FROM {schema}.gander_results),"
                + " (SELECT max(lease_until - lease_ms) FROM {schema}.gander_jobs WHERE state = 1"
                + " AND lease_ms BETWEEN 0 AND "
                + MAX_CLAMPED_LEASE
                + ")");
    nextScheduled =
        schema.sql("SELECT min(run_at) FROM {schema}.gander_jobs WHERE queue = ? AND state = 2");
    hasReady =
        schema.sql(
            "SELECT EXISTS (SELECT 1 FROM {schema}.gander_jobs WHERE queue = ? AND state = 0)");
    isDrained =
        schema.sql(
            "SELECT NOT (EXISTS (SELECT 1 FROM {schema}.gander_jobs WHERE queue = ? AND state = 0)"
                + " OR EXISTS (SELECT 1 FROM {schema}.gander_jobs WHERE queue = ? AND state = 2)"
                + " OR EXISTS (SELECT 1 FROM {schema}.gander_jobs WHERE state = 1 AND queue = ?))");
    // One round trip; each count walks one partial index.
    stats =
        schema.sql(
            "SELECT (SELECT count(*) FROM {schema}.gander_jobs WHERE queue = ? AND state = 0),"
                + " (SELECT min(run_at) FROM {schema}.gander_jobs WHERE queue = ? AND state = 0),"
                + " s.total, s.due, s.oldest_due,"
                + " (SELECT count(*) FROM {schema}.gander_jobs WHERE state = 1 AND queue = ?),"
                + " (SELECT count(*) FROM {schema}.gander_dead_jobs WHERE queue = ?)"
                + " FROM (SELECT count(*) AS total, count(*) FILTER (WHERE run_at <= ?) AS due,"
                + " min(run_at) FILTER (WHERE run_at <= ?) AS oldest_due"
                + " FROM {schema}.gander_jobs WHERE queue = ? AND state = 2) s");
    deadLetters =
        schema.sql(
            "SELECT id, payload, attempt, reason, last_error, enqueued_at, died_at"
                + " FROM {schema}.gander_dead_jobs WHERE queue = ? ORDER BY died_at, id LIMIT ?");
    // Move back what may move, delete what moved, count what asked and stayed, in one
    // statement. The insert skips a row whose key a live job holds (NOT EXISTS, and ON CONFLICT
    // for one inserted concurrently); the delete takes exactly the rows inserted.
    String requeue =
        "WITH moved AS (INSERT INTO {schema}.gander_jobs (id, queue, payload, priority, run_at,"
            + " state, attempt, max_attempts, lease_token, unique_key, enqueued_at, last_error)"
            + " SELECT d.id, d.queue, d.payload, d.priority, ?, 0, 0, d.max_attempts,"
            + " d.lease_token, d.unique_key, d.enqueued_at, d.last_error"
            + " FROM {schema}.gander_dead_jobs d WHERE d.queue = ? %s"
            + " AND (d.unique_key IS NULL OR NOT EXISTS (SELECT 1 FROM {schema}.gander_jobs j"
            + " WHERE j.queue = d.queue AND j.unique_key = d.unique_key))"
            + " ON CONFLICT DO NOTHING RETURNING id),"
            + " gone AS (DELETE FROM {schema}.gander_dead_jobs WHERE id IN (SELECT id FROM moved)"
            + " RETURNING id)"
            + " SELECT (SELECT count(*) FROM gone),"
            + " (SELECT count(*) FROM {schema}.gander_dead_jobs d WHERE d.queue = ? %s)";
    requeueOneDead = schema.sql(String.format(requeue, "AND d.id = ?", "AND d.id = ?"));
    // Of dead jobs sharing a unique key only the newest moves: the key admits one live job.
    requeueAllDead =
        schema.sql(
            String.format(
                requeue,
                "AND (d.unique_key IS NULL OR NOT EXISTS (SELECT 1 FROM"
                    + " {schema}.gander_dead_jobs e WHERE e.queue = d.queue"
                    + " AND e.unique_key = d.unique_key AND (e.died_at > d.died_at"
                    + " OR (e.died_at = d.died_at AND e.id > d.id))))",
                ""));
    purgeOneDead = schema.sql("DELETE FROM {schema}.gander_dead_jobs WHERE queue = ? AND id = ?");
    purgeAllDead = schema.sql("DELETE FROM {schema}.gander_dead_jobs WHERE queue = ?");
    result =
        schema.sql(
            "SELECT value, expires_at FROM {schema}.gander_results"
                + " WHERE job_id = ? AND expires_at > ? AND value IS NOT NULL");
    find =
        schema.sql(
            "SELECT * FROM ("
                + "SELECT 1 AS rank, 'live' AS place, queue, state, run_at, attempt, last_error,"
                + " NULL AS reason, NULL AS value, NULL::bigint AS expires_at"
                + " FROM {schema}.gander_jobs WHERE id = ?"
                + " UNION ALL SELECT 2, 'dead', queue, NULL, NULL, attempt, last_error, reason,"
                + " NULL, NULL FROM {schema}.gander_dead_jobs WHERE id = ?"
                + " UNION ALL SELECT 3, 'succeeded', queue, NULL, NULL, attempt, NULL, NULL,"
                + " value, expires_at FROM {schema}.gander_results"
                + " WHERE job_id = ? AND expires_at > ?"
                + ") f ORDER BY rank LIMIT 1");
  }

  // ------------------------------------------------------------------- enqueue

  @Override
  public OptionalLong insert(Tx tx, NewJob job) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(insert)) {
      ps.setString(1, job.queue());
      ps.setString(2, job.payload());
      ps.setInt(3, job.priority());
      ps.setLong(4, job.runAt());
      ps.setInt(5, job.state());
      ps.setInt(6, job.maxAttempts());
      setText(ps, 7, job.uniqueKey());
      setTime(ps, 8, job.expiresAt());
      ps.setLong(9, job.enqueuedAt());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
      }
    }
  }

  @Override
  public long[] insertMany(Tx tx, List<NewJob> jobs) throws SQLException {
    if (jobs.size() == 1) {
      return new long[] {insert(tx, jobs.get(0)).orElseThrow()};
    }
    int n = jobs.size();
    String[] queues = new String[n];
    String[] payloads = new String[n];
    Integer[] priorities = new Integer[n];
    Long[] runAts = new Long[n];
    Integer[] states = new Integer[n];
    Integer[] maxAttempts = new Integer[n];
    Long[] expires = new Long[n];
    Long[] enqueued = new Long[n];
    for (int i = 0; i < n; i++) {
      NewJob job = jobs.get(i);
      if (job.uniqueKey() != null) {
        throw new IllegalArgumentException("insertMany takes no job with a unique key");
      }
      queues[i] = job.queue();
      payloads[i] = job.payload();
      priorities[i] = job.priority();
      runAts[i] = job.runAt();
      states[i] = job.state();
      maxAttempts[i] = job.maxAttempts();
      expires[i] = job.expiresAt() == Long.MAX_VALUE ? null : job.expiresAt();
      enqueued[i] = job.enqueuedAt();
    }
    Connection c = tx.connection();
    long[] ids = new long[n];
    try (PreparedStatement ps = c.prepareStatement(insertMany)) {
      ps.setArray(1, c.createArrayOf("text", queues));
      ps.setArray(2, c.createArrayOf("text", payloads));
      ps.setArray(3, c.createArrayOf("integer", priorities));
      ps.setArray(4, c.createArrayOf("bigint", runAts));
      ps.setArray(5, c.createArrayOf("integer", states));
      ps.setArray(6, c.createArrayOf("integer", maxAttempts));
      ps.setArray(7, c.createArrayOf("bigint", expires));
      ps.setArray(8, c.createArrayOf("bigint", enqueued));
      int i = 0;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids[i++] = rs.getLong(1);
        }
      }
      if (i != n) {
        throw new SQLException("inserted " + i + " of " + n + " jobs");
      }
    }
    // RETURNING has no documented order; the sequence's order is the order given.
    Arrays.sort(ids);
    return ids;
  }

  @Override
  public Optional<Holder> holder(Tx tx, String queue, String uniqueKey) throws SQLException {
    try (PreparedStatement ps =
        tx.connection().prepareStatement(locks(tx) ? holderLocked : holder)) {
      ps.setString(1, queue);
      ps.setString(2, uniqueKey);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Holder(
                rs.getLong(1), rs.getInt(2), time(rs, 3), time(rs, 4), rs.getInt(5), rs.getInt(6)));
      }
    }
  }

  // --------------------------------------------------------------------- claim

  private static final Comparator<Claimed> CLAIM_ORDER =
      Comparator.comparingInt(Claimed::priority)
          .reversed()
          .thenComparingLong(Claimed::runAt)
          .thenComparingLong(Claimed::id);

  @Override
  public List<Claimed> claim(
      Tx tx, String queue, String workerId, int max, long now, long leaseUntil, long leaseMs)
      throws SQLException {
    if (max <= 0) {
      return List.of();
    }
    List<Claimed> out = new ArrayList<>(Math.min(max, 64));
    try (PreparedStatement ps = tx.connection().prepareStatement(promoteAndClaim)) {
      ps.setString(1, queue);
      ps.setLong(2, now);
      ps.setString(3, queue);
      ps.setLong(4, now);
      ps.setInt(5, max);
      ps.setLong(6, leaseUntil);
      ps.setString(7, workerId);
      ps.setLong(8, leaseMs);
      ps.execute();
      // The promotion's update count, then the claim's rows.
      while (!ps.getMoreResults() && ps.getUpdateCount() != -1) {
        // Skip update counts until the result set.
      }
      try (ResultSet rs = ps.getResultSet()) {
        while (rs.next()) {
          out.add(
              new Claimed(
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getInt(3),
                  rs.getLong(4),
                  rs.getInt(5),
                  rs.getInt(6),
                  rs.getLong(7),
                  rs.getLong(8),
                  rs.getString(9),
                  time(rs, 10)));
        }
      }
    }
    // UPDATE ... RETURNING has no order of its own.
    out.sort(CLAIM_ORDER);
    return out;
  }

  // -------------------------------------------------------------------- settle

  @Override
  public boolean heartbeat(Tx tx, long id, long token, long leaseUntil, long leaseMs)
      throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(heartbeat)) {
      ps.setLong(1, leaseUntil);
      ps.setLong(2, leaseMs);
      ps.setLong(3, id);
      ps.setLong(4, token);
      return ps.executeUpdate() == 1;
    }
  }

  @Override
  public boolean ack(Tx tx, long id, long token) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(ack)) {
      ps.setLong(1, id);
      ps.setLong(2, token);
      return ps.executeUpdate() == 1;
    }
  }

  @Override
  public boolean[] ackMany(Tx tx, long[] ids, long[] tokens) throws SQLException {
    boolean[] acked = new boolean[ids.length];
    if (ids.length == 1) {
      acked[0] = ack(tx, ids[0], tokens[0]);
      return acked;
    }
    if (ids.length == 0) {
      return acked;
    }
    Connection c = tx.connection();
    Long[] boxedIds = new Long[ids.length];
    Long[] boxedTokens = new Long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      boxedIds[i] = ids[i];
      boxedTokens[i] = tokens[i];
    }
    Set<Long> deleted = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement(ackMany)) {
      ps.setArray(1, c.createArrayOf("bigint", boxedIds));
      ps.setArray(2, c.createArrayOf("bigint", boxedTokens));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          deleted.add(rs.getLong(1));
        }
      }
    }
    for (int i = 0; i < ids.length; i++) {
      // remove: a job listed twice is acked once, as one ack after another would say.
      acked[i] = deleted.remove(ids[i]);
    }
    return acked;
  }

  @Override
  public void saveSucceeded(Tx tx, List<Succeeded> records) throws SQLException {
    if (records.isEmpty()) {
      return;
    }
    // ON CONFLICT DO UPDATE may touch a row once per statement: the last record of an id wins.
    Map<Long, Succeeded> byId = new LinkedHashMap<>();
    for (Succeeded r : records) {
      byId.remove(r.id());
      byId.put(r.id(), r);
    }
    int n = byId.size();
    Long[] ids = new Long[n];
    String[] queues = new String[n];
    String[] values = new String[n];
    Integer[] attempts = new Integer[n];
    Long[] finished = new Long[n];
    Long[] expires = new Long[n];
    int i = 0;
    for (Succeeded r : byId.values()) {
      ids[i] = r.id();
      queues[i] = r.queue();
      values[i] = r.json();
      attempts[i] = r.attempt();
      finished[i] = r.finishedAt();
      expires[i] = r.expiresAt();
      i++;
    }
    Connection c = tx.connection();
    try (PreparedStatement ps = c.prepareStatement(saveSucceeded)) {
      ps.setArray(1, c.createArrayOf("bigint", ids));
      ps.setArray(2, c.createArrayOf("text", queues));
      ps.setArray(3, c.createArrayOf("text", values));
      ps.setArray(4, c.createArrayOf("integer", attempts));
      ps.setArray(5, c.createArrayOf("bigint", finished));
      ps.setArray(6, c.createArrayOf("bigint", expires));
      ps.executeUpdate();
    }
  }

  @Override
  public boolean retry(Tx tx, long id, long token, int state, long runAt, String error)
      throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(retry)) {
      ps.setInt(1, state);
      ps.setLong(2, runAt);
      ps.setString(3, error);
      ps.setLong(4, id);
      ps.setLong(5, token);
      return ps.executeUpdate() == 1;
    }
  }

  @Override
  public boolean release(Tx tx, long id, long token, boolean refundAttempt) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(release)) {
      ps.setInt(1, refundAttempt ? 1 : 0);
      ps.setLong(2, id);
      ps.setLong(3, token);
      return ps.executeUpdate() == 1;
    }
  }

  @Override
  public boolean bury(Tx tx, long id, long token, @Nullable String error, String reason, long now)
      throws SQLException {
    try (PreparedStatement ps =
        tx.connection().prepareStatement(token < 0 ? buryAny : buryFenced)) {
      int p = 1;
      ps.setLong(p++, id);
      if (token >= 0) {
        ps.setLong(p++, token);
      }
      setText(ps, p++, error);
      ps.setString(p++, reason);
      ps.setLong(p, now);
      return ps.executeUpdate() == 1;
    }
  }

  // --------------------------------------------------------------------- sweep

  @Override
  public int clampLeases(Tx tx, long now) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(clampLeases)) {
      ps.setLong(1, now);
      ps.setLong(2, JobOps.latestUnclampedGrant(now));
      return ps.executeUpdate();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>In a write, the rows returned stay locked until the transaction ends, and rows another
   * transaction holds (a heartbeat, a concurrent sweep) are left for the next sweep.
   */
  @Override
  public List<Stale> expiredLeases(Tx tx, long now) throws SQLException {
    return stale(tx, locks(tx) ? expiredLeasesLocked : expiredLeases, now);
  }

  @Override
  public boolean requeueExpiredLease(Tx tx, long id, long token) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(requeueExpiredLease)) {
      ps.setLong(1, id);
      ps.setLong(2, token);
      return ps.executeUpdate() == 1;
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>In a write, the rows returned stay locked until the transaction ends, so a claim cannot take
   * one between this read and its burial.
   */
  @Override
  public List<Stale> expiredWaiting(Tx tx, long now) throws SQLException {
    return stale(tx, locks(tx) ? expiredWaitingLocked : expiredWaiting, now);
  }

  private static List<Stale> stale(Tx tx, String sql, long now) throws SQLException {
    List<Stale> out = new ArrayList<>();
    try (PreparedStatement ps = tx.connection().prepareStatement(sql)) {
      ps.setLong(1, now);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Stale(
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getLong(3),
                  rs.getInt(4),
                  rs.getInt(5),
                  rs.getString(6)));
        }
      }
    }
    return out;
  }

  @Override
  public int purgeSucceeded(Tx tx, long now) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(purgeSucceeded)) {
      ps.setLong(1, now);
      return ps.executeUpdate();
    }
  }

  @Override
  public long nextSweepAt(Tx tx, long now) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(nextSweepAt);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      long latestGrant = time(rs, 4);
      if (latestGrant != Long.MAX_VALUE && latestGrant > JobOps.latestUnclampedGrant(now)) {
        return now; // the clock stepped back past a grant: clamp that lease now
      }
      return Math.min(time(rs, 1), Math.min(time(rs, 2), time(rs, 3)));
    }
  }

  // --------------------------------------------------------------------- reads

  @Override
  public OptionalLong nextScheduled(Tx tx, String queue) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(nextScheduled)) {
      ps.setString(1, queue);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long v = rs.getLong(1);
        return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
      }
    }
  }

  @Override
  public boolean hasReady(Tx tx, String queue) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(hasReady)) {
      ps.setString(1, queue);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  @Override
  public boolean isDrained(Tx tx, String queue) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(isDrained)) {
      ps.setString(1, queue);
      ps.setString(2, queue);
      ps.setString(3, queue);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  @Override
  public QueueStats stats(Tx tx, String queue, long now) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(stats)) {
      ps.setString(1, queue);
      ps.setString(2, queue);
      ps.setString(3, queue);
      ps.setString(4, queue);
      ps.setLong(5, now);
      ps.setLong(6, now);
      ps.setString(7, queue);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long ready = rs.getLong(1);
        long oldest = time(rs, 2);
        long scheduledAll = rs.getLong(3);
        long due = rs.getLong(4);
        long oldestDue = time(rs, 5);
        long running = rs.getLong(6);
        long dead = rs.getLong(7);
        // Due scheduled jobs are ready in all but name: the next claim promotes them.
        oldest = Math.min(oldest, oldestDue);
        Duration age =
            oldest == Long.MAX_VALUE ? Duration.ZERO : Duration.ofMillis(Math.max(0, now - oldest));
        return new QueueStats(ready + due, scheduledAll - due, running, dead, age);
      }
    }
  }

  @Override
  public List<DeadLetter> deadLetters(Tx tx, String queue, int limit) throws SQLException {
    List<DeadLetter> out = new ArrayList<>();
    try (PreparedStatement ps = tx.connection().prepareStatement(deadLetters)) {
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
  }

  @Override
  public Requeued requeueDead(Tx tx, String queue, @Nullable Long id, long now)
      throws SQLException {
    try (PreparedStatement ps =
        tx.connection().prepareStatement(id == null ? requeueAllDead : requeueOneDead)) {
      int p = 1;
      ps.setLong(p++, now);
      ps.setString(p++, queue);
      if (id != null) {
        ps.setLong(p++, id);
      }
      ps.setString(p++, queue);
      if (id != null) {
        ps.setLong(p, id);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        int moved = rs.getInt(1);
        // The count of dead rows was taken before the delete (one snapshot for the statement).
        int stayed = rs.getInt(2) - moved;
        return new Requeued(moved, stayed);
      }
    }
  }

  @Override
  public int purgeDead(Tx tx, String queue, @Nullable Long id) throws SQLException {
    try (PreparedStatement ps =
        tx.connection().prepareStatement(id == null ? purgeAllDead : purgeOneDead)) {
      ps.setString(1, queue);
      if (id != null) {
        ps.setLong(2, id);
      }
      return ps.executeUpdate();
    }
  }

  @Override
  public Optional<StoredResult> result(Tx tx, long id, long now) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(result)) {
      ps.setLong(1, id);
      ps.setLong(2, now);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(new StoredResult(rs.getString(1), rs.getLong(2)));
      }
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Fields that do not apply to where the job was found are 0 ({@code state}, {@code runAt},
   * {@code expiresAt}) or {@code null}.
   */
  @Override
  public Optional<Found> find(Tx tx, long id, long now) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(find)) {
      ps.setLong(1, id);
      ps.setLong(2, id);
      ps.setLong(3, id);
      ps.setLong(4, now);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Found(
                Place.valueOf(rs.getString(2).toUpperCase(java.util.Locale.ROOT)),
                rs.getString(3),
                rs.getInt(4),
                rs.getLong(5),
                rs.getInt(6),
                rs.getString(7),
                rs.getString(8),
                rs.getString(9),
                rs.getLong(10)));
      }
    }
  }

  // ------------------------------------------------------------------- helpers

  /** Whether statements in {@code tx} may lock rows: not in a read-only snapshot. */
  private static boolean locks(Tx tx) {
    return !(tx instanceof PgTx) || ((PgTx) tx).isWrite();
  }

  /** A time column where {@code NULL} means never. */
  private static long time(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? Long.MAX_VALUE : v;
  }

  /** A time parameter where {@link Long#MAX_VALUE} means never, stored as {@code NULL}. */
  private static void setTime(PreparedStatement ps, int index, long v) throws SQLException {
    if (v == Long.MAX_VALUE) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, v);
    }
  }

  private static void setText(PreparedStatement ps, int index, @Nullable String v)
      throws SQLException {
    if (v == null) {
      ps.setNull(index, Types.VARCHAR);
    } else {
      ps.setString(index, v);
    }
  }
}
