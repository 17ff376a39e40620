package dev.gander.internal.sqlite;

import dev.gander.internal.spi.Tx;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import org.jspecify.annotations.Nullable;

/**
 * How the jobs SQL of SQLite prepares statements and maps values: a write's statements are prepared
 * once on the writer connection, a read prepares its own on the snapshot's connection; a time that
 * means never ({@code Long.MAX_VALUE}) is stored as {@code NULL}.
 */
final class SqliteStatements {
  private SqliteStatements() {}

  /** A statement of the transaction's connection, prepared once when it is the writer's. */
  static PreparedStatement statement(Tx tx, String sql) throws SQLException {
    if (tx instanceof SqliteTx) {
      return ((SqliteTx) tx).prepared(sql);
    }
    throw new IllegalStateException("not a write transaction of the SQLite backend: " + tx);
  }

  /** A time column where {@code NULL} means never. */
  static long orNever(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? Long.MAX_VALUE : v;
  }

  /** An expiry parameter where {@code Long.MAX_VALUE} (none) is stored as {@code NULL}. */
  static void setExpiry(PreparedStatement ps, int i, long expiresAt) throws SQLException {
    if (expiresAt == Long.MAX_VALUE) {
      ps.setNull(i, Types.INTEGER);
    } else {
      ps.setLong(i, expiresAt);
    }
  }

  static void setNullable(PreparedStatement ps, int i, @Nullable String v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.VARCHAR);
    } else {
      ps.setString(i, v);
    }
  }

  /** The single {@code long} a query returns, or {@code Long.MAX_VALUE} for none or NULL. */
  static long single(Tx tx, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? orNever(rs, 1) : Long.MAX_VALUE;
      }
    }
  }
}
