package dev.gander.internal.postgres;

import dev.gander.internal.spi.Tx;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import org.jspecify.annotations.Nullable;

/**
 * How the jobs SQL of PostgreSQL maps values and locks: {@code NULL} stands for "never" in a time
 * column, and statements lock rows ({@code FOR UPDATE}) only in a write.
 */
final class PgStatements {
  private PgStatements() {}

  /** Whether statements in {@code tx} may lock rows: not in a read-only snapshot. */
  static boolean locks(Tx tx) {
    return !(tx instanceof PgTx) || ((PgTx) tx).isWrite();
  }

  /** A time column where {@code NULL} means never. */
  static long time(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? Long.MAX_VALUE : v;
  }

  /** A time parameter where {@link Long#MAX_VALUE} means never, stored as {@code NULL}. */
  static void setTime(PreparedStatement ps, int index, long v) throws SQLException {
    if (v == Long.MAX_VALUE) {
      ps.setNull(index, Types.BIGINT);
    } else {
      ps.setLong(index, v);
    }
  }

  static void setText(PreparedStatement ps, int index, @Nullable String v) throws SQLException {
    if (v == null) {
      ps.setNull(index, Types.VARCHAR);
    } else {
      ps.setString(index, v);
    }
  }
}
