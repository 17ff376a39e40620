package dev.gander.internal.eventlog;

import dev.gander.eventlog.ConsumerId;
import dev.gander.eventlog.LogEntry;
import dev.gander.eventlog.Topic;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One topic of a memory or file event log: where its events and consumers' cursors live. The
 * topic's monitor guards everything; {@link LocalEventLog} holds it around every call below, so
 * that implementations need no locking of their own.
 */
abstract class LocalTopic {
  /** The topic. */
  final Topic topic;

  /** Its subscribers, offered each append while the monitor is held, so in offset order. */
  final List<LocalSubscription> subscribers = new CopyOnWriteArrayList<>();

  /**
   * {@link #compactedThrough()} as of the last compaction, for subscribers to read without the
   * monitor: an event compacted away is not handed out of a live buffer either, so that a
   * subscriber learns of compaction as it does on every backend.
   */
  volatile long compactedMark;

  LocalTopic(Topic topic) {
    this.topic = topic;
  }

  /** The last offset appended, 0 if none. */
  abstract long latest();

  /** The last offset compaction removed, 0 if none: the retained events follow it. */
  abstract long compactedThrough();

  /** How many events are retained. */
  final long retained() {
    return latest() - compactedThrough();
  }

  /**
   * Up to {@code limit} retained events after {@code after}, in order.
   *
   * @param after an offset, 0 or more
   * @param limit at least 1
   * @return the events
   */
  abstract List<LogEntry> read(long after, int limit);

  /**
   * Appends events whose offsets follow {@link #latest()}.
   *
   * @param entries the events, not empty
   */
  abstract void append(List<LogEntry> entries);

  /**
   * Removes the events up to and including {@code through}.
   *
   * @param through more than {@link #compactedThrough()}, at most {@link #latest()}
   * @return whether the space they took was given back at once
   */
  abstract boolean compact(long through);

  /**
   * A consumer's cursor.
   *
   * @param consumer the consumer
   * @return its cursor, or empty
   */
  abstract OptionalLong cursor(ConsumerId consumer);

  /**
   * Sets a consumer's cursor; the caller has checked that it moves forward.
   *
   * @param consumer the consumer
   * @param offset the cursor
   */
  abstract void storeCursor(ConsumerId consumer, long offset);

  /** Makes what was written durable against a power loss. */
  abstract void flush();

  /** Releases what the topic holds open. */
  abstract void close();
}
