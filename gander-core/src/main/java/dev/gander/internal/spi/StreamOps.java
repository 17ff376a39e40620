package dev.gander.internal.spi;

import java.sql.SQLException;
import java.util.List;
import java.util.OptionalLong;

/**
 * A backend's operations on streams, in domain terms: append-only logs of events with offsets 1, 2,
 * 3 … per stream and a committed offset per consumer. Each operation is one or a few statements and
 * decides nothing; the stream logic (names, payloads, subscriptions, retention) is backend-neutral.
 *
 * <p>Offsets are gap-free and become visible in order: {@link #append} takes the next offsets from
 * the stream's head row and holds that row until its transaction ends, so a second publisher of the
 * same stream waits for the first to commit or roll back. A reader never sees offset 5 while 4 is
 * uncommitted.
 */
public interface StreamOps {
  /**
   * An event to append.
   *
   * @param kind what happened, such as {@code order.created}
   * @param payload the JSON payload
   * @param headers the headers as a JSON object with sorted keys
   * @param occurredAt epoch milliseconds
   */
  record NewEvent(String kind, String payload, String headers, long occurredAt) {}

  /**
   * An event as stored.
   *
   * @param offset its offset in the stream
   * @param kind what happened
   * @param payload the JSON payload
   * @param headers the headers as a JSON object with sorted keys
   * @param occurredAt epoch milliseconds
   */
  record StoredEvent(long offset, String kind, String payload, String headers, long occurredAt) {}

  /**
   * Where a stream stands.
   *
   * @param latest the last offset appended, 0 if none
   * @param compactedThrough the highest offset compaction removed, 0 if none
   * @param keepMillis its retention by age, 0 for none
   * @param keepCount its retention by count, 0 for none
   */
  record Head(long latest, long compactedThrough, long keepMillis, long keepCount) {
    /** A stream nothing was appended to. */
    public static final Head EMPTY = new Head(0, 0, 0, 0);
  }

  /**
   * A consumer's committed offset.
   *
   * @param name the consumer
   * @param offset its committed offset, 0 before its first commit
   * @param updatedAt epoch milliseconds of its last commit
   */
  record Cursor(String name, long offset, long updatedAt) {}

  /**
   * What a compaction removed.
   *
   * @param removed events deleted
   * @param remaining events left in the stream
   */
  record Compacted(long removed, long remaining) {}

  /**
   * A stream's retention rule.
   *
   * @param stream the stream
   * @param keepMillis events older than this are removed; 0 for no limit
   * @param keepCount only this many newest events are kept; 0 for no limit
   */
  record Retention(String stream, long keepMillis, long keepCount) {}

  /** Records a stream's retention rule, creating the stream if it is new. */
  void setRetention(Tx tx, Retention rule) throws SQLException;

  /** Every stream's retention rule that limits anything, by stream name. */
  List<Retention> retentions(Tx tx) throws SQLException;

  /**
   * Appends events after the stream's last offset, creating the stream if it is new.
   *
   * @return the offset of the first event appended; the others follow it
   */
  long append(Tx tx, String stream, List<NewEvent> events) throws SQLException;

  /** Events with offsets after {@code after}, in order, at most {@code limit}. */
  List<StoredEvent> read(Tx tx, String stream, long after, int limit) throws SQLException;

  /** Where the stream stands; {@link Head#EMPTY} if nothing was ever appended. */
  Head head(Tx tx, String stream) throws SQLException;

  /** The names of every stream, in order. */
  List<String> streams(Tx tx) throws SQLException;

  /** A consumer's committed offset, if it ever committed one. */
  OptionalLong cursor(Tx tx, String stream, String consumer) throws SQLException;

  /**
   * Moves a consumer's committed offset forward to {@code offset}, creating it if new; an offset at
   * or below the committed one changes nothing.
   *
   * @return the committed offset afterwards
   */
  long commit(Tx tx, String stream, String consumer, long offset, long now) throws SQLException;

  /** The stream's consumers, by name. */
  List<Cursor> consumers(Tx tx, String stream) throws SQLException;

  /** Forgets a consumer's committed offset; false if it had none. */
  boolean removeConsumer(Tx tx, String stream, String consumer) throws SQLException;

  /**
   * The last offset of an event that occurred before {@code time}, or 0 if none (for retention by
   * age).
   */
  long lastBefore(Tx tx, String stream, long time) throws SQLException;

  /**
   * Deletes the events with offsets up to and including {@code through}, and records that they are
   * gone (a reader who had not read them is told, not silently skipped).
   */
  Compacted compact(Tx tx, String stream, long through) throws SQLException;
}
