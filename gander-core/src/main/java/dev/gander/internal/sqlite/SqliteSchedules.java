package dev.gander.internal.sqlite;

import dev.gander.internal.spi.ScheduleOps;
import dev.gander.internal.spi.Tx;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The cron schedule operations of the SQLite backend: all of its schedule SQL. */
final class SqliteSchedules implements ScheduleOps {
  private static final String COLUMNS =
      "name, queue, cron, zone, payload, priority, expires_ms, jitter_ms, missed_policy, paused,"
          + " last_fire, last_job";
  // A replaced definition keeps its paused state and its cursor.
  private static final String UPSERT =
      "INSERT INTO gander_schedules (name, queue, cron, zone, payload, priority, expires_ms,"
          + " jitter_ms, missed_policy, paused, last_fire, last_job, created_at)"
          + " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, 0, ?10)"
          + " ON CONFLICT (name) DO UPDATE SET queue = excluded.queue, cron = excluded.cron,"
          + " zone = excluded.zone, payload = excluded.payload, priority = excluded.priority,"
          + " expires_ms = excluded.expires_ms, jitter_ms = excluded.jitter_ms,"
          + " missed_policy = excluded.missed_policy";
  private static final String DELETE = "DELETE FROM gander_schedules WHERE name = ?";
  private static final String SET_PAUSED =
      "UPDATE gander_schedules SET paused = ?1,"
          + " last_fire = CASE WHEN ?1 = 0 AND last_fire < ?3 THEN ?3 ELSE last_fire END"
          + " WHERE name = ?2";
  private static final String LIST = "SELECT " + COLUMNS + " FROM gander_schedules ORDER BY name";
  private static final String GET = "SELECT " + COLUMNS + " FROM gander_schedules WHERE name = ?";
  private static final String ADVANCE =
      "UPDATE gander_schedules SET last_fire = ?1,"
          + " last_job = CASE WHEN ?2 = 0 THEN last_job ELSE ?2 END"
          + " WHERE name = ?3 AND last_fire = ?4 AND paused = 0";

  @Override
  public void upsert(Tx tx, Task t, long now) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(UPSERT)) {
      ps.setString(1, t.name());
      ps.setString(2, t.queue());
      ps.setString(3, t.cron());
      ps.setString(4, t.zone());
      ps.setString(5, t.payload());
      ps.setInt(6, t.priority());
      ps.setLong(7, t.expiresMs());
      ps.setLong(8, t.jitterMs());
      ps.setString(9, t.missedPolicy());
      ps.setLong(10, now);
      ps.executeUpdate();
    }
  }

  @Override
  public boolean delete(Tx tx, String name) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(DELETE)) {
      ps.setString(1, name);
      return ps.executeUpdate() == 1;
    }
  }

  @Override
  public boolean setPaused(Tx tx, String name, boolean paused, long now) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(SET_PAUSED)) {
      ps.setInt(1, paused ? 1 : 0);
      ps.setString(2, name);
      ps.setLong(3, now);
      return ps.executeUpdate() == 1;
    }
  }

  @Override
  public List<Task> list(Tx tx) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(LIST);
        ResultSet rs = ps.executeQuery()) {
      List<Task> out = new ArrayList<>();
      while (rs.next()) {
        out.add(row(rs));
      }
      return out;
    }
  }

  @Override
  public Optional<Task> get(Tx tx, String name) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(GET)) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    }
  }

  @Override
  public boolean advance(Tx tx, String name, long expectedLastFire, long newLastFire, long lastJob)
      throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(ADVANCE)) {
      ps.setLong(1, newLastFire);
      ps.setLong(2, lastJob);
      ps.setString(3, name);
      ps.setLong(4, expectedLastFire);
      return ps.executeUpdate() == 1;
    }
  }

  private static Task row(ResultSet rs) throws SQLException {
    return new Task(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getInt(6),
        rs.getLong(7),
        rs.getLong(8),
        rs.getString(9),
        rs.getInt(10) != 0,
        rs.getLong(11),
        rs.getLong(12));
  }
}
