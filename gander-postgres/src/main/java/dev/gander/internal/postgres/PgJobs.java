package dev.gander.internal.postgres;

import dev.gander.internal.spi.JobOps;
import dev.gander.internal.spi.Tx;
import dev.gander.queue.DeadLetter;
import dev.gander.queue.QueueStats;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The job operations on PostgreSQL, in parts that each hold the SQL of one kind of work beside its
 * code, every statement written once for the schema given: enqueue is here; a job's lease, from
 * claim to the end of an attempt, is in {@link PgJobLeases}; the dead letters in {@link
 * PgDeadLetters}; the sweep in {@link PgJobSweeps}; the reads of a queue and of a job in {@link
 * PgJobReads}.
 *
 * <p>Semantics are those of SQLite's implementation (the one contract suite checks both): times are
 * the caller's epoch milliseconds, {@code NULL} stands for "never" in {@code expires_at} and for
 * "none" in {@code lease_until}.
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
  private final String insert;
  private final String insertMany;
  private final String holder;
  private final String holderLocked;

  private final PgJobLeases leases;
  private final PgDeadLetters deadLetters;
  private final PgJobSweeps sweeps;
  private final PgJobReads reads;

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
    holder =
        schema.sql(
            "SELECT id, state, expires_at, lease_until, attempt, max_attempts"
                + " FROM {schema}.gander_jobs WHERE queue = ? AND unique_key = ?");
    // In a write, the holder stays as seen until the caller decides about it (buries it).
    holderLocked = holder + " FOR UPDATE";
    leases = new PgJobLeases(schema);
    deadLetters = new PgDeadLetters(schema);
    sweeps = new PgJobSweeps(schema);
    reads = new PgJobReads(schema);
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
      PgStatements.setText(ps, 7, job.uniqueKey());
      PgStatements.setTime(ps, 8, job.expiresAt());
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
        tx.connection().prepareStatement(PgStatements.locks(tx) ? holderLocked : holder)) {
      ps.setString(1, queue);
      ps.setString(2, uniqueKey);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Holder(
                rs.getLong(1),
                rs.getInt(2),
                PgStatements.time(rs, 3),
                PgStatements.time(rs, 4),
                rs.getInt(5),
                rs.getInt(6)));
      }
    }
  }

  // --------------------------------------------------------------------- claim

  @Override
  public List<Claimed> claim(
      Tx tx, String queue, String workerId, int max, long now, long leaseUntil, long leaseMs)
      throws SQLException {
    return leases.claim(tx, queue, workerId, max, now, leaseUntil, leaseMs);
  }

  // -------------------------------------------------------------------- settle

  @Override
  public boolean heartbeat(Tx tx, long id, long token, long leaseUntil, long leaseMs)
      throws SQLException {
    return leases.heartbeat(tx, id, token, leaseUntil, leaseMs);
  }

  @Override
  public boolean ack(Tx tx, long id, long token) throws SQLException {
    return leases.ack(tx, id, token);
  }

  @Override
  public boolean ackWithRecord(Tx tx, long id, long token, Succeeded record) throws SQLException {
    return leases.ackWithRecord(tx, id, token, record);
  }

  @Override
  public boolean[] ackMany(Tx tx, long[] ids, long[] tokens) throws SQLException {
    return leases.ackMany(tx, ids, tokens);
  }

  @Override
  public void saveSucceeded(Tx tx, List<Succeeded> records) throws SQLException {
    leases.saveSucceeded(tx, records);
  }

  @Override
  public boolean retry(Tx tx, long id, long token, int state, long runAt, String error)
      throws SQLException {
    return leases.retry(tx, id, token, state, runAt, error);
  }

  @Override
  public boolean release(Tx tx, long id, long token, boolean refundAttempt) throws SQLException {
    return leases.release(tx, id, token, refundAttempt);
  }

  @Override
  public boolean bury(Tx tx, long id, long token, @Nullable String error, String reason, long now)
      throws SQLException {
    return deadLetters.bury(tx, id, token, error, reason, now);
  }

  // --------------------------------------------------------------------- sweep

  @Override
  public int clampLeases(Tx tx, long now) throws SQLException {
    return sweeps.clampLeases(tx, now);
  }

  @Override
  public List<Stale> expiredLeases(Tx tx, long now) throws SQLException {
    return sweeps.expiredLeases(tx, now);
  }

  @Override
  public boolean requeueExpiredLease(Tx tx, long id, long token) throws SQLException {
    return sweeps.requeueExpiredLease(tx, id, token);
  }

  @Override
  public List<Stale> expiredWaiting(Tx tx, long now) throws SQLException {
    return sweeps.expiredWaiting(tx, now);
  }

  @Override
  public int purgeSucceeded(Tx tx, long now) throws SQLException {
    return sweeps.purgeSucceeded(tx, now);
  }

  @Override
  public long nextSweepAt(Tx tx, long now) throws SQLException {
    return sweeps.nextSweepAt(tx, now);
  }

  // --------------------------------------------------------------------- reads

  @Override
  public OptionalLong nextScheduled(Tx tx, String queue) throws SQLException {
    return reads.nextScheduled(tx, queue);
  }

  @Override
  public boolean hasReady(Tx tx, String queue) throws SQLException {
    return reads.hasReady(tx, queue);
  }

  @Override
  public boolean isDrained(Tx tx, String queue) throws SQLException {
    return reads.isDrained(tx, queue);
  }

  @Override
  public QueueStats stats(Tx tx, String queue, long now) throws SQLException {
    return reads.stats(tx, queue, now);
  }

  @Override
  public List<DeadLetter> deadLetters(Tx tx, String queue, int limit) throws SQLException {
    return deadLetters.deadLetters(tx, queue, limit);
  }

  @Override
  public Requeued requeueDead(Tx tx, String queue, @Nullable Long id, long now)
      throws SQLException {
    return deadLetters.requeueDead(tx, queue, id, now);
  }

  @Override
  public int purgeDead(Tx tx, String queue, @Nullable Long id) throws SQLException {
    return deadLetters.purgeDead(tx, queue, id);
  }

  @Override
  public Optional<StoredResult> result(Tx tx, long id, long now) throws SQLException {
    return reads.result(tx, id, now);
  }

  @Override
  public Optional<Found> find(Tx tx, long id, long now) throws SQLException {
    return reads.find(tx, id, now);
  }
}
