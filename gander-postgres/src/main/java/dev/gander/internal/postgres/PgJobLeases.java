package dev.gander.internal.postgres;

import dev.gander.internal.spi.JobOps.Claimed;
import dev.gander.internal.spi.JobOps.Succeeded;
import dev.gander.internal.spi.Tx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A job's lease on PostgreSQL, for {@link PgJobs}: granted by a claim (which first promotes the
 * queue's due scheduled jobs), extended by heartbeats, and ended by an ack (with the record of the
 * job's success), a retry or a release, each fenced by the lease token. Each is a {@link
 * dev.gander.internal.spi.JobOps} operation of the same name; acks and records of many jobs go in
 * one statement each.
 *
 * <p>Stateless apart from its SQL; thread-safe.
 */
final class PgJobLeases {
  private final String promoteAndClaim;
  private final String heartbeat;
  private final String ack;
  private final String ackMany;
  private final String saveSucceeded;
  private final String ackWithRecord;
  private final String retry;
  private final String release;

  PgJobLeases(PgSchema schema) {
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
    ackMany =
        schema.sql(
            "DELETE FROM {schema}.gander_jobs j USING unnest(?::bigint[], ?::bigint[])"
                + " AS a(id, token) WHERE j.id = a.id AND j.lease_token = a.token"
                + " AND j.state = 1 RETURNING j.id");
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
    // The delete and the record in one statement: one round trip for an ack that keeps a record.
    ackWithRecord =
        schema.sql(
            "WITH gone AS (DELETE FROM {schema}.gander_jobs WHERE id = ? AND lease_token = ?"
                + " AND state = 1 RETURNING id)"
                + " INSERT INTO {schema}.gander_results (job_id, queue, value, attempt,"
                + " finished_at, expires_at) SELECT id, ?, ?, ?, ?, ? FROM gone"
                + " ON CONFLICT (job_id) DO UPDATE SET queue = excluded.queue,"
                + " value = excluded.value, attempt = excluded.attempt,"
                + " finished_at = excluded.finished_at, expires_at = excluded.expires_at"
                + " RETURNING job_id");
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
  }

  // --------------------------------------------------------------------- claim

  private static final Comparator<Claimed> CLAIM_ORDER =
      Comparator.comparingInt(Claimed::priority)
          .reversed()
          .thenComparingLong(Claimed::runAt)
          .thenComparingLong(Claimed::id);

  List<Claimed> claim(
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
                  PgStatements.time(rs, 10)));
        }
      }
    }
    // UPDATE ... RETURNING has no order of its own.
    out.sort(CLAIM_ORDER);
    return out;
  }

  // -------------------------------------------------------------------- settle

  boolean heartbeat(Tx tx, long id, long token, long leaseUntil, long leaseMs) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(heartbeat)) {
      ps.setLong(1, leaseUntil);
      ps.setLong(2, leaseMs);
      ps.setLong(3, id);
      ps.setLong(4, token);
      return ps.executeUpdate() == 1;
    }
  }

  boolean ack(Tx tx, long id, long token) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(ack)) {
      ps.setLong(1, id);
      ps.setLong(2, token);
      return ps.executeUpdate() == 1;
    }
  }

  boolean ackWithRecord(Tx tx, long id, long token, Succeeded r) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(ackWithRecord)) {
      ps.setLong(1, id);
      ps.setLong(2, token);
      ps.setString(3, r.queue());
      if (r.json() == null) {
        ps.setNull(4, java.sql.Types.VARCHAR);
      } else {
        ps.setString(4, r.json());
      }
      ps.setInt(5, r.attempt());
      ps.setLong(6, r.finishedAt());
      ps.setLong(7, r.expiresAt());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  boolean[] ackMany(Tx tx, long[] ids, long[] tokens) throws SQLException {
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

  void saveSucceeded(Tx tx, List<Succeeded> records) throws SQLException {
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

  boolean retry(Tx tx, long id, long token, int state, long runAt, String error)
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

  boolean release(Tx tx, long id, long token, boolean refundAttempt) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(release)) {
      ps.setInt(1, refundAttempt ? 1 : 0);
      ps.setLong(2, id);
      ps.setLong(3, token);
      return ps.executeUpdate() == 1;
    }
  }
}
