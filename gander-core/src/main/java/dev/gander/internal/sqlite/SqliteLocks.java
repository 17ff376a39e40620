package dev.gander.internal.sqlite;

import dev.gander.internal.spi.LockOps;
import dev.gander.internal.spi.Tx;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** The advisory lock operations of the SQLite backend: all of its lock SQL. */
final class SqliteLocks implements LockOps {
  // Takes a free or run-out lock with the next token in one statement; a held one is left alone
  // (the update's condition fails, and RETURNING gives nothing).
  private static final String ACQUIRE =
      "INSERT INTO gander_locks (name, owner, token, expires_at, acquired_at)"
          + " VALUES (?1, ?2, 1, ?3, ?4) ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,"
          + " token = gander_locks.token + 1, expires_at = excluded.expires_at,"
          + " acquired_at = excluded.acquired_at WHERE gander_locks.expires_at <= ?4"
          + " RETURNING token";
  private static final String HEARTBEAT =
      "UPDATE gander_locks SET expires_at = ? WHERE name = ? AND token = ? AND expires_at > ?";
  private static final String RELEASE =
      "UPDATE gander_locks SET owner = NULL, expires_at = 0 WHERE name = ? AND token = ?";
  private static final String HOLDER =
      "SELECT name, owner, token, expires_at FROM gander_locks WHERE name = ?";
  private static final String HELD =
      "SELECT name, owner, token, expires_at FROM gander_locks WHERE expires_at > ? ORDER BY name";

  @Override
  public OptionalLong acquire(Tx tx, String name, String owner, long now, long expiresAt)
      throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(ACQUIRE)) {
      ps.setString(1, name);
      ps.setString(2, owner);
      ps.setLong(3, expiresAt);
      ps.setLong(4, now);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
      }
    }
  }

  @Override
  public boolean heartbeat(Tx tx, String name, long token, long now, long expiresAt)
      throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(HEARTBEAT)) {
      ps.setLong(1, expiresAt);
      ps.setString(2, name);
      ps.setLong(3, token);
      ps.setLong(4, now);
      return ps.executeUpdate() == 1;
    }
  }

  @Override
  public boolean release(Tx tx, String name, long token) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(RELEASE)) {
      ps.setString(1, name);
      ps.setLong(2, token);
      return ps.executeUpdate() == 1;
    }
  }

  @Override
  public Optional<Holder> holder(Tx tx, String name) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(HOLDER)) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    }
  }

  @Override
  public List<Holder> held(Tx tx, long now) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(HELD)) {
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
