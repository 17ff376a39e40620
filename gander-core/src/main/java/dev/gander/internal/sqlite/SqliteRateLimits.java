package dev.gander.internal.sqlite;

import dev.gander.internal.spi.RateLimitOps;
import dev.gander.internal.spi.Tx;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The rate limit operations of the SQLite backend: all of its rate limit SQL. */
final class SqliteRateLimits implements RateLimitOps {
  // A later window starts the count again; a call from a clock behind the stored window counts in
  // that window rather than moving it back.
  private static final String HIT =
      "INSERT INTO gander_rate_limits (key, window_start, window_ms, count) VALUES (?1, ?2, ?3, 1)"
          + " ON CONFLICT (key) DO UPDATE SET count = CASE"
          + " WHEN excluded.window_start > gander_rate_limits.window_start"
          + " OR excluded.window_ms <> gander_rate_limits.window_ms THEN 1"
          + " ELSE gander_rate_limits.count + 1 END,"
          + " window_start = CASE WHEN excluded.window_ms <> gander_rate_limits.window_ms"
          + " THEN excluded.window_start"
          + " ELSE max(excluded.window_start, gander_rate_limits.window_start) END,"
          + " window_ms = excluded.window_ms"
          + " RETURNING count, window_start";
  private static final String PRUNE =
      "DELETE FROM gander_rate_limits WHERE window_start + window_ms < ?";

  @Override
  public Hit hit(Tx tx, String key, long windowStart, long windowMs) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(HIT)) {
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
    try (PreparedStatement ps = tx.connection().prepareStatement(PRUNE)) {
      ps.setLong(1, before);
      return ps.executeUpdate();
    }
  }
}
