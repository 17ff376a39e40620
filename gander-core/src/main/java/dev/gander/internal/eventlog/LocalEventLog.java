package dev.gander.internal.eventlog;

import dev.gander.GanderClosedException;
import dev.gander.eventlog.CompactReport;
import dev.gander.eventlog.ConsumerId;
import dev.gander.eventlog.EventLog;
import dev.gander.eventlog.LogEntry;
import dev.gander.eventlog.LogEvent;
import dev.gander.eventlog.LogSubscription;
import dev.gander.eventlog.Topic;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What the memory and file backends share: topics opened on first use, each guarded by its own
 * monitor; gap-free offsets; cursors that only move forward; compaction and its report; live
 * subscribers. Where a topic's events and cursors live is a {@link LocalTopic}'s business.
 */
abstract class LocalEventLog implements EventLog {
  private final int queueDepth;

  /** Guarded by itself, as is {@link #closed}. */
  private final Map<String, LocalTopic> topics = new HashMap<>();

  private volatile boolean closed;

  LocalEventLog(int queueDepth) {
    this.queueDepth = queueDepth;
  }

  /**
   * Opens a topic's storage, on its first use since the log opened.
   *
   * @param topic the topic
   * @return its storage
   */
  abstract LocalTopic openTopic(Topic topic);

  /** Makes the log's own files durable after the topics flushed theirs. */
  void flushLog() {}

  /** Releases what the log holds after its topics closed. */
  void closeLog() {}

  /**
   * The live buffer of each subscriber.
   *
   * @return the depth
   */
  final int queueDepth() {
    return queueDepth;
  }

  final void checkOpen() {
    if (closed) {
      throw new GanderClosedException("The event log is closed: open a new one");
    }
  }

  private LocalTopic topic(Topic topic) {
    Objects.requireNonNull(topic, "topic");
    synchronized (topics) {
      checkOpen();
      LocalTopic t = topics.get(topic.name());
      if (t == null) {
        t = openTopic(topic);
        t.compactedMark = t.compactedThrough();
        topics.put(topic.name(), t);
      }
      return t;
    }
  }

  @Override
  public long append(Topic topic, LogEvent event) {
    return appendAll(topic, List.of(event)).get(0);
  }

  @Override
  public List<Long> appendAll(Topic topic, List<LogEvent> events) {
    Objects.requireNonNull(events, "events");
    for (LogEvent e : events) {
      EventLines.checkStorable(Objects.requireNonNull(e, "event"));
    }
    LocalTopic t = topic(topic);
    if (events.isEmpty()) {
      return List.of();
    }
    List<LogEntry> entries = new ArrayList<>(events.size());
    synchronized (t) {
      checkOpen();
      long next = t.latest() + 1;
      for (LogEvent e : events) {
        entries.add(new LogEntry(next++, e));
      }
      t.append(entries);
      for (LocalSubscription s : t.subscribers) {
        s.offer(entries);
      }
    }
    List<Long> offsets = new ArrayList<>(entries.size());
    for (LogEntry e : entries) {
      offsets.add(e.offset());
    }
    return offsets;
  }

  @Override
  public List<LogEntry> readRange(Topic topic, long after, int limit) {
    checkAfter(after);
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    LocalTopic t = topic(topic);
    synchronized (t) {
      checkOpen();
      return t.read(after, limit);
    }
  }

  @Override
  public LogSubscription subscribe(Topic topic, long after) {
    checkAfter(after);
    LocalTopic t = topic(topic);
    LocalSubscription s = new LocalSubscription(this, t, after, queueDepth);
    synchronized (t) {
      checkOpen();
      t.subscribers.add(s);
    }
    return s;
  }

  @Override
  public long ack(Topic topic, ConsumerId consumer, long upTo) {
    Objects.requireNonNull(consumer, "consumer");
    if (upTo < 0) {
      throw new IllegalArgumentException("upTo must not be negative, was " + upTo);
    }
    LocalTopic t = topic(topic);
    synchronized (t) {
      checkOpen();
      long latest = t.latest();
      if (upTo > latest) {
        throw new IllegalArgumentException(
            "Cannot ack offset "
                + upTo
                + " for consumer '"
                + consumer.name()
                + "': topic '"
                + topic.name()
                + "' ends at "
                + latest);
      }
      OptionalLong cursor = t.cursor(consumer);
      if (cursor.isPresent() && cursor.getAsLong() >= upTo) {
        return cursor.getAsLong();
      }
      t.storeCursor(consumer, upTo);
      return upTo;
    }
  }

  @Override
  public OptionalLong consumerCursor(Topic topic, ConsumerId consumer) {
    Objects.requireNonNull(consumer, "consumer");
    LocalTopic t = topic(topic);
    synchronized (t) {
      checkOpen();
      return t.cursor(consumer);
    }
  }

  @Override
  public OptionalLong latest(Topic topic) {
    LocalTopic t = topic(topic);
    synchronized (t) {
      checkOpen();
      long latest = t.latest();
      return latest == 0 ? OptionalLong.empty() : OptionalLong.of(latest);
    }
  }

  @Override
  public CompactReport compact(Topic topic, long before) {
    if (before < 0) {
      throw new IllegalArgumentException("before must not be negative, was " + before);
    }
    LocalTopic t = topic(topic);
    synchronized (t) {
      checkOpen();
      long latest = t.latest();
      long through = Math.min(before, latest);
      long removed = 0;
      boolean checkpointed = false;
      if (through > t.compactedThrough()) {
        removed = through - t.compactedThrough();
        checkpointed = t.compact(through);
        t.compactedMark = through;
      }
      return new CompactReport(
          removed,
          t.retained(),
          latest == 0 ? OptionalLong.empty() : OptionalLong.of(latest),
          checkpointed);
    }
  }

  @Override
  public void flush() {
    List<LocalTopic> open;
    synchronized (topics) {
      checkOpen();
      open = new ArrayList<>(topics.values());
    }
    for (LocalTopic t : open) {
      synchronized (t) {
        checkOpen();
        t.flush();
      }
    }
    flushLog();
  }

  @Override
  public void close() {
    List<LocalTopic> open;
    synchronized (topics) {
      if (closed) {
        return;
      }
      closed = true;
      open = new ArrayList<>(topics.values());
      topics.clear();
    }
    for (LocalTopic t : open) {
      synchronized (t) {
        for (LocalSubscription s : t.subscribers) {
          s.logClosed();
        }
        t.close();
      }
    }
    closeLog();
  }

  private static void checkAfter(long after) {
    if (after < 0) {
      throw new IllegalArgumentException("after must not be negative, was " + after);
    }
  }
}
