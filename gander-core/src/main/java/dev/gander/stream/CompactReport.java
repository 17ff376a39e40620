package dev.gander.stream;

/**
 * What a compaction did.
 *
 * @param removed events deleted
 * @param remaining events left in the stream
 * @param latest the stream's last offset (compaction never changes it: offsets are not reused)
 * @param checkpointed whether the storage freed was given back at once (SQLite: its WAL was copied
 *     into the database file and emptied; always false on PostgreSQL, where VACUUM does that)
 */
public record CompactReport(long removed, long remaining, long latest, boolean checkpointed) {}
