package dev.gander.sqlite;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a store on a SQLite file reports about the file beyond {@link dev.gander.store.StoreInfo},
 * read from it at the time of the call: {@code store.info().sqlite()}.
 *
 * @param path the database file, absolute and normalised
 * @param journalMode SQLite's {@code PRAGMA journal_mode}, {@code wal} for every Gander database
 * @param synchronous the writer's {@code PRAGMA synchronous}, as configured
 * @param pageSize SQLite's {@code PRAGMA page_size} in bytes: the size the file was created with,
 *     which may differ from {@link SqliteOptions#pageSize()} for a file that existed before
 */
public record SqliteInfo(Path path, String journalMode, Synchronous synchronous, int pageSize) {
  /**
   * Checks that nothing is null.
   *
   * @param path the database file
   * @param journalMode the journal mode
   * @param synchronous the writer's setting
   * @param pageSize the page size in bytes
   */
  public SqliteInfo {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(journalMode, "journalMode");
    Objects.requireNonNull(synchronous, "synchronous");
  }
}
