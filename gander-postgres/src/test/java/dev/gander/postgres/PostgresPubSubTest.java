package dev.gander.postgres;

import dev.gander.Gander;
import dev.gander.internal.contract.PubSubContract;
import dev.gander.internal.postgres.PgSchema;
import dev.gander.internal.postgres.PgTestServer;
import dev.gander.internal.postgres.RequiresPostgres;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Pub/sub's contract on PostgreSQL: a second instance is a second Gander on the same schema, as
 * another machine would open it.
 */
@RequiresPostgres
class PostgresPubSubTest extends PubSubContract {
  private static final PgSchema SCHEMA = PgTestServer.freshSchema(PostgresPubSubTest.class);
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
  protected Gander openAnother(Duration notificationRetention) {
    return Gander.builder()
        .postgres(PgTestServer.URL)
        .schema(SCHEMA.name())
        .notificationRetention(notificationRetention)
        .open();
  }

  @Override
  protected String eventsTable() {
    return SCHEMA.sql("{schema}.gander_events");
  }
}
