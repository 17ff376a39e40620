package dev.gander.eventlog;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * What {@link EventLog#compact(Topic, long)} did.
 *
 * @param removed events deleted
 * @param remaining events left in the topic
 * @param latest the topic's last offset, empty if nothing was ever appended; compaction never
 *     changes it, since offsets are not reused
 * @param checkpointed whether the space freed was given back at once: on SQLite whether the WAL was
 *     copied into the database file and emptied; on the file backend whether the topic's file was
 *     rewritten without the removed events; always false in memory and on PostgreSQL (where VACUUM
 *     does that)
 */
public record CompactReport(
    long removed, long remaining, OptionalLong latest, boolean checkpointed) {
  /**
   * Checks the parts.
   *
   * @param removed events deleted
   * @param remaining events left
   * @param latest the last offset
   * @param checkpointed whether the space was given back
   */
  public CompactReport {
    Objects.requireNonNull(latest, "latest");
  }
}
