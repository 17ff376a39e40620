package dev.gander.internal.postgres;

import dev.gander.internal.spi.JobOps.Requeued;
import dev.gander.internal.spi.Tx;
import dev.gander.queue.DeadLetter;
import dev.gander.queue.JobId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The dead letters on PostgreSQL, for {@link PgJobs}: burying a job (moving it from the live jobs
 * to the dead ones), listing a queue's, moving them back to the queue under the unique-key rule,
 * and purging them. Each is a {@link dev.gander.internal.spi.JobOps} operation of the same name.
 *
 * <p>Stateless apart from its SQL; thread-safe.
 */
final class PgDeadLetters {
  private static final String JOB_COLUMNS =
      "id, queue, payload, priority, attempt, max_attempts, lease_token, unique_key, enqueued_at";

  private final String buryFenced;
  private final String buryAny;
  private final String deadLetters;
  private final String requeueOneDead;
  private final String requeueAllDead;
  private final String purgeOneDead;
  private final String purgeAllDead;

  PgDeadLetters(PgSchema schema) {
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
  }

  boolean bury(Tx tx, long id, long token, @Nullable String error, String reason, long now)
      throws SQLException {
    try (PreparedStatement ps =
        tx.connection().prepareStatement(token < 0 ? buryAny : buryFenced)) {
      int p = 1;
      ps.setLong(p++, id);
      if (token >= 0) {
        ps.setLong(p++, token);
      }
      PgStatements.setText(ps, p++, error);
      ps.setString(p++, reason);
      ps.setLong(p, now);
      return ps.executeUpdate() == 1;
    }
  }

  List<DeadLetter> deadLetters(Tx tx, String queue, int limit) throws SQLException {
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

  Requeued requeueDead(Tx tx, String queue, @Nullable Long id, long now) throws SQLException {
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

  int purgeDead(Tx tx, String queue, @Nullable Long id) throws SQLException {
    try (PreparedStatement ps =
        tx.connection().prepareStatement(id == null ? purgeAllDead : purgeOneDead)) {
      ps.setString(1, queue);
      if (id != null) {
        ps.setLong(2, id);
      }
      return ps.executeUpdate();
    }
  }
}
