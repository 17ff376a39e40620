package dev.gander.internal.postgres;

import dev.gander.internal.spi.StreamOps;
import dev.gander.internal.spi.Tx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/** The stream operations of the PostgreSQL backend: all of its stream SQL. */
public final class PgStreams implements StreamOps {
  private final String append;
  private final String read;
  private final String head;
  private final String streams;
  private final String cursor;
  private final String commit;
  private final String consumers;
  private final String removeConsumer;
  private final String lastBefore;
  private final String compact;
  private final String setRetention;
  private final String retentions;

  /**
   * Binds the statements to a schema.
   *
   * @param schema the schema holding Gander's tables
   */
  public PgStreams(PgSchema schema) {
    // The update takes the head row's lock until commit: the next publisher of this stream
    // waits, so offsets are visible in order and a rollback leaves no gap.
    // One statement, one round trip: the head row's update (whose row lock until commit keeps
    // offsets gap-free and visible in order) hands its new last offset to the insert. A
    // data-modifying WITH runs once and to completion whether or not the outer query reads it.
    append =
        schema.sql(
            "WITH h AS (INSERT INTO {schema}.gander_streams AS s (name, last_offset)"
                + " VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET last_offset = s.last_offset"
                + " + excluded.last_offset RETURNING last_offset), i AS (INSERT INTO"
                + " {schema}.gander_events (stream, seq, kind, payload, headers, occurred_at)"
                + " SELECT ?, h.last_offset - ? + n, k, p, hd, o FROM h, unnest(?::text[],"
                + " ?::text[], ?::text[], ?::bigint[]) WITH ORDINALITY AS t(k, p, hd, o, n))"
                + " SELECT last_offset FROM h");
    read =
        schema.sql(
            "SELECT seq, kind, payload, headers, occurred_at FROM {schema}.gander_events"
                + " WHERE stream = ? AND seq > ? ORDER BY seq LIMIT ?");
    head =
        schema.sql(
            "SELECT last_offset, compacted_through, keep_ms, keep_count FROM {schema}.gander_streams"
                + " WHERE name = ?");
    streams = schema.sql("SELECT name FROM {schema}.gander_streams ORDER BY name");
    cursor =
        schema.sql(
            "SELECT seq FROM {schema}.gander_stream_consumers WHERE stream = ? AND consumer = ?");
    commit =
        schema.sql(
            "INSERT INTO {schema}.gander_stream_consumers AS c (stream, consumer, seq,"
                + " updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (stream, consumer) DO UPDATE"
                + " SET seq = excluded.seq, updated_at = excluded.updated_at"
                + " WHERE excluded.seq > c.seq");
    consumers =
        schema.sql(
            "SELECT consumer, seq, updated_at FROM {schema}.gander_stream_consumers"
                + " WHERE stream = ? ORDER BY consumer");
    removeConsumer =
        schema.sql(
            "DELETE FROM {schema}.gander_stream_consumers WHERE stream = ? AND consumer = ?");
    lastBefore =
        schema.sql(
            "SELECT max(seq) FROM {schema}.gander_events WHERE stream = ? AND occurred_at < ?");
    setRetention =
        schema.sql(
            "INSERT INTO {schema}.gander_streams AS s (name, last_offset, keep_ms, keep_count)"
                + " VALUES (?, 0, ?, ?) ON CONFLICT (name) DO UPDATE SET keep_ms = excluded.keep_ms,"
                + " keep_count = excluded.keep_count");
    retentions =
        schema.sql(
            "SELECT name, keep_ms, keep_count FROM {schema}.gander_streams"
                + " WHERE keep_ms > 0 OR keep_count > 0 ORDER BY name");
    // Delete, mark and count in one round trip.
    compact =
        schema.sql(
            "WITH gone AS (DELETE FROM {schema}.gander_events WHERE stream = ? AND seq <= ?"
                + " RETURNING 1), mark AS (UPDATE {schema}.gander_streams"
                + " SET compacted_through = greatest(compacted_through, ?) WHERE name = ?)"
                + " SELECT (SELECT count(*) FROM gone),"
                + " (SELECT count(*) FROM {schema}.gander_events WHERE stream = ?)");
  }

  @Override
  public void setRetention(Tx tx, Retention rule) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(setRetention)) {
      ps.setString(1, rule.stream());
      ps.setLong(2, rule.keepMillis());
      ps.setLong(3, rule.keepCount());
      ps.executeUpdate();
    }
  }

  @Override
  public List<Retention> retentions(Tx tx) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(retentions);
        ResultSet rs = ps.executeQuery()) {
      List<Retention> out = new ArrayList<>();
      while (rs.next()) {
        out.add(new Retention(rs.getString(1), rs.getLong(2), rs.getLong(3)));
      }
      return out;
    }
  }

  @Override
  public long append(Tx tx, String stream, List<NewEvent> events) throws SQLException {
    Connection c = tx.connection();
    int n = events.size();
    String[] kinds = new String[n];
    String[] payloads = new String[n];
    String[] headers = new String[n];
    Long[] occurred = new Long[n];
    for (int i = 0; i < n; i++) {
      NewEvent e = events.get(i);
      kinds[i] = e.kind();
      payloads[i] = e.payload();
      headers[i] = e.headers();
      occurred[i] = e.occurredAt();
    }
    long last;
    try (PreparedStatement ps = c.prepareStatement(append)) {
      ps.setString(1, stream);
      ps.setLong(2, n);
      ps.setString(3, stream);
      ps.setLong(4, n);
      ps.setArray(5, c.createArrayOf("text", kinds));
      ps.setArray(6, c.createArrayOf("text", payloads));
      ps.setArray(7, c.createArrayOf("text", headers));
      ps.setArray(8, c.createArrayOf("bigint", occurred));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        last = rs.getLong(1);
      }
    }
    return last - n + 1;
  }

  @Override
  public List<StoredEvent> read(Tx tx, String stream, long after, int limit) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(read)) {
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
    }
  }

  @Override
  public Head head(Tx tx, String stream) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(head)) {
      ps.setString(1, stream);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? new Head(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4))
            : Head.EMPTY;
      }
    }
  }

  @Override
  public List<String> streams(Tx tx) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(streams);
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
    try (PreparedStatement ps = tx.connection().prepareStatement(cursor)) {
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
    try (PreparedStatement ps = tx.connection().prepareStatement(commit)) {
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
    try (PreparedStatement ps = tx.connection().prepareStatement(consumers)) {
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
    try (PreparedStatement ps = tx.connection().prepareStatement(removeConsumer)) {
      ps.setString(1, stream);
      ps.setString(2, consumer);
      return ps.executeUpdate() > 0;
    }
  }

  @Override
  public long lastBefore(Tx tx, String stream, long time) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(lastBefore)) {
      ps.setString(1, stream);
      ps.setLong(2, time);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  @Override
  public Compacted compact(Tx tx, String stream, long through) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement(compact)) {
      ps.setString(1, stream);
      ps.setLong(2, through);
      ps.setLong(3, through);
      ps.setString(4, stream);
      ps.setString(5, stream);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        // The count runs on the statement's snapshot, which still holds the deleted rows.
        long removed = rs.getLong(1);
        return new Compacted(removed, rs.getLong(2) - removed);
      }
    }
  }
}
