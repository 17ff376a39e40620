package dev.gander.internal.sqlite;

import dev.gander.internal.spi.StreamOps;
import dev.gander.internal.spi.Tx;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** The stream operations of the SQLite backend: all of its stream SQL. */
final class SqliteStreams implements StreamOps {
  // One writer at a time: an append's offset is the stream's highest plus one, read in the
  // writing transaction, so offsets are gap-free without a head row updated on every append (a
  // statement less per publish than PostgreSQL, which needs the row's lock). When compaction
  // removed every event, the highest is the one it recorded.
  private static final String INSERT_NEXT =
      "INSERT INTO gander_events (stream, seq, kind, payload, headers, occurred_at)"
          + " VALUES (?1, coalesce((SELECT max(seq) FROM gander_events WHERE stream = ?1),"
          + " (SELECT compacted_through FROM gander_streams WHERE name = ?1), 0) + 1,"
          + " ?2, ?3, ?4, ?5) RETURNING seq";
  private static final String INSERT_EVENT =
      "INSERT INTO gander_events (stream, seq, kind, payload, headers, occurred_at)"
          + " VALUES (?, ?, ?, ?, ?, ?)";
  private static final String CREATE_HEAD =
      "INSERT INTO gander_streams (name) VALUES (?) ON CONFLICT (name) DO NOTHING";
  private static final String READ =
      "SELECT seq, kind, payload, headers, occurred_at FROM gander_events"
          + " WHERE stream = ? AND seq > ? ORDER BY seq LIMIT ?";
  private static final String HEAD =
      "SELECT max(coalesce((SELECT max(seq) FROM gander_events WHERE stream = ?1), 0),"
          + " compacted_through), compacted_through, keep_ms, keep_count FROM gander_streams"
          + " WHERE name = ?1";
  private static final String STREAMS = "SELECT name FROM gander_streams ORDER BY name";
  private static final String CURSOR =
      "SELECT seq FROM gander_stream_consumers WHERE stream = ? AND consumer = ?";
  private static final String COMMIT =
      "INSERT INTO gander_stream_consumers (stream, consumer, seq, updated_at) VALUES (?, ?, ?, ?)"
          + " ON CONFLICT (stream, consumer) DO UPDATE SET seq = excluded.seq,"
          + " updated_at = excluded.updated_at WHERE excluded.seq > gander_stream_consumers.seq";
  private static final String CONSUMERS =
      "SELECT consumer, seq, updated_at FROM gander_stream_consumers WHERE stream = ?"
          + " ORDER BY consumer";
  private static final String REMOVE_CONSUMER =
      "DELETE FROM gander_stream_consumers WHERE stream = ? AND consumer = ?";
  private static final String LAST_BEFORE =
      "SELECT max(seq) FROM gander_events WHERE stream = ? AND occurred_at < ?";
  private static final String DELETE_THROUGH =
      "DELETE FROM gander_events WHERE stream = ? AND seq <= ?";
  private static final String MARK_COMPACTED =
      "UPDATE gander_streams SET compacted_through = max(compacted_through, ?) WHERE name = ?";
  private static final String COUNT = "SELECT count(*) FROM gander_events WHERE stream = ?";
  private static final String SET_RETENTION =
      "INSERT INTO gander_streams (name, keep_ms, keep_count) VALUES (?, ?, ?)"
          + " ON CONFLICT (name) DO UPDATE SET keep_ms = excluded.keep_ms,"
          + " keep_count = excluded.keep_count";
  private static final String RETENTIONS =
      "SELECT name, keep_ms, keep_count FROM gander_streams"
          + " WHERE keep_ms > 0 OR keep_count > 0 ORDER BY name";

  @Override
  public void setRetention(Tx tx, Retention rule) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(SET_RETENTION)) {
      ps.setString(1, rule.stream());
      ps.setLong(2, rule.keepMillis());
      ps.setLong(3, rule.keepCount());
      ps.executeUpdate();
    }
  }

  @Override
  public List<Retention> retentions(Tx tx) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(RETENTIONS);
        ResultSet rs = ps.executeQuery()) {
      List<Retention> out = new ArrayList<>();
      while (rs.next()) {
        out.add(new Retention(rs.getString(1), rs.getLong(2), rs.getLong(3)));
      }
      return out;
    }
  }

  /** Streams whose head row this process knows exists: head rows are never deleted. */
  private final java.util.Set<String> knownHeads =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  @Override
  public long append(Tx tx, String stream, List<NewEvent> events) throws SQLException {
    // Appends are writes, on the writer's cached statements: a publish prepares nothing.
    SqliteTx w = writer(tx);
    if (!knownHeads.contains(stream)) {
      PreparedStatement head = w.prepared(CREATE_HEAD);
      head.setString(1, stream);
      head.executeUpdate();
      // Remembered once committed: a rolled-back first append takes its head row with it.
      tx.afterCommit(() -> knownHeads.add(stream));
    }
    NewEvent e0 = events.get(0);
    PreparedStatement next = w.prepared(INSERT_NEXT);
    next.setString(1, stream);
    next.setString(2, e0.kind());
    next.setString(3, e0.payload());
    next.setString(4, e0.headers());
    next.setLong(5, e0.occurredAt());
    long first;
    try (ResultSet rs = next.executeQuery()) {
      rs.next();
      first = rs.getLong(1);
    }
    if (events.size() > 1) {
      PreparedStatement insert = w.prepared(INSERT_EVENT);
      long offset = first + 1;
      for (NewEvent e : events.subList(1, events.size())) {
        insert.setString(1, stream);
        insert.setLong(2, offset++);
        insert.setString(3, e.kind());
        insert.setString(4, e.payload());
        insert.setString(5, e.headers());
        insert.setLong(6, e.occurredAt());
        insert.executeUpdate();
      }
    }
    return first;
  }

  private static SqliteTx writer(Tx tx) {
    if (tx instanceof SqliteTx) {
      return (SqliteTx) tx;
    }
    throw new IllegalStateException("not a write transaction of the SQLite backend: " + tx);
  }

  @Override
  public List<StoredEvent> read(Tx tx, String stream, long after, int limit) throws SQLException {
    PreparedStatement ps = cached(tx, READ);
    try {
      ps.setString(1, stream);
      ps.setLong(2, after);
      ps.setInt(3, limit);
      List<StoredEvent> out = new ArrayList<>(Math.min(limit, 256));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new StoredEvent(
                  rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5)));
        }
      }
      return out;
    } finally {
      closeIfUncached(tx, ps);
    }
  }

  @Override
  public Head head(Tx tx, String stream) throws SQLException {
    PreparedStatement ps = cached(tx, HEAD);
    try {
      ps.setString(1, stream);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? new Head(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4))
            : Head.EMPTY;
      }
    } finally {
      closeIfUncached(tx, ps);
    }
  }

  /**
   * The statement from the connection's cache when the transaction is a store's (a reader's, the
   * writer's or the commit watcher's), so that a subscription's read, run on every wake-up,
   * prepares nothing after its first time; closing the result set resets it, which ends its
   * snapshot. Else (a {@link Tx} of another kind) a statement of its own, closed after use.
   */
  private static PreparedStatement cached(Tx tx, String sql) throws SQLException {
    return tx instanceof SqliteTx
        ? ((SqliteTx) tx).prepared(sql)
        : tx.connection().prepareStatement(sql);
  }

  private static void closeIfUncached(Tx tx, PreparedStatement ps) throws SQLException {
    if (!(tx instanceof SqliteTx)) {
      ps.close();
    }
  }

  @Override
  public List<String> streams(Tx tx) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(STREAMS);
        ResultSet rs = ps.executeQuery()) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }

  @Override
  public OptionalLong cursor(Tx tx, String stream, String consumer) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(CURSOR)) {
      ps.setString(1, stream);
      ps.setString(2, consumer);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
      }
    }
  }

  @Override
  public long commit(Tx tx, String stream, String consumer, long offset, long now)
      throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(COMMIT)) {
      ps.setString(1, stream);
      ps.setString(2, consumer);
      ps.setLong(3, offset);
      ps.setLong(4, now);
      ps.executeUpdate();
    }
    return cursor(tx, stream, consumer).orElse(offset);
  }

  @Override
  public List<Cursor> consumers(Tx tx, String stream) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(CONSUMERS)) {
      ps.setString(1, stream);
      List<Cursor> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Cursor(rs.getString(1), rs.getLong(2), rs.getLong(3)));
        }
      }
      return out;
    }
  }

  @Override
  public boolean removeConsumer(Tx tx, String stream, String consumer) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(REMOVE_CONSUMER)) {
      ps.setString(1, stream);
      ps.setString(2, consumer);
      return ps.executeUpdate() > 0;
    }
  }

  @Override
  public long lastBefore(Tx tx, String stream, long time) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(LAST_BEFORE)) {
      ps.setString(1, stream);
      ps.setLong(2, time);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  @Override
  public Compacted compact(Tx tx, String stream, long through) throws SQLException {
    long removed;
    try (PreparedStatement ps = tx.connection().prepareStatement(DELETE_THROUGH)) {
      ps.setString(1, stream);
      ps.setLong(2, through);
      removed = ps.executeUpdate();
    }
    try (PreparedStatement ps = tx.connection().prepareStatement(MARK_COMPACTED)) {
      ps.setLong(1, through);
      ps.setString(2, stream);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = tx.connection().prepareStatement(COUNT)) {
      ps.setString(1, stream);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new Compacted(removed, rs.getLong(1));
      }
    }
  }
}
