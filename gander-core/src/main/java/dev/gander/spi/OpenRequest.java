package dev.gander.spi;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gander.sqlite.SqliteOptions;
import dev.gander.store.StoreOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import javax.sql.DataSource;

/**
 * What {@link dev.gander.Gander.Builder} was told, handed to the {@link GanderProvider} that opens
 * the database. Each backend reads what concerns it; the builder has already refused settings that
 * do not belong to the backend chosen.
 *
 * @param path the SQLite file
 * @param sqlite the SQLite file's settings (the defaults when none were given)
 * @param storeOptions settings of every backend
 * @param clock time for run times, leases and TTLs
 * @param mapper JSON for payloads and results
 * @param url a PostgreSQL JDBC URL, pooled by Gander
 * @param dataSource the application's own PostgreSQL data source, which Gander does not close
 * @param schema the PostgreSQL schema Gander's tables live in
 * @param poolSize the most connections of the pool Gander makes for {@code url}; empty for the
 *     backend's default
 */
public record OpenRequest(
    Optional<Path> path,
    SqliteOptions sqlite,
    StoreOptions storeOptions,
    Clock clock,
    ObjectMapper mapper,
    Optional<String> url,
    Optional<DataSource> dataSource,
    String schema,
    OptionalInt poolSize,
    Duration notificationRetention,
    Duration retentionPeriod) {

  /**
   * Checks that nothing is null.
   *
   * @param path the SQLite file
   * @param sqlite SQLite settings
   * @param storeOptions settings of every backend
   * @param clock time
   * @param mapper JSON
   * @param url a PostgreSQL URL
   * @param dataSource a PostgreSQL data source
   * @param schema the PostgreSQL schema
   * @param poolSize the size of Gander's PostgreSQL pool
   * @param notificationRetention how long pub/sub notifications are kept for slow listeners
   * @param retentionPeriod how often a consuming process applies the streams' retention rules
   */
  public OpenRequest {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(sqlite, "sqlite");
    Objects.requireNonNull(storeOptions, "storeOptions");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(mapper, "mapper");
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(poolSize, "poolSize");
    Objects.requireNonNull(notificationRetention, "notificationRetention");
    Objects.requireNonNull(retentionPeriod, "retentionPeriod");
  }
}
