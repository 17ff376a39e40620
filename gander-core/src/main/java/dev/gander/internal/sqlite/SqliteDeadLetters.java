package dev.gander.internal.sqlite;

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
 * The dead letters on SQLite, for {@link SqliteJobs}: burying a job (moving it from the live jobs
 * to the dead ones), listing a queue's, moving them back to the queue under the unique-key rule,
 * and purging them. Each is a {@link dev.gander.internal.spi.JobOps} operation of the same name;
 * stateless, thread-safe.
 */
final class SqliteDeadLetters {
  private static final String DEAD_COLUMNS =
      "id, queue, payload, priority, attempt, max_attempts, lease_token, unique_key, enqueued_at,"
          + " last_error, reason, died_at";
  private static final String BURY =
      "INSERT INTO gander_dead_jobs ("
          + DEAD_COLUMNS
          + ") SELECT id, queue, payload, priority, attempt, max_attempts, lease_token,"
          + " unique_key, enqueued_at, coalesce(?, last_error), ?, ? FROM gander_jobs"
          + " WHERE id = ?";
  private static final String BURY_LEASED = BURY + " AND lease_token = ? AND state = 1";
  private static final String DELETE = "DELETE FROM gander_jobs WHERE id = ?";

  private static final String DEAD_LETTERS =
      "SELECT id, payload, attempt, reason, last_error, enqueued_at, died_at"
          + " FROM gander_dead_jobs WHERE queue = ? ORDER BY died_at, id LIMIT ?";

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
  private static final String PURGE_DEAD = "DELETE FROM gander_dead_jobs WHERE queue = ?";
  private static final String PURGE_ONE_DEAD = PURGE_DEAD + " AND id = ?";

  boolean bury(Tx tx, long id, long token, @Nullable String error, String reason, long now)
      throws SQLException {
    PreparedStatement bury = SqliteStatements.statement(tx, token < 0 ? BURY : BURY_LEASED);
    SqliteStatements.setNullable(bury, 1, error);
    bury.setString(2, reason);
    bury.setLong(3, now);
    bury.setLong(4, id);
    if (token >= 0) {
      bury.setLong(5, token);
    }
    if (bury.executeUpdate() == 0) {
      return false;
    }
    PreparedStatement delete = SqliteStatements.statement(tx, DELETE);
    delete.setLong(1, id);
    delete.executeUpdate();
    return true;
  }

  List<DeadLetter> deadLetters(Tx tx, String queue, int limit) throws SQLException {
    List<DeadLetter> out = new ArrayList<>();
    try (PreparedStatement ps = tx.connection().prepareStatement(DEAD_LETTERS)) {
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
    List<Long> revived = new ArrayList<>();
    PreparedStatement ps =
        SqliteStatements.statement(tx, id == null ? REQUEUE_ALL_DEAD : REQUEUE_ONE_DEAD);
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
    PreparedStatement delete = SqliteStatements.statement(tx, DELETE_DEAD);
    for (long r : revived) {
      delete.setLong(1, r);
      delete.executeUpdate();
    }
    long left =
        id == null
            ? SqliteStatements.single(tx, COUNT_DEAD, queue)
            : SqliteStatements.single(tx, COUNT_ONE_DEAD, queue, id);
    return new Requeued(revived.size(), (int) left);
  }

  int purgeDead(Tx tx, String queue, @Nullable Long id) throws SQLException {
    PreparedStatement ps = SqliteStatements.statement(tx, id == null ? PURGE_DEAD : PURGE_ONE_DEAD);
    ps.setString(1, queue);
    if (id != null) {
      ps.setLong(2, id);
    }
    return ps.executeUpdate();
  }
}
