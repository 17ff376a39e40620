package dev.gander.postgres;

import dev.gander.Gander;
import dev.gander.internal.GanderImpl;
import dev.gander.internal.postgres.PgBackend;
import dev.gander.internal.postgres.PgConfig;
import dev.gander.internal.postgres.PgSchema;
import dev.gander.spi.GanderProvider;
import dev.gander.spi.OpenRequest;
import java.time.Clock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gander on PostgreSQL, as {@link GanderProvider} finds it: {@code Gander.builder().postgres(url)}
 * or {@code .postgres(dataSource)}, with {@code .schema(name)}. Given a URL, Gander makes a
 * HikariCP pool ({@code .poolSize(n)} connections, 10 unless set) and closes it on close; given the
 * application's {@link DataSource}, Gander borrows its connections and never closes it. Not for
 * applications: they open a Gander with {@link Gander#builder()}.
 */
public final class PostgresProvider implements GanderProvider {
  private static final Logger log = LoggerFactory.getLogger(PostgresProvider.class);

  /** For {@link java.util.ServiceLoader}. */
  public PostgresProvider() {}

  @Override
  public String kind() {
    return "postgres";
  }

  @Override
  public Gander open(OpenRequest request) {
    PgConfig config =
        new PgConfig(
            request.url().orElse(null),
            request.dataSource().orElse(null),
            PgSchema.of(request.schema()),
            request.poolSize().orElse(PgConfig.DEFAULT_POOL_SIZE),
            request.storeOptions().closeTimeout());
    if (!request.clock().equals(Clock.systemUTC())) {
      log.info(
          "Gander on PostgreSQL (schema {}) takes run times, leases and expiry from the server's"
              + " clock: the configured clock {} is not used",
          request.schema(),
          request.clock());
    }
    PgBackend backend = PgBackend.open(config);
    try {
      return new GanderImpl(backend, request);
    } catch (RuntimeException | Error e) {
      backend.close();
      throw e;
    }
  }
}
