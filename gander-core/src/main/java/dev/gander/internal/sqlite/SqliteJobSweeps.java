package dev.gander.internal.sqlite;

import dev.gander.internal.spi.JobOps;
import dev.gander.internal.spi.JobOps.Stale;
import dev.gander.internal.spi.Tx;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The sweep's statements on SQLite, for {@link SqliteJobs}: leases granted in the clock's future or
 * run out, waiting jobs past their expiry, expired records, and when a sweep next has work. Each is
 * a {@link JobOps} operation of the same name; stateless, thread-safe.
 */
final class SqliteJobSweeps {
  /** Leases longer than this (about 35,000 years) never expire; clamping them is moot. */
  private static final long MAX_CLAMPED_LEASE = 1L << 50;

  /**
   * A lease granted at a time still in the future was granted before the clock stepped back:
   * shorten it to one lease length from now.
   */
  private static final String CLAMP_LEASES =
      "UPDATE gander_jobs SET lease_until = ? + lease_ms WHERE state = 1"
          + " AND lease_ms BETWEEN 0 AND "
          + MAX_CLAMPED_LEASE
          + " AND lease_until - lease_ms > ?";

  private static final String LATEST_GRANT =
      "SELECT max(lease_until - lease_ms) FROM gander_jobs WHERE state = 1"
          + " AND lease_ms BETWEEN 0 AND "
          + MAX_CLAMPED_LEASE;
  private static final String EXPIRED_LEASES =
      "SELECT id, queue, lease_token, attempt, max_attempts, last_error FROM gander_jobs"
          + " WHERE state = 1 AND lease_until <= ?";
  private static final String REQUEUE_EXPIRED_LEASE =
      "UPDATE gander_jobs SET state = 0, lease_until = NULL, worker_id = NULL"
          + " WHERE id = ? AND lease_token = ? AND state = 1";
  private static final String EXPIRED_WAITING =
      "SELECT id, queue, lease_token, attempt, max_attempts, last_error FROM gander_jobs"
          + " WHERE expires_at IS NOT NULL AND state <> 1 AND expires_at <= ?";
  private static final String PURGE_RESULTS = "DELETE FROM gander_results WHERE expires_at <= ?";
  private static final String MIN_LEASE =
      "SELECT min(lease_until) FROM gander_jobs WHERE state = 1";
  private static final String MIN_EXPIRY =
      "SELECT min(expires_at) FROM gander_jobs WHERE expires_at IS NOT NULL AND state <> 1";
  private static final String MIN_RECORD_EXPIRY = "SELECT min(expires_at) FROM gander_results";

  int clampLeases(Tx tx, long now) throws SQLException {
    PreparedStatement ps = SqliteStatements.statement(tx, CLAMP_LEASES);
    ps.setLong(1, now);
    ps.setLong(2, JobOps.latestUnclampedGrant(now));
    return ps.executeUpdate();
  }

  List<Stale> expiredLeases(Tx tx, long now) throws SQLException {
    return stale(SqliteStatements.statement(tx, EXPIRED_LEASES), now);
  }

  boolean requeueExpiredLease(Tx tx, long id, long token) throws SQLException {
    PreparedStatement ps = SqliteStatements.statement(tx, REQUEUE_EXPIRED_LEASE);
    ps.setLong(1, id);
    ps.setLong(2, token);
    return ps.executeUpdate() == 1;
  }

  List<Stale> expiredWaiting(Tx tx, long now) throws SQLException {
    return stale(SqliteStatements.statement(tx, EXPIRED_WAITING), now);
  }

  private static List<Stale> stale(PreparedStatement ps, long now) throws SQLException {
    ps.setLong(1, now);
    List<Stale> out = new ArrayList<>();
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
    return out;
  }

  int purgeSucceeded(Tx tx, long now) throws SQLException {
    PreparedStatement ps = SqliteStatements.statement(tx, PURGE_RESULTS);
    ps.setLong(1, now);
    return ps.executeUpdate();
  }

  long nextSweepAt(Tx tx, long now) throws SQLException {
    long latestGrant = SqliteStatements.single(tx, LATEST_GRANT);
    if (latestGrant != Long.MAX_VALUE && latestGrant > JobOps.latestUnclampedGrant(now)) {
      return now; // the clock stepped back past a grant: clamp that lease now
    }
    long next = SqliteStatements.single(tx, MIN_LEASE);
    next = Math.min(next, SqliteStatements.single(tx, MIN_EXPIRY));
    return Math.min(next, SqliteStatements.single(tx, MIN_RECORD_EXPIRY));
  }
}
