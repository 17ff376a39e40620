package dev.gander.eventlog;

import java.util.Objects;

/**
 * An event read from a topic, with its offset.
 *
 * @param offset its offset in the topic, from 1
 * @param event the event
 */
public record LogEntry(long offset, LogEvent event) {
  /**
   * Checks the parts.
   *
   * @param offset its offset, at least 1
   * @param event the event
   * @throws IllegalArgumentException if the offset is below 1
   */
  public LogEntry {
    if (offset < 1) {
      throw new IllegalArgumentException("offsets start at 1, was " + offset);
    }
    Objects.requireNonNull(event, "event");
  }
}
