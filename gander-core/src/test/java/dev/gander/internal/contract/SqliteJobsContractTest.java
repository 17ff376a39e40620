package dev.gander.internal.contract;

import dev.gander.internal.spi.JobOps;
import dev.gander.internal.spi.TxRunner;
import dev.gander.internal.sqlite.SqliteJobs;
import dev.gander.internal.sqlite.SqliteStore;
import dev.gander.sqlite.SqliteOptions;
import dev.gander.store.StoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The job operations' contract on SQLite: the same suite as PostgreSQL's. */
class SqliteJobsContractTest extends JobOpsContract {
  private static Path dir;
  private static SqliteStore store;
  private static final SqliteJobs JOBS = new SqliteJobs();

  @BeforeAll
  static void open() throws Exception {
    dir = Files.createTempDirectory("gander-contract-");
    store =
        SqliteStore.open(
            dir.resolve("contract.db"), SqliteOptions.defaults(), StoreOptions.defaults(), false);
  }

  @AfterAll
  static void close() throws Exception {
    store.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Override
  protected Subject subject() {
    return new Subject() {
      @Override
      public TxRunner runner() {
        return store;
      }

      @Override
      public JobOps jobs() {
        return JOBS;
      }

      @Override
      public void clear() {
        store.runWrite(
            tx -> {
              try (Statement st = tx.connection().createStatement()) {
                st.execute("DELETE FROM gander_jobs");
                st.execute("DELETE FROM gander_dead_jobs");
                st.execute("DELETE FROM gander_results");
              }
              return null;
            });
      }
    };
  }
}
