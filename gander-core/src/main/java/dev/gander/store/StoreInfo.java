package dev.gander.store;

import java.nio.file.Path;

/**
 * What a {@link Store} reports about its database file, read from the file at the time of the call.
 *
 * @param path the database file
 * @param schemaVersion the Gander schema version recorded in the file
 * @param journalMode SQLite's {@code PRAGMA journal_mode}, {@code wal} for every Gander database
 * @param synchronous the writer's {@code PRAGMA synchronous}
 * @param pageSize SQLite's {@code PRAGMA page_size} in bytes
 * @param sizeOnDisk bytes used by the database file and its {@code -wal} file
 * @param readOnly whether the store was opened read-only
 */
public record StoreInfo(
    Path path,
    int schemaVersion,
    String journalMode,
    Synchronous synchronous,
    int pageSize,
    long sizeOnDisk,
    boolean readOnly) {}
