package dev.gander.postgres;

import dev.gander.Gander;
import dev.gander.internal.contract.ScheduleContract;
import dev.gander.internal.postgres.PgSchema;
import dev.gander.internal.postgres.PgTestServer;
import dev.gander.internal.postgres.RequiresPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The scheduler on PostgreSQL, through {@code Gander.builder().postgres(url)}: a second instance is
 * a second Gander on the same schema, as another machine would open it, and ticks are read against
 * the server's clock.
 */
@RequiresPostgres
class PostgresScheduleTest extends ScheduleContract {
  private static final PgSchema SCHEMA = PgTestServer.freshSchema(PostgresScheduleTest.class);
  private static Gander gander;

  @BeforeAll
  static void open() {
    PgTestServer.require();
    gander = PgTestServer.gander(SCHEMA);
  }

  @AfterAll
  static void close() throws Exception {
    if (gander != null) {
      gander.close();
    }
    PgTestServer.dropSchema(SCHEMA);
  }

  @Override
  protected Gander gander() {
    return gander;
  }

  @Override
  protected Gander openAnother() {
    return PgTestServer.gander(SCHEMA);
  }

  @Override
  protected String table(String table) {
    return SCHEMA.quoted() + "." + table;
  }
}
