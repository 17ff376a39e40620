package dev.gander.internal.postgres;

import dev.gander.internal.spi.JobOps.Found;
import dev.gander.internal.spi.JobOps.Place;
import dev.gander.internal.spi.JobOps.StoredResult;
import dev.gander.internal.spi.Tx;
import dev.gander.queue.QueueStats;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The reads of a queue and of one job on PostgreSQL, for {@link PgJobs}: a queue's next run time,
 * whether it has ready jobs or none at all, its counts; a job's stored result and whatever is known
 * of it. Each is a {@link dev.gander.internal.spi.JobOps} operation of the same name, in one
 * statement.
 *
 * <p>Stateless apart from its SQL; thread-safe.
 */
final class PgJobReads {
  private final String nextScheduled;
  private final String hasReady;
  private final String isDrained;
  private final String stats;
  private final String result;
  private final String find;

  PgJobReads(PgSchema schema) {
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

  // --------------------------------------------------------------------- queue

  OptionalLong nextScheduled(Tx tx, String queue) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(nextScheduled)) {
      ps.setString(1, queue);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long v = rs.getLong(1);
        return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
      }
    }
  }

  boolean hasReady(Tx tx, String queue) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(hasReady)) {
      ps.setString(1, queue);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  boolean isDrained(Tx tx, String queue) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(isDrained)) {
      ps.setString(1, queue);
      ps.setString(2, queue);
      ps.setString(3, queue);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  QueueStats stats(Tx tx, String queue, long now) throws SQLException {
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
        long oldest = PgStatements.time(rs, 2);
        long scheduledAll = rs.getLong(3);
        long due = rs.getLong(4);
        long oldestDue = PgStatements.time(rs, 5);
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

  // ----------------------------------------------------------------------- job

  Optional<StoredResult> result(Tx tx, long id, long now) throws SQLException {
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
   * Whatever is known of a job, from whichever table holds it. Fields that do not apply to where
   * the job was found are 0 ({@code state}, {@code runAt}, {@code expiresAt}) or {@code null}.
   */
  Optional<Found> find(Tx tx, long id, long now) throws SQLException {
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
}
