package dev.gander.internal.postgres;

import dev.gander.internal.spi.LockOps;
import dev.gander.internal.spi.Tx;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** The advisory lock operations of the PostgreSQL backend: all of its lock SQL. */
final class PgLocks implements LockOps {
  private final String acquire;
  private final String heartbeat;
  private final String release;
  private final String holder;
  private final String held;

  PgLocks(PgSchema schema) {
    // ON CONFLICT locks the row and re-reads it, so two acquirers cannot both see it free.
    acquire =
        schema.sql(
            "INSERT INTO {schema}.gander_locks AS l (name, owner, token, expires_at, acquired_at)"
                + " VALUES (?, ?, 1, ?, ?) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,"
                + " token = l.token + 1, expires_at = excluded.expires_at,"
                + " acquired_at = excluded.acquired_at WHERE l.expires_at <= ? RETURNING token");
    heartbeat =
        schema.sql(
            "UPDATE {schema}.gander_locks SET expires_at = ?"
                + " WHERE name = ? AND token = ? AND expires_at > ?");
    release =
        schema.sql(
            "UPDATE {schema}.gander_locks SET owner = NULL, expires_at = 0"
                + " WHERE name = ? AND token = ?");
    holder =
        schema.sql(
            "SELECT name, owner, token, expires_at FROM {schema}.gander_locks WHERE name = ?");
    held =
        schema.sql(
            "SELECT name, owner, token, expires_at FROM {schema}.gander_locks"
                + " WHERE expires_at > ? ORDER BY name");
  }

  @Override
  public OptionalLong acquire(Tx tx, String name, String owner, long now, long expiresAt)
      throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(acquire)) {
      ps.setString(1, name);
      ps.setString(2, owner);
      ps.setLong(3, expiresAt);
      ps.setLong(4, now);
      ps.setLong(5, now);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
      }
    }
  }

  @Override
  public boolean heartbeat(Tx tx, String name, long token, long now, long expiresAt)
      throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(heartbeat)) {
      ps.setLong(1, expiresAt);
      ps.setString(2, name);
      ps.setLong(3, token);
      ps.setLong(4, now);
      return ps.executeUpdate() == 1;
    }
  }

  @Override
  public boolean release(Tx tx, String name, long token) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(release)) {
      ps.setString(1, name);
      ps.setLong(2, token);
      return ps.executeUpdate() == 1;
    }
  }

  @Override
  public Optional<Holder> holder(Tx tx, String name) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(holder)) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    }
  }

  @Override
  public List<Holder> held(Tx tx, long now) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(held)) {
      ps.setLong(1, now);
      List<Holder> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(row(rs));
        }
      }
      return out;
    }
  }

  private static Holder row(ResultSet rs) throws SQLException {
    return new Holder(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4));
  }
}
