package dev.gander.bench;

import dev.gander.bench.Alternation.Loop;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * The bare-pgjdbc side of {@link PostgresScenario}: Gander's own job statements ({@link Sql}) bound
 * to the run's schema, the hand-written loops that run them beside Gander's ({@link #bareEnqueue},
 * {@link #bareEnqueueBatch}, {@link #bareClaim}), and the server-side reset and fill of the job
 * tables that every figure starts from.
 */
final class PgBareJobs {
  /** The queue of every figure, Gander's side and the bare side alike. */
  static final String QUEUE = "bench";

  private static final String PAYLOAD_PREFIX = "{\"to\":\"user@example.com\",\"n\":";

  /** Gander's default lease, which the bare claim grants too. */
  private static final long LEASE_MS = 30_000;

  private PgBareJobs() {}

  // -------------------------------------------------------------------- the SQL

  /** Gander's statements ({@code PgJobs}, {@code PgNotifier}) bound to one schema. */
  static final class Sql {
    final String schema;
    final String channel;
    final String insertNoReturning;
    final String insert;
    final String notify;
    final String claim;
    final String ack;
    final String fill;

    Sql(String schema) {
      this.schema = schema;
      String s = '"' + schema + '"';
      channel = "gander:" + schema; // PgSchema.channel()
      insertNoReturning =
          "INSERT INTO "
              + s
              + ".gander_jobs (queue, payload, priority, run_at, state,"
              + " max_attempts, unique_key, expires_at, enqueued_at)"
              + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
              + " ON CONFLICT (queue, unique_key) WHERE unique_key IS NOT NULL DO NOTHING";
      insert = insertNoReturning + " RETURNING id";
      notify = "SELECT pg_notify(?, ?)";
      // The claim of PgJobs without the promotion of due scheduled jobs that Gander sends with
      // it in the same round trip (there are none here), as the SQLite scenario's bare side.
      claim =
          "WITH next AS (SELECT id FROM "
              + s
              + ".gander_jobs"
              + " WHERE queue = ? AND state = 0 AND (expires_at IS NULL OR expires_at > ?)"
              + " ORDER BY priority DESC, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED)"
              + " UPDATE "
              + s
              + ".gander_jobs j SET state = 1, attempt = j.attempt + 1,"
              + " lease_token = j.lease_token + 1, lease_until = ?, worker_id = ?, lease_ms = ?"
              + " FROM next WHERE j.id = next.id"
              + " RETURNING j.id, j.payload, j.priority, j.run_at, j.attempt, j.max_attempts,"
              + " j.lease_token, j.enqueued_at, j.last_error, j.expires_at";
      ack = "DELETE FROM " + s + ".gander_jobs WHERE id = ? AND lease_token = ? AND state = 1";
      // What Gander writes for enqueue(new Email("user@example.com", n)) with default options.
      fill =
          "INSERT INTO "
              + s
              + ".gander_jobs (queue, payload, priority, run_at, state, max_attempts,"
              + " enqueued_at) SELECT ?, '"
              + PAYLOAD_PREFIX
              + "' || i || '}', 0, now.t, 0, 3, now.t FROM generate_series(1, ?) i,"
              + " (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS t) now";
    }
  }

  // ------------------------------------------------------------------ bare loops

  /**
   * Gander's enqueue by hand: one transaction with the insert and the notification Gander sends
   * with it ({@code pg_notify} on the schema's channel), then the commit.
   */
  static Loop bareEnqueue(String url, Sql sql, int thread) throws SQLException {
    Connection c = PgServer.connect(url);
    c.setAutoCommit(false);
    PreparedStatement insert = c.prepareStatement(sql.insert);
    PreparedStatement notify = c.prepareStatement(sql.notify);
    long[] n = {thread * 100_000_000L};
    return new Loop() {
      @Override
      public int step() throws Exception {
        bindInsert(insert, n[0]++);
        try (ResultSet rs = insert.executeQuery()) {
          rs.next();
          rs.getLong(1);
        }
        sendNotify(notify, sql);
        c.commit();
        return 1;
      }

      @Override
      public void close() throws SQLException {
        c.close();
      }
    };
  }

  /**
   * {@code enqueueAll} by hand: one transaction with Gander's insert for every job as one JDBC
   * batch (pgjdbc appends {@code RETURNING "id"} to hand back the ids), the notification, the
   * commit.
   */
  static Loop bareEnqueueBatch(String url, Sql sql, int size) throws SQLException {
    Connection c = PgServer.connect(url);
    c.setAutoCommit(false);
    PreparedStatement insert = c.prepareStatement(sql.insertNoReturning, new String[] {"id"});
    PreparedStatement notify = c.prepareStatement(sql.notify);
    long[] n = {0};
    return new Loop() {
      @Override
      public int step() throws Exception {
        for (int i = 0; i < size; i++) {
          bindInsert(insert, n[0]++);
          insert.addBatch();
        }
        insert.executeBatch();
        int ids = 0;
        try (ResultSet rs = insert.getGeneratedKeys()) {
          while (rs.next()) {
            rs.getLong(1);
            ids++;
          }
        }
        if (ids != size) {
          throw new IllegalStateException("expected " + size + " ids, got " + ids);
        }
        sendNotify(notify, sql);
        c.commit();
        return size;
      }

      @Override
      public void close() throws SQLException {
        c.close();
      }
    };
  }

  /**
   * Claim then ack by hand, two transactions: Gander's claim statement on its own (autocommit),
   * then its ack statement: on its own for one job, as one JDBC batch in one transaction for more.
   */
  static Loop bareClaim(String url, Sql sql, int size, int thread) throws SQLException {
    Connection c = PgServer.connect(url);
    PreparedStatement claim = c.prepareStatement(sql.claim);
    PreparedStatement ack = c.prepareStatement(sql.ack);
    String worker = "w" + thread;
    long[] ids = new long[size];
    long[] tokens = new long[size];
    return new Loop() {
      @Override
      public int step() throws Exception {
        long now = System.currentTimeMillis();
        claim.setString(1, QUEUE);
        claim.setLong(2, now);
        claim.setInt(3, size);
        claim.setLong(4, now + LEASE_MS);
        claim.setString(5, worker);
        claim.setLong(6, LEASE_MS);
        int got = 0;
        try (ResultSet rs = claim.executeQuery()) {
          while (rs.next()) {
            // Every column read, as Gander reads them.
            ids[got] = rs.getLong(1);
            rs.getString(2);
            rs.getInt(3);
            rs.getLong(4);
            rs.getInt(5);
            rs.getInt(6);
            tokens[got] = rs.getLong(7);
            rs.getLong(8);
            rs.getString(9);
            rs.getLong(10);
            got++;
          }
        }
        if (got == 0) {
          return 0;
        }
        if (size == 1) {
          ack.setLong(1, ids[0]);
          ack.setLong(2, tokens[0]);
          if (ack.executeUpdate() != 1) {
            throw new IllegalStateException("bare ack lost its job");
          }
          return 1;
        }
        c.setAutoCommit(false);
        for (int i = 0; i < got; i++) {
          ack.setLong(1, ids[i]);
          ack.setLong(2, tokens[i]);
          ack.addBatch();
        }
        int[] counts = ack.executeBatch();
        c.commit();
        c.setAutoCommit(true);
        for (int count : counts) {
          if (count != 1) {
            throw new IllegalStateException("bare ack lost a job");
          }
        }
        return got;
      }

      @Override
      public void close() throws SQLException {
        c.close();
      }
    };
  }

  private static void bindInsert(PreparedStatement insert, long n) throws SQLException {
    long now = System.currentTimeMillis();
    insert.setString(1, QUEUE);
    insert.setString(2, PAYLOAD_PREFIX + n + "}");
    insert.setInt(3, 0);
    insert.setLong(4, now);
    insert.setInt(5, 0);
    insert.setInt(6, 3);
    insert.setNull(7, Types.VARCHAR);
    insert.setNull(8, Types.BIGINT);
    insert.setLong(9, now);
  }

  private static void sendNotify(PreparedStatement notify, Sql sql) throws SQLException {
    notify.setString(1, sql.channel);
    notify.setString(2, "w:" + QUEUE);
    notify.executeQuery().close();
  }

  // ---------------------------------------------------------------- the tables

  /**
   * Empties the job tables, fills the queue with {@code jobs} ready jobs, and leaves the server
   * with fresh statistics and a checkpoint behind it, so that each side starts alike.
   */
  static void reset(Connection admin, Sql sql, int jobs) throws SQLException {
    String s = '"' + sql.schema + '"';
    PgServer.execute(
        admin,
        "TRUNCATE " + s + ".gander_jobs, " + s + ".gander_results, " + s + ".gander_dead_jobs");
    if (jobs > 0) {
      fill(admin, sql, jobs);
    }
    PgServer.settle(admin, s + ".gander_jobs");
  }

  /** Adds {@code jobs} ready jobs to the queue. */
  static void fill(Connection admin, Sql sql, int jobs) throws SQLException {
    try (PreparedStatement ps = admin.prepareStatement(sql.fill)) {
      ps.setString(1, QUEUE);
      ps.setInt(2, jobs);
      ps.executeUpdate();
    }
  }
}
