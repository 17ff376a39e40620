package dev.gander.postgres;

import dev.gander.Gander;
import dev.gander.internal.contract.ClosedRuleContract;
import dev.gander.internal.postgres.PgSchema;
import dev.gander.internal.postgres.PgTestServer;
import dev.gander.internal.postgres.RequiresPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The closed rule on PostgreSQL: after close, every public method throws GanderClosed. */
@RequiresPostgres
class PostgresClosedRuleTest extends ClosedRuleContract {
  private static final PgSchema SCHEMA = PgTestServer.freshSchema(PostgresClosedRuleTest.class);

  @BeforeAll
  static void server() {
    PgTestServer.require();
  }

  @AfterAll
  static void drop() throws Exception {
    PgTestServer.dropSchema(SCHEMA);
  }

  @Override
  protected Gander open() {
    return PgTestServer.gander(SCHEMA);
  }
}
