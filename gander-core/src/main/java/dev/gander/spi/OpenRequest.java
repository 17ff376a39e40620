package dev.gander.spi;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gander.WakeMode;
import dev.gander.store.StoreOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * What {@link dev.gander.Gander.Builder} was told, handed to the {@link GanderProvider} that opens
 * the database. Each backend reads what concerns it.
 *
 * @param path the SQLite file
 * @param storeOptions SQLite store settings
 * @param clock time for run times, leases and TTLs
 * @param mapper JSON for payloads and results
 * @param wakeMode how SQLite notices other processes' commits
 * @param url a PostgreSQL JDBC URL, pooled by Gander
 * @param dataSource the application's own PostgreSQL data source, which Gander does not close
 * @param schema the PostgreSQL schema Gander's tables live in
 */
public record OpenRequest(
    Optional<Path> path,
    StoreOptions storeOptions,
    Clock clock,
    ObjectMapper mapper,
    WakeMode wakeMode,
    Optional<String> url,
    Optional<DataSource> dataSource,
    String schema) {

  /**
   * Checks that nothing is null.
   *
   * @param path the SQLite file
   * @param storeOptions SQLite store settings
   * @param clock time
   * @param mapper JSON
   * @param wakeMode SQLite's wake mode
   * @param url a PostgreSQL URL
   * @param dataSource a PostgreSQL data source
   * @param schema the PostgreSQL schema
   */
  public OpenRequest {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(storeOptions, "storeOptions");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(mapper, "mapper");
    Objects.requireNonNull(wakeMode, "wakeMode");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(schema, "schema");
  }
}
