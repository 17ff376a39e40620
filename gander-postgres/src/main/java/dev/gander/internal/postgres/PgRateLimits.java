package dev.gander.internal.postgres;

import dev.gander.internal.spi.RateLimitOps;
import dev.gander.internal.spi.Tx;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The rate limit operations of the PostgreSQL backend: all of its rate limit SQL. */
final class PgRateLimits implements RateLimitOps {
  private final String hit;
  private final String prune;

  PgRateLimits(PgSchema schema) {
    // The upsert takes the key's row lock: concurrent calls count one after another.
    hit =
        schema.sql(
            "INSERT INTO {schema}.gander_rate_limits AS r (key, window_start, window_ms, count)"
                + " VALUES (?, ?, ?, 1) ON CONFLICT (key) DO UPDATE SET count = CASE"
                + " WHEN excluded.window_start > r.window_start"
                + " OR excluded.window_ms <> r.window_ms THEN 1 ELSE r.count + 1 END,"
                + " window_start = CASE WHEN excluded.window_ms <> r.window_ms"
                + " THEN excluded.window_start"
                + " ELSE greatest(excluded.window_start, r.window_start) END,"
                + " window_ms = excluded.window_ms RETURNING count, window_start");
    prune =
        schema.sql("DELETE FROM {schema}.gander_rate_limits WHERE window_start + window_ms < ?");
  }

  @Override
  public Hit hit(Tx tx, String key, long windowStart, long windowMs) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(hit)) {
      ps.setString(1, key);
      ps.setLong(2, windowStart);
      ps.setLong(3, windowMs);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Hit(rs.getLong(1), rs.getLong(2));
      }
    }
  }

  @Override
  public int prune(Tx tx, long before) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(prune)) {
      ps.setLong(1, before);
      return ps.executeUpdate();
    }
  }
}
