package dev.gander.internal.postgres;

import dev.gander.internal.spi.ScheduleOps;
import dev.gander.internal.spi.Tx;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The cron schedule operations of the PostgreSQL backend: all of its schedule SQL. */
final class PgSchedules implements ScheduleOps {
  private static final String COLUMNS =
      "name, queue, cron, zone, payload, priority, expires_ms, jitter_ms, missed_policy, paused,"
          + " last_fire, last_job";
  private final String upsert;
  private final String delete;
  private final String setPaused;
  private final String list;
  private final String get;
  private final String advance;

  PgSchedules(PgSchema schema) {
    // A replaced definition keeps its paused state and its cursor.
    upsert =
        schema.sql(
            "INSERT INTO {schema}.gander_schedules (name, queue, cron, zone, payload, priority,"
                + " expires_ms, jitter_ms, missed_policy, paused, last_fire, last_job, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, false, ?, 0, ?)"
                + " ON CONFLICT (name) DO UPDATE SET queue = excluded.queue, cron = excluded.cron,"
                + " zone = excluded.zone, payload = excluded.payload,"
                + " priority = excluded.priority, expires_ms = excluded.expires_ms,"
                + " jitter_ms = excluded.jitter_ms, missed_policy = excluded.missed_policy");
    delete = schema.sql("DELETE FROM {schema}.gander_schedules WHERE name = ?");
    setPaused =
        schema.sql(
            "UPDATE {schema}.gander_schedules SET paused = ?,"
                + " last_fire = CASE WHEN NOT ? AND last_fire < ? THEN ? ELSE last_fire END"
                + " WHERE name = ?");
    list = schema.sql("SELECT " + COLUMNS + " FROM {schema}.gander_schedules ORDER BY name");
    get = schema.sql("SELECT " + COLUMNS + " FROM {schema}.gander_schedules WHERE name = ?");
    advance =
        schema.sql(
            "UPDATE {schema}.gander_schedules SET last_fire = ?,"
                + " last_job = CASE WHEN ? = 0 THEN last_job ELSE ? END"
                + " WHERE name = ? AND last_fire = ? AND NOT paused");
  }

  @Override
  public void upsert(Tx tx, Task t, long now) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(upsert)) {
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
      ps.setLong(11, now);
      ps.executeUpdate();
    }
  }

  @Override
  public boolean delete(Tx tx, String name) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(delete)) {
      ps.setString(1, name);
      return ps.executeUpdate() == 1;
    }
  }

  @Override
  public boolean setPaused(Tx tx, String name, boolean paused, long now) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(setPaused)) {
      ps.setBoolean(1, paused);
      ps.setBoolean(2, paused);
      ps.setLong(3, now);
      ps.setLong(4, now);
      ps.setString(5, name);
      return ps.executeUpdate() == 1;
    }
  }

  @Override
  public List<Task> list(Tx tx) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(list);
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
    try (PreparedStatement ps = tx.connection().prepareStatement(get)) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    }
  }

  @Override
  public boolean advance(Tx tx, String name, long expectedLastFire, long newLastFire, long lastJob)
      throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(advance)) {
      ps.setLong(1, newLastFire);
      ps.setLong(2, lastJob);
      ps.setLong(3, lastJob);
      ps.setString(4, name);
      ps.setLong(5, expectedLastFire);
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
        rs.getBoolean(10),
        rs.getLong(11),
        rs.getLong(12));
  }
}
