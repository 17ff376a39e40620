package dev.gander.internal.postgres;

import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * How to reach PostgreSQL and where Gander's tables live: a JDBC URL (Gander makes a HikariCP pool
 * and closes it) or the application's own {@link DataSource} (used as it is, never closed by
 * Gander), a schema, the size of Gander's pool.
 *
 * @param url a {@code jdbc:postgresql:} URL, or {@code null} when a data source is given
 * @param dataSource the application's data source, or {@code null} when a URL is given
 * @param schema the schema holding Gander's tables
 * @param poolSize the most connections Gander's own pool opens (URL only)
 * @param closeTimeout how long closing waits for transactions in flight
 */
public record PgConfig(
    @Nullable String url,
    @Nullable DataSource dataSource,
    PgSchema schema,
    int poolSize,
    Duration closeTimeout) {
  /** Connections of Gander's own pool unless configured. */
  public static final int DEFAULT_POOL_SIZE = 10;

  /** Checks that exactly one of URL and data source is given and the numbers make sense. */
  public PgConfig {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(closeTimeout, "closeTimeout");
    if ((url == null) == (dataSource == null)) {
      throw new IllegalArgumentException("Give PostgreSQL either a JDBC URL or a DataSource");
    }
    if (url != null && !url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "Not a PostgreSQL JDBC URL: "
              + PgBackend.withoutCredentials(url)
              + " (expected jdbc:postgresql://host:port/database)");
    }
    if (poolSize < 1) {
      throw new IllegalArgumentException("poolSize must be at least 1, was " + poolSize);
    }
    if (closeTimeout.isNegative()) {
      throw new IllegalArgumentException("closeTimeout must not be negative: " + closeTimeout);
    }
  }

  /**
   * A configuration for a JDBC URL, with the default schema and pool size.
   *
   * @param url {@code jdbc:postgresql://host:port/database?user=...}
   * @return the configuration
   */
  public static PgConfig url(String url) {
    return new PgConfig(
        Objects.requireNonNull(url, "url"),
        null,
        PgSchema.of(PgSchema.DEFAULT),
        DEFAULT_POOL_SIZE,
        Duration.ofSeconds(10));
  }

  /**
   * A configuration for the application's data source, with the default schema.
   *
   * @param dataSource connections to PostgreSQL; Gander borrows and returns them, and keeps one for
   *     listening while it listens
   * @return the configuration
   */
  public static PgConfig dataSource(DataSource dataSource) {
    return new PgConfig(
        null,
        Objects.requireNonNull(dataSource, "dataSource"),
        PgSchema.of(PgSchema.DEFAULT),
        DEFAULT_POOL_SIZE,
        Duration.ofSeconds(10));
  }

  /**
   * This configuration with another schema.
   *
   * @param name the schema's name
   * @return a new configuration
   */
  public PgConfig withSchema(String name) {
    return new PgConfig(url, dataSource, PgSchema.of(name), poolSize, closeTimeout);
  }

  /**
   * This configuration with another pool size.
   *
   * @param size the most connections of Gander's pool
   * @return a new configuration
   */
  public PgConfig withPoolSize(int size) {
    return new PgConfig(url, dataSource, schema, size, closeTimeout);
  }
}
