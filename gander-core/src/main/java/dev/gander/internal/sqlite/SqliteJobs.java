package dev.gander.internal.sqlite;

import dev.gander.internal.spi.JobOps;
import dev.gander.internal.spi.Tx;
import dev.gander.queue.DeadLetter;
import dev.gander.queue.QueueStats;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The job operations of the SQLite backend, in parts that each hold the SQL of one kind of work
 * beside its code, every statement written once: enqueue is here; a job's lease, from claim to the
 * end of an attempt, is in {@link SqliteJobLeases}; the dead letters in {@link SqliteDeadLetters};
 * the sweep in {@link SqliteJobSweeps}; the reads of a queue and of a job in {@link
 * SqliteJobReads}.
 *
 * <p>Write statements are prepared once on the writer connection; reads prepare theirs on the
 * snapshot's connection. A job without expiry stores {@code NULL} in {@code expires_at}. Stateless
 * apart from its parts; thread-safe.
 */
public final class SqliteJobs implements JobOps {
  private static final String INSERT =
      "INSERT INTO gander_jobs (queue, payload, priority, run_at, state, max_attempts, unique_key,"
          + " expires_at, enqueued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT (queue, unique_key) WHERE unique_key IS NOT NULL DO NOTHING"
          + " RETURNING id";
  private static final String HOLDER =
      "SELECT id, state, expires_at, lease_until, attempt, max_attempts FROM gander_jobs"
          + " WHERE queue = ? AND unique_key = ?";

  private final SqliteJobLeases leases = new SqliteJobLeases();
  private final SqliteDeadLetters deadLetters = new SqliteDeadLetters();
  private final SqliteJobSweeps sweeps = new SqliteJobSweeps();
  private final SqliteJobReads reads = new SqliteJobReads();

  // ------------------------------------------------------------------------- enqueue

  @Override
  public OptionalLong insert(Tx tx, NewJob job) throws SQLException {
    PreparedStatement ps = SqliteStatements.statement(tx, INSERT);
    ps.setString(1, job.queue());
    ps.setString(2, job.payload());
    ps.setInt(3, job.priority());
    ps.setLong(4, job.runAt());
    ps.setInt(5, job.state());
    ps.setInt(6, job.maxAttempts());
    SqliteStatements.setNullable(ps, 7, job.uniqueKey());
    SqliteStatements.setExpiry(ps, 8, job.expiresAt());
    ps.setLong(9, job.enqueuedAt());
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
    }
  }

  @Override
  public Optional<Holder> holder(Tx tx, String queue, String uniqueKey) throws SQLException {
    if (tx instanceof SqliteTx) {
      return holder(SqliteStatements.statement(tx, HOLDER), queue, uniqueKey);
    }
    try (PreparedStatement ps = tx.connection().prepareStatement(HOLDER)) {
      return holder(ps, queue, uniqueKey);
    }
  }

  private static Optional<Holder> holder(PreparedStatement ps, String queue, String uniqueKey)
      throws SQLException {
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
              SqliteStatements.orNever(rs, 3),
              SqliteStatements.orNever(rs, 4),
              rs.getInt(5),
              rs.getInt(6)));
    }
  }

  // --------------------------------------------------------------------------- claim

  @Override
  public List<Claimed> claim(
      Tx tx, String queue, String workerId, int max, long now, long leaseUntil, long leaseMs)
      throws SQLException {
    return leases.claim(tx, queue, workerId, max, now, leaseUntil, leaseMs);
  }

  // -------------------------------------------------------------------------- settle

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

  // --------------------------------------------------------------------------- sweep

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

  // --------------------------------------------------------------------------- reads

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
