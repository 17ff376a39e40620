package dev.gander.store;

import dev.gander.sqlite.SqliteInfo;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Store} reports about its database, read at the time of the call.
 *
 * @param backend {@value #SQLITE} or {@value #POSTGRESQL}
 * @param location where the database is, for people: the file's absolute path on SQLite; on
 *     PostgreSQL the JDBC URL without its query string or user information (so never a password),
 *     followed by the schema, as in {@code jdbc:postgresql://db:5432/app (schema gander)}
 * @param schemaVersion the Gander schema version recorded in the database
 * @param sizeOnDisk bytes used: on SQLite the database file and its {@code -wal} file; on
 *     PostgreSQL the total size of Gander's tables in its schema, with their indexes and TOAST
 *     ({@code pg_total_relation_size}), not counting the application's own tables
 * @param readOnly whether the store was opened read-only ({@code Store.openReadOnly}); always
 *     {@code false} on PostgreSQL
 * @param sqlite the facts only a SQLite file has (journal mode, page size); empty on PostgreSQL
 */
public record StoreInfo(
    String backend,
    String location,
    int schemaVersion,
    long sizeOnDisk,
    boolean readOnly,
    Optional<SqliteInfo> sqlite) {

  /** The {@link #backend()} of a store on a SQLite file. */
  public static final String SQLITE = "sqlite";

  /** The {@link #backend()} of a store on PostgreSQL. */
  public static final String POSTGRESQL = "postgresql";

  /**
   * Checks that nothing is null.
   *
   * @param backend the backend's name
   * @param location where the database is
   * @param schemaVersion the schema version
   * @param sizeOnDisk bytes used
   * @param readOnly whether the store cannot write
   * @param sqlite the SQLite facts, or empty
   */
  public StoreInfo {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(sqlite, "sqlite");
  }
}
