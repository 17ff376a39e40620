package dev.gander.internal.sqlite;

import dev.gander.internal.spi.JobOps.Claimed;
import dev.gander.internal.spi.JobOps.Succeeded;
import dev.gander.internal.spi.Tx;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * A job's lease on SQLite, for {@link SqliteJobs}: granted by a claim (which first promotes the
 * queue's due scheduled jobs), extended by heartbeats, and ended by an ack (with the record of the
 * job's success), a retry or a release, each fenced by the lease token. Each is a {@link
 * dev.gander.internal.spi.JobOps} operation of the same name; stateless, thread-safe.
 */
final class SqliteJobLeases {
  private static final String PROMOTE =
      "UPDATE gander_jobs SET state = 0 WHERE queue = ? AND state = 2 AND run_at <= ?";
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
  private static final String HEARTBEAT =
      "UPDATE gander_jobs SET lease_until = ?, lease_ms = ?"
          + " WHERE id = ? AND lease_token = ? AND state = 1";
  private static final String RETRY =
      "UPDATE gander_jobs SET state = ?, run_at = ?, last_error = ?, lease_until = NULL,"
          + " worker_id = NULL WHERE id = ? AND lease_token = ? AND state = 1";
  private static final String RELEASE =
      "UPDATE gander_jobs SET state = 0, attempt = attempt - ?, lease_until = NULL,"
          + " worker_id = NULL WHERE id = ? AND lease_token = ? AND state = 1";

  private static final String RECORD_VALUES = "(?, ?, ?, ?, ?, ?)";
  private static final String SAVE_RECORD =
      "INSERT OR REPLACE INTO gander_results (job_id, queue, value, attempt, finished_at,"
          + " expires_at) VALUES ";

  /** Rows per statement when records are saved together: one statement per row cost as much. */
  private static final int RECORDS_PER_STATEMENT = 32;

  private static final String SAVE_ONE_RECORD = SAVE_RECORD + RECORD_VALUES;
  private static final String SAVE_RECORDS =
      SAVE_RECORD + String.join(", ", Collections.nCopies(RECORDS_PER_STATEMENT, RECORD_VALUES));

  // --------------------------------------------------------------------------- claim

  List<Claimed> claim(
      Tx tx, String queue, String workerId, int max, long now, long leaseUntil, long leaseMs)
      throws SQLException {
    PreparedStatement promote = SqliteStatements.statement(tx, PROMOTE);
    promote.setString(1, queue);
    promote.setLong(2, now);
    promote.executeUpdate();
    PreparedStatement claim = SqliteStatements.statement(tx, max == 1 ? CLAIM_ONE : CLAIM_MANY);
    claim.setLong(1, leaseUntil);
    claim.setString(2, workerId);
    claim.setLong(3, leaseMs);
    claim.setString(4, queue);
    claim.setLong(5, now);
    claim.setInt(6, max);
    List<Claimed> out = new ArrayList<>(Math.min(max, 64));
    try (ResultSet rs = claim.executeQuery()) {
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
                SqliteStatements.orNever(rs, 10)));
      }
    }
    if (out.size() > 1) {
      // UPDATE ... RETURNING returns rows in the order it changed them, not in claim order.
      out.sort(CLAIM_ORDER);
    }
    return out;
  }

  private static final Comparator<Claimed> CLAIM_ORDER =
      Comparator.comparingInt(Claimed::priority)
          .reversed()
          .thenComparingLong(Claimed::runAt)
          .thenComparingLong(Claimed::id);

  // -------------------------------------------------------------------------- settle

  boolean heartbeat(Tx tx, long id, long token, long leaseUntil, long leaseMs) throws SQLException {
    PreparedStatement ps = SqliteStatements.statement(tx, HEARTBEAT);
    ps.setLong(1, leaseUntil);
    ps.setLong(2, leaseMs);
    ps.setLong(3, id);
    ps.setLong(4, token);
    return ps.executeUpdate() == 1;
  }

  boolean ack(Tx tx, long id, long token) throws SQLException {
    PreparedStatement ps = SqliteStatements.statement(tx, ACK);
    ps.setLong(1, id);
    ps.setLong(2, token);
    return ps.executeUpdate() == 1;
  }

  void saveSucceeded(Tx tx, List<Succeeded> records) throws SQLException {
    int i = 0;
    if (records.size() >= RECORDS_PER_STATEMENT) {
      PreparedStatement many = SqliteStatements.statement(tx, SAVE_RECORDS);
      for (; i + RECORDS_PER_STATEMENT <= records.size(); i += RECORDS_PER_STATEMENT) {
        int p = 1;
        for (int j = i; j < i + RECORDS_PER_STATEMENT; j++) {
          p = bindRecord(many, p, records.get(j));
        }
        many.executeUpdate();
      }
    }
    for (; i < records.size(); i++) {
      PreparedStatement one = SqliteStatements.statement(tx, SAVE_ONE_RECORD);
      bindRecord(one, 1, records.get(i));
      one.executeUpdate();
    }
  }

  private static int bindRecord(PreparedStatement ps, int p, Succeeded r) throws SQLException {
    ps.setLong(p++, r.id());
    ps.setString(p++, r.queue());
    SqliteStatements.setNullable(ps, p++, r.json());
    ps.setInt(p++, r.attempt());
    ps.setLong(p++, r.finishedAt());
    ps.setLong(p++, r.expiresAt());
    return p;
  }

  boolean retry(Tx tx, long id, long token, int state, long runAt, String error)
      throws SQLException {
    PreparedStatement ps = SqliteStatements.statement(tx, RETRY);
    ps.setInt(1, state);
    ps.setLong(2, runAt);
    ps.setString(3, error);
    ps.setLong(4, id);
    ps.setLong(5, token);
    return ps.executeUpdate() == 1;
  }

  boolean release(Tx tx, long id, long token, boolean refundAttempt) throws SQLException {
    PreparedStatement ps = SqliteStatements.statement(tx, RELEASE);
    ps.setInt(1, refundAttempt ? 1 : 0);
    ps.setLong(2, id);
    ps.setLong(3, token);
    return ps.executeUpdate() == 1;
  }
}
