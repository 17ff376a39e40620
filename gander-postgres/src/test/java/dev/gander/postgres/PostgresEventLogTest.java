package dev.gander.postgres;

import dev.gander.Gander;
import dev.gander.eventlog.EventLog;
import dev.gander.eventlog.EventLogBackend;
import dev.gander.eventlog.EventLogConfig;
import dev.gander.internal.contract.EventLogContract;
import dev.gander.internal.postgres.PgSchema;
import dev.gander.internal.postgres.PgTestServer;
import dev.gander.internal.postgres.RequiresPostgres;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The event log's contract on PostgreSQL, opened from a configuration as an application would
 * ({@code EventLog.open} finds this module's backend through {@code Gander.builder().postgres}), in
 * a schema of this class's own, dropped after. Reopening is a new Gander on the same schema.
 */
@RequiresPostgres
class PostgresEventLogTest extends EventLogContract {
  private static final PgSchema SCHEMA = PgTestServer.freshSchema(PostgresEventLogTest.class);

  @BeforeAll
  static void require() {
    PgTestServer.require();
  }

  @AfterAll
  static void drop() throws Exception {
    PgTestServer.dropSchema(SCHEMA);
  }

  @Override
  protected EventLog open() {
    return EventLog.open(
        EventLogConfig.builder()
            .backend(EventLogBackend.POSTGRES)
            .postgresUrl(PgTestServer.URL)
            .postgresSchema(SCHEMA.name())
            .build());
  }

  @Override
  protected EventLogBackend backend() {
    return EventLogBackend.POSTGRES;
  }

  @Override
  protected Optional<Gander> openGander() {
    return Optional.of(PgTestServer.gander(SCHEMA));
  }
}
