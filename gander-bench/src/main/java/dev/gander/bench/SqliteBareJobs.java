package dev.gander.bench;

import dev.gander.Gander;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * The bare sqlite-jdbc side of {@link QueueScenario}: Gander's job statements written by hand on
 * one plain connection ({@link Bench#bareConnection}), each loop timing itself: single inserts,
 * batched inserts, and claim then delete; and the files with Gander's schema they run on ({@link
 * #fresh}).
 */
final class SqliteBareJobs {
  private static final String PAYLOAD_PREFIX = "{\"to\":\"user@example.com\",\"n\":";
  private static final String INSERT =
      "INSERT INTO gander_jobs (queue, payload, priority, run_at, state, max_attempts, unique_key,"
          + " expires_at, enqueued_at) VALUES (?, ?, 0, ?, 0, 3, NULL, NULL, ?)"
          + " ON CONFLICT (queue, unique_key) WHERE unique_key IS NOT NULL DO NOTHING"
          + " RETURNING id";
  private static final String CLAIM =
      "UPDATE gander_jobs SET state = 1, attempt = attempt + 1, lease_token = lease_token + 1,"
          + " lease_until = ?, worker_id = ? WHERE id %s (SELECT id FROM gander_jobs"
          + " WHERE queue = ? AND state = 0 AND (expires_at IS NULL OR expires_at > ?)"
          + " ORDER BY priority DESC, run_at, id LIMIT ?)"
          + " RETURNING id, payload, priority, run_at, attempt, max_attempts, lease_token,"
          + " enqueued_at, last_error";
  private static final String ACK =
      "DELETE FROM gander_jobs WHERE id = ? AND lease_token = ? AND state = 1";

  private SqliteBareJobs() {}

  /** A file with Gander's schema, written by Gander and closed again. */
  static Path fresh(Path dir, String name) {
    Path file = dir.resolve(name);
    Gander.open(file).close();
    return file;
  }

  static double bareSingleInserts(Path file, int warmup, int measured) throws Exception {
    try (Connection c = Bench.bareConnection(file);
        PreparedStatement begin = c.prepareStatement("BEGIN IMMEDIATE");
        PreparedStatement insert = c.prepareStatement(INSERT);
        PreparedStatement commit = c.prepareStatement("COMMIT")) {
      long t0 = 0;
      for (int i = -warmup; i < measured; i++) {
        if (i == 0) {
          t0 = System.nanoTime();
        }
        begin.executeUpdate();
        insertRow(insert, i);
        commit.executeUpdate();
      }
      return measured / QueueScenario.seconds(t0);
    }
  }

  static double bareBatchedInserts(Path file, int size, int batches) throws Exception {
    try (Connection c = Bench.bareConnection(file);
        PreparedStatement begin = c.prepareStatement("BEGIN IMMEDIATE");
        PreparedStatement insert = c.prepareStatement(INSERT);
        PreparedStatement commit = c.prepareStatement("COMMIT")) {
      long t0 = 0;
      for (int b = -30; b < batches; b++) {
        if (b == 0) {
          t0 = System.nanoTime();
        }
        begin.executeUpdate();
        for (int i = 0; i < size; i++) {
          insertRow(insert, (long) b * size + i);
        }
        commit.executeUpdate();
      }
      return (double) size * batches / QueueScenario.seconds(t0);
    }
  }

  private static void insertRow(PreparedStatement insert, long n) throws Exception {
    long now = System.currentTimeMillis();
    insert.setString(1, "bench");
    insert.setString(2, PAYLOAD_PREFIX + n + "}");
    insert.setLong(3, now);
    insert.setLong(4, now);
    try (ResultSet rs = insert.executeQuery()) {
      rs.next();
      rs.getLong(1);
    }
  }

  /**
   * The same two transactions per batch as a Gander worker: claim {@code size} jobs (one {@code
   * UPDATE … RETURNING}), then delete them by id and lease token.
   */
  static double bareClaimThenDelete(Path file, int size, int warmup, int measured)
      throws Exception {
    try (Connection c = Bench.bareConnection(file);
        PreparedStatement begin = c.prepareStatement("BEGIN IMMEDIATE");
        PreparedStatement commit = c.prepareStatement("COMMIT");
        PreparedStatement insert = c.prepareStatement(INSERT);
        PreparedStatement claim = c.prepareStatement(String.format(CLAIM, size == 1 ? "=" : "IN"));
        PreparedStatement ack = c.prepareStatement(ACK)) {
      begin.executeUpdate();
      for (int i = 0; i < warmup + measured; i++) {
        insertRow(insert, i);
      }
      commit.executeUpdate();
      long t0 = 0;
      boolean timing = false;
      long[] ids = new long[size];
      long[] tokens = new long[size];
      for (int done = -warmup; done < measured; ) {
        if (!timing && done >= 0) {
          timing = true;
          measured -= done;
          done = 0;
          t0 = System.nanoTime();
        }
        long now = System.currentTimeMillis();
        begin.executeUpdate();
        claim.setLong(1, now + 30_000);
        claim.setString(2, "w");
        claim.setString(3, "bench");
        claim.setLong(4, now);
        claim.setInt(5, size);
        int got = 0;
        try (ResultSet rs = claim.executeQuery()) {
          while (rs.next()) {
            ids[got] = rs.getLong(1);
            rs.getString(2);
            tokens[got] = rs.getLong(7);
            got++;
          }
        }
        commit.executeUpdate();
        if (got == 0) {
          throw new IllegalStateException("bare queue ran dry");
        }
        begin.executeUpdate();
        for (int i = 0; i < got; i++) {
          ack.setLong(1, ids[i]);
          ack.setLong(2, tokens[i]);
          ack.executeUpdate();
        }
        commit.executeUpdate();
        done += got;
      }
      return measured / QueueScenario.seconds(t0);
    }
  }
}
