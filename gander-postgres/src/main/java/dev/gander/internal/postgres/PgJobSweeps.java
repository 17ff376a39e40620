package dev.gander.internal.postgres;

import dev.gander.internal.spi.JobOps;
import dev.gander.internal.spi.JobOps.Stale;
import dev.gander.internal.spi.Tx;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The sweep's statements on PostgreSQL, for {@link PgJobs}: leases granted in the clock's future or
 * run out, waiting jobs past their expiry, expired records, and when a sweep next has work. Each is
 * a {@link JobOps} operation of the same name.
 *
 * <p>Stateless apart from its SQL; thread-safe.
 */
final class PgJobSweeps {
  /** Leases longer than this (about 31,000 years) never expire; clamping them is moot. */
  private static final long MAX_CLAMPED_LEASE = 1L << 50;

  private final String clampLeases;
  private final String expiredLeases;
  private final String expiredLeasesLocked;
  private final String requeueExpiredLease;
  private final String expiredWaiting;
  private final String expiredWaitingLocked;
  private final String purgeSucceeded;
  private final String nextSweepAt;

  PgJobSweeps(PgSchema schema) {
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
  }

  int clampLeases(Tx tx, long now) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(clampLeases)) {
      ps.setLong(1, now);
      ps.setLong(2, JobOps.latestUnclampedGrant(now));
      return ps.executeUpdate();
    }
  }

  /**
   * Running jobs whose lease ran out by {@code now}. In a write, the rows returned stay locked
   * until the transaction ends, and rows another transaction holds (a heartbeat, a concurrent
   * sweep) are left for the next sweep.
   */
  List<Stale> expiredLeases(Tx tx, long now) throws SQLException {
    return stale(tx, PgStatements.locks(tx) ? expiredLeasesLocked : expiredLeases, now);
  }

  boolean requeueExpiredLease(Tx tx, long id, long token) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(requeueExpiredLease)) {
      ps.setLong(1, id);
      ps.setLong(2, token);
      return ps.executeUpdate() == 1;
    }
  }

  /**
   * Waiting jobs past their expiry. In a write, the rows returned stay locked until the transaction
   * ends, so a claim cannot take one between this read and its burial.
   */
  List<Stale> expiredWaiting(Tx tx, long now) throws SQLException {
    return stale(tx, PgStatements.locks(tx) ? expiredWaitingLocked : expiredWaiting, now);
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

  int purgeSucceeded(Tx tx, long now) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(purgeSucceeded)) {
      ps.setLong(1, now);
      return ps.executeUpdate();
    }
  }

  long nextSweepAt(Tx tx, long now) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(nextSweepAt);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      long latestGrant = PgStatements.time(rs, 4);
      if (latestGrant != Long.MAX_VALUE && latestGrant > JobOps.latestUnclampedGrant(now)) {
        return now; // the clock stepped back past a grant: clamp that lease now
      }
      return Math.min(
          PgStatements.time(rs, 1), Math.min(PgStatements.time(rs, 2), PgStatements.time(rs, 3)));
    }
  }
}
