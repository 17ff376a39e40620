package dev.gander.internal.eventlog;

import dev.gander.eventlog.ConsumerId;
import dev.gander.eventlog.LogEntry;
import dev.gander.eventlog.Topic;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** A topic in memory: its retained events in a list, its cursors in a map. */
final class MemoryTopic extends LocalTopic {
  /** The retained events: the first has offset {@link #compactedThrough} + 1. */
  private final ArrayList<LogEntry> entries = new ArrayList<>();

  private final Map<String, Long> cursors = new HashMap<>();
  private long compactedThrough;

  MemoryTopic(Topic topic) {
    super(topic);
  }

  @Override
  long latest() {
    return compactedThrough + entries.size();
  }

  @Override
  long compactedThrough() {
    return compactedThrough;
  }

  @Override
  List<LogEntry> read(long after, int limit) {
    long from = Math.max(after, compactedThrough) - compactedThrough;
    if (from >= entries.size()) {
      return List.of();
    }
    int start = (int) from;
    int end = (int) Math.min(entries.size(), (long) start + limit);
    return List.copyOf(entries.subList(start, end));
  }

  @Override
  void append(List<LogEntry> added) {
    entries.addAll(added);
  }

  @Override
  boolean compact(long through) {
    entries.subList(0, (int) (through - compactedThrough)).clear();
    entries.trimToSize();
    compactedThrough = through;
    return false;
  }

  @Override
  OptionalLong cursor(ConsumerId consumer) {
    Long c = cursors.get(consumer.name());
    return c == null ? OptionalLong.empty() : OptionalLong.of(c);
  }

  @Override
  void storeCursor(ConsumerId consumer, long offset) {
    cursors.put(consumer.name(), offset);
  }

  @Override
  void flush() {}

  @Override
  void close() {}
}
