package dev.gander.postgres;

import dev.gander.Gander;
import dev.gander.internal.contract.MultiProcessContract;
import dev.gander.internal.contract.QueueChild;
import dev.gander.internal.postgres.PgSchema;
import dev.gander.internal.postgres.PgTestServer;
import dev.gander.internal.postgres.RequiresPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Producers and workers in separate JVMs on one PostgreSQL schema, as on many machines: the
 * multi-process contract, with leases that run out by the server's clock.
 */
@RequiresPostgres
class PostgresMultiProcessTest extends MultiProcessContract {
  private static final PgSchema SCHEMA = PgTestServer.freshSchema(PostgresMultiProcessTest.class);

  @BeforeAll
  static void server() {
    PgTestServer.require();
  }

  @AfterAll
  static void drop() throws Exception {
    PgTestServer.dropSchema(SCHEMA);
  }

  @Override
  protected String target() {
    return QueueChild.postgres(PgTestServer.URL, SCHEMA.name());
  }

  @Override
  protected Gander open() {
    return PgTestServer.gander(SCHEMA);
  }

  @Override
  protected Connection connect() throws SQLException {
    return PgTestServer.connect();
  }

  @Override
  protected String table(String table) {
    return SCHEMA.quoted() + "." + table;
  }
}
