package dev.gander.internal.postgres;

import dev.gander.internal.contract.JobOpsContract;
import dev.gander.internal.spi.JobOps;
import dev.gander.internal.spi.TxRunner;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The job operations' contract on PostgreSQL. */
@RequiresPostgres
class PgJobsContractTest extends JobOpsContract {
  private static final PgSchema SCHEMA = PgTestServer.freshSchema(PgJobsContractTest.class);
  private static PgBackend backend;

  @BeforeAll
  static void open() {
    PgTestServer.require();
    backend = PgTestServer.open(SCHEMA);
  }

  @AfterAll
  static void close() throws Exception {
    if (backend != null) {
      backend.close();
    }
    PgTestServer.dropSchema(SCHEMA);
  }

  @Override
  protected Subject subject() {
    return new Subject() {
      @Override
      public TxRunner runner() {
        return backend.runner();
      }

      @Override
      public JobOps jobs() {
        return backend.jobs();
      }

      @Override
      public void clear() {
        backend
            .runner()
            .runWrite(
                tx -> {
                  try (Statement st = tx.connection().createStatement()) {
                    st.execute(
                        SCHEMA.sql(
                            "TRUNCATE {schema}.gander_jobs, {schema}.gander_dead_jobs,"
                                + " {schema}.gander_results"));
                  }
                  return null;
                });
      }
    };
  }
}
