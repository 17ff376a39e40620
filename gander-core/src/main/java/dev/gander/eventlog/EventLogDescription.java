package dev.gander.eventlog;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@link EventLog#describe()} reports, read at the time of the call.
 *
 * @param backend where the events are kept
 * @param location where that is, for people: the directory of the file backend, the SQLite file, or
 *     the PostgreSQL URL without its query string or user information (so never a password)
 *     followed by the schema; empty in memory
 * @param sizeOnDisk bytes used: the directory's files, the SQLite file with its WAL, or Gander's
 *     tables on PostgreSQL (which hold the queues' jobs too); empty in memory
 * @param queueDepth how many live events a subscriber of the memory and file backends buffers
 *     before it falls back to reading what the log retains; the database backends read from storage
 *     and do not use it
 */
public record EventLogDescription(
    EventLogBackend backend, Optional<String> location, OptionalLong sizeOnDisk, int queueDepth) {
  /**
   * Checks that nothing is null.
   *
   * @param backend where the events are kept
   * @param location where that is
   * @param sizeOnDisk bytes used
   * @param queueDepth the live buffer of a subscriber
   */
  public EventLogDescription {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(sizeOnDisk, "sizeOnDisk");
  }
}
