package dev.gander.internal.eventlog;

import dev.gander.Gander;
import dev.gander.GanderClosedException;
import dev.gander.eventlog.CompactReport;
import dev.gander.eventlog.ConsumerId;
import dev.gander.eventlog.EventLog;
import dev.gander.eventlog.EventLogBackend;
import dev.gander.eventlog.EventLogDescription;
import dev.gander.eventlog.LogEntry;
import dev.gander.eventlog.LogEvent;
import dev.gander.eventlog.LogSubscription;
import dev.gander.eventlog.Topic;
import dev.gander.queue.RawJson;
import dev.gander.store.StoreInfo;
import dev.gander.stream.Event;
import dev.gander.stream.OutgoingEvent;
import dev.gander.stream.Stream;
import dev.gander.stream.Subscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SQLite and PostgreSQL backends: an event log over a Gander's streams, through the public API
 * only. A topic is the stream of the same name; a consumer's cursor is the stream consumer's
 * committed offset; compaction is {@link Stream#forceCompact(long)}, since the event log's
 * compaction deletes what it is asked to.
 *
 * <p>Streams stamp each event with the time of the transaction that published it. To give back the
 * time an event says it occurred, as the other backends do, it travels in the header {@link
 * LogEvent#OCCURRED_AT_HEADER}, which readers of the stream see and the event log takes off. An
 * event published to the stream without it occurred when it was published.
 */
final class StreamEventLog implements EventLog {
  /**
   * The consumer name a subscription reads as. A stream subscription commits nothing by itself, and
   * the event log never commits through one, so the name is only a label in messages.
   */
  static final String SUBSCRIBER = "event-log";

  private final Gander gander;
  private final boolean owned;
  private final int queueDepth;
  private final Set<StreamLogSubscription> subscriptions = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /**
   * Creates the event log.
   *
   * @param gander the database
   * @param owned whether {@link #close()} closes it
   * @param queueDepth reported by {@link #describe()}; streams read from storage and need none
   */
  StreamEventLog(Gander gander, boolean owned, int queueDepth) {
    this.gander = gander;
    this.owned = owned;
    this.queueDepth = queueDepth;
  }

  private Stream stream(Topic topic) {
    Objects.requireNonNull(topic, "topic");
    checkOpen();
    return gander.stream(topic.name());
  }

  private void checkOpen() {
    if (closed) {
      throw new GanderClosedException("The event log is closed: open a new one");
    }
  }

  @Override
  public long append(Topic topic, LogEvent event) {
    Objects.requireNonNull(event, "event");
    EventLines.checkStorable(event);
    return stream(topic).publish(event.kind(), RawJson.of(event.payloadJson()), headers(event));
  }

  @Override
  public List<Long> appendAll(Topic topic, List<LogEvent> events) {
    Objects.requireNonNull(events, "events");
    for (LogEvent e : events) {
      EventLines.checkStorable(Objects.requireNonNull(e, "event"));
    }
    Stream s = stream(topic);
    if (events.isEmpty()) {
      return List.of();
    }
    // One append for the whole batch (on PostgreSQL one statement, not one per event).
    List<OutgoingEvent> out = new ArrayList<>(events.size());
    for (LogEvent e : events) {
      out.add(OutgoingEvent.of(e.kind(), RawJson.of(e.payloadJson()), headers(e)));
    }
    return s.publishEvents(out);
  }

  private static Map<String, String> headers(LogEvent e) {
    TreeMap<String, String> h = new TreeMap<>(e.headers());
    h.put(LogEvent.OCCURRED_AT_HEADER, Long.toString(e.occurredAt().toEpochMilli()));
    return h;
  }

  /**
   * An event of a stream as the event log gives it back.
   *
   * @param e the stream's event
   * @return the entry
   */
  static LogEntry entry(Event e) {
    TreeMap<String, String> headers = new TreeMap<>(e.headers());
    String at = headers.remove(LogEvent.OCCURRED_AT_HEADER);
    Instant occurredAt = e.occurredAt();
    if (at != null) {
      try {
        occurredAt = Instant.ofEpochMilli(Long.parseLong(at));
      } catch (NumberFormatException | java.time.DateTimeException ignored) {
        // Not written by the event log: the publish time stands.
      }
    }
    LogEvent event = LogEvent.ofJson(e.kind(), e.payload()).withHeaders(headers);
    return new LogEntry(e.offset(), event.withOccurredAt(occurredAt));
  }

  @Override
  public void flush() {
    checkOpen();
    // Each append committed before it returned; see EventLog#flush for what that promises.
  }

  @Override
  public List<LogEntry> readRange(Topic topic, long after, int limit) {
    List<Event> events = stream(topic).read(after, limit);
    List<LogEntry> out = new ArrayList<>(events.size());
    for (Event e : events) {
      out.add(entry(e));
    }
    return out;
  }

  @Override
  public LogSubscription subscribe(Topic topic, long after) {
    Subscription sub = stream(topic).subscribe(SUBSCRIBER, after);
    StreamLogSubscription s = new StreamLogSubscription(topic, sub, subscriptions);
    subscriptions.add(s);
    if (closed) {
      s.close();
      checkOpen();
    }
    return s;
  }

  @Override
  public long ack(Topic topic, ConsumerId consumer, long upTo) {
    Objects.requireNonNull(consumer, "consumer");
    if (upTo < 0) {
      throw new IllegalArgumentException("upTo must not be negative, was " + upTo);
    }
    return stream(topic).commit(consumer.name(), upTo);
  }

  @Override
  public OptionalLong consumerCursor(Topic topic, ConsumerId consumer) {
    Objects.requireNonNull(consumer, "consumer");
    return stream(topic).cursor(consumer.name());
  }

  @Override
  public OptionalLong latest(Topic topic) {
    long latest = stream(topic).latest();
    return latest == 0 ? OptionalLong.empty() : OptionalLong.of(latest);
  }

  @Override
  public CompactReport compact(Topic topic, long before) {
    if (before < 0) {
      throw new IllegalArgumentException("before must not be negative, was " + before);
    }
    dev.gander.stream.CompactReport r = stream(topic).forceCompact(before);
    return new CompactReport(
        r.removed(),
        r.remaining(),
        r.latest() == 0 ? OptionalLong.empty() : OptionalLong.of(r.latest()),
        r.checkpointed());
  }

  @Override
  public EventLogDescription describe() {
    checkOpen();
    StoreInfo info = gander.store().info();
    EventLogBackend backend =
        StoreInfo.POSTGRESQL.equals(info.backend())
            ? EventLogBackend.POSTGRES
            : EventLogBackend.SQLITE;
    return new EventLogDescription(
        backend, Optional.of(info.location()), OptionalLong.of(info.sizeOnDisk()), queueDepth);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (StreamLogSubscription s : subscriptions) {
      s.logClosed();
    }
    if (owned) {
      gander.close();
    }
  }

  @Override
  public String toString() {
    return "EventLog[streams" + (owned ? "" : ", not owned") + "]";
  }
}
