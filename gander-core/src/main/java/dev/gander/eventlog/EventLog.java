package dev.gander.eventlog;

import dev.gander.Gander;
import dev.gander.spi.EventLogProvider;
import java.util.List;
import java.util.OptionalLong;

/**
 * An append-only log of events in named topics, with offsets 1, 2, 3 … per topic, consumers'
 * cursors that only move forward, history-then-live subscriptions and explicit compaction. One
 * interface, four backends ({@link EventLogBackend}); the semantics below hold on each of them.
 *
 * <pre>{@code
 * EventLogConfig config = EventLogConfig.builder().backend(EventLogBackend.MEMORY).build();
 * try (EventLog log = EventLog.open(config)) {
 *   Topic orders = Topic.of("orders");
 *   long offset = log.append(orders, LogEvent.ofJson("order.created", "{\"id\":\"A-1\"}"));
 *   log.ack(orders, ConsumerId.of("mailer"), offset);
 * }
 * }</pre>
 *
 * <ul>
 *   <li><b>Offsets</b> start at 1 and follow each other with no gap; they are never reused, even
 *       after compaction or reopening.
 *   <li><b>Reads are strictly after</b> an offset: {@code readRange(topic, 0, n)} reads from the
 *       start, {@code readRange(topic, 5, n)} from offset 6.
 *   <li><b>Consumers' cursors</b> only move forward: acknowledging an offset at or below the cursor
 *       changes nothing and returns the cursor as it is.
 *   <li><b>Compaction</b> is explicit and deletes what it is asked to, whatever consumers' cursors
 *       say; cursors stay where they are, and a subscriber that had not read the deleted events is
 *       told with {@link SubscriberLaggedException}.
 * </ul>
 *
 * <p>Instances are thread-safe and meant to be shared; each {@link LogSubscription} is read by one
 * thread. Close the log when done: that closes its subscriptions, and what it opened (files, or the
 * Gander it opened), but never a Gander given to {@link #on(Gander)}.
 */
public interface EventLog extends AutoCloseable {
  /**
   * Opens the event log a configuration describes: in memory, in a directory of files, or on a
   * Gander database (SQLite or PostgreSQL) that it opens and closes itself.
   *
   * @param config the configuration, from {@link EventLogConfig#builder()} or {@link
   *     EventLogConfig#fromEnvironment(java.nio.file.Path)}
   * @return the open event log
   * @throws dev.gander.GanderException if the storage cannot be opened (the file backend's
   *     directory is open in another event log, for instance)
   */
  static EventLog open(EventLogConfig config) {
    return EventLogProvider.find().open(config);
  }

  /**
   * An event log over an open Gander: its topics are the Gander's streams, its consumers' cursors
   * the streams' consumers' committed offsets. Closing the event log does not close the Gander.
   *
   * @param gander the open database, on SQLite or PostgreSQL
   * @return the event log
   */
  static EventLog on(Gander gander) {
    return EventLogProvider.find().on(gander);
  }

  /**
   * Appends an event.
   *
   * @param topic the topic
   * @param event the event
   * @return its offset
   * @throws dev.gander.PayloadTooLargeException if its payload or headers are over 1 MiB of JSON;
   *     nothing is written
   * @throws dev.gander.PayloadCodecException if its payload or headers hold a lone UTF-16 surrogate
   *     (half of a character, which UTF-8 cannot store); nothing is written
   * @throws dev.gander.GanderClosedException if the log is closed
   */
  long append(Topic topic, LogEvent event);

  /**
   * Appends events at once: in one transaction on the database backends, in one write on the file
   * backend (where a crash during the write may keep the first of them, whole, and never part of
   * one).
   *
   * @param topic the topic
   * @param events the events, in order
   * @return their offsets, consecutive, in order
   * @throws dev.gander.PayloadTooLargeException if one is too large; none is written
   * @throws dev.gander.PayloadCodecException if one holds a lone UTF-16 surrogate; none is written
   */
  List<Long> appendAll(Topic topic, List<LogEvent> events);

  /**
   * Makes what was appended and acknowledged durable against a power loss: the file backend syncs
   * its files to the disk. Appends are durable against a crash of this process as soon as they
   * return on every backend but memory; on SQLite, against a power loss, as the database's {@code
   * synchronous} setting says (this call does not checkpoint it); on PostgreSQL, once committed.
   */
  void flush();

  /**
   * Reads up to {@code limit} events with offsets strictly after {@code after}, in order.
   *
   * @param topic the topic
   * @param after the offset after which to read; 0 reads from the start
   * @param limit the most events to return, at least 1
   * @return the events; fewer than {@code limit} at the end of the topic, and only those compaction
   *     kept
   * @throws IllegalArgumentException if {@code after} is negative or {@code limit} below 1
   */
  List<LogEntry> readRange(Topic topic, long after, int limit);

  /**
   * Subscribes to a topic from the event after {@code after}: history first, then live.
   *
   * @param topic the topic
   * @param after the offset after which to start; 0 starts at the beginning, a consumer resumes
   *     with {@code consumerCursor(topic, consumer).orElse(0)}
   * @return the subscription; close it when done
   * @throws IllegalArgumentException if {@code after} is negative
   */
  LogSubscription subscribe(Topic topic, long after);

  /**
   * Moves a consumer's cursor forward to {@code upTo}: it has processed the events up to and
   * including it. An offset at or below the cursor changes nothing (a consumer that re-processes
   * old events cannot move its cursor back).
   *
   * @param topic the topic
   * @param consumer the consumer
   * @param upTo the last offset processed, from 0 to {@link #latest(Topic)}
   * @return the cursor afterwards: {@code upTo}, or the cursor as it was if that is further
   * @throws IllegalArgumentException if {@code upTo} is negative or past the topic's last offset
   */
  long ack(Topic topic, ConsumerId consumer, long upTo);

  /**
   * A consumer's cursor.
   *
   * @param topic the topic
   * @param consumer the consumer
   * @return the last offset it acknowledged, or empty if it never did
   */
  OptionalLong consumerCursor(Topic topic, ConsumerId consumer);

  /**
   * The topic's last offset.
   *
   * @param topic the topic
   * @return the offset, or empty if nothing was ever appended
   */
  OptionalLong latest(Topic topic);

  /**
   * Deletes the events with offsets up to and including {@code before}, whatever consumers' cursors
   * say (compute the lowest cursor first to keep what consumers have not processed). Offsets are
   * not reused: appends go on after {@link #latest(Topic)}.
   *
   * @param topic the topic
   * @param before the last offset to delete; past the end, everything is deleted
   * @return what was removed and what is left
   * @throws IllegalArgumentException if {@code before} is negative
   */
  CompactReport compact(Topic topic, long before);

  /**
   * Describes the log: backend, location, size on disk, subscribers' buffer.
   *
   * @return the description, read now
   */
  EventLogDescription describe();

  /**
   * Closes the log: its subscriptions (a thread waiting in one gets a {@link
   * dev.gander.GanderClosedException}), its files or the Gander it opened. Idempotent.
   */
  @Override
  void close();
}
