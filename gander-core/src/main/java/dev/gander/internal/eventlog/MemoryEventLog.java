package dev.gander.internal.eventlog;

import dev.gander.eventlog.EventLogBackend;
import dev.gander.eventlog.EventLogDescription;
import dev.gander.eventlog.Topic;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The memory backend: for tests and ephemeral use. Nothing survives {@link #close()}; {@link
 * #flush()} has nothing to do.
 */
final class MemoryEventLog extends LocalEventLog {
  MemoryEventLog(int queueDepth) {
    super(queueDepth);
  }

  @Override
  LocalTopic openTopic(Topic topic) {
    return new MemoryTopic(topic);
  }

  @Override
  public EventLogDescription describe() {
    checkOpen();
    return new EventLogDescription(
        EventLogBackend.MEMORY, Optional.empty(), OptionalLong.empty(), queueDepth());
  }

  @Override
  public String toString() {
    return "EventLog[memory]";
  }
}
