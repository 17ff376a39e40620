package dev.gander.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.Gander;
import dev.gander.queue.Job;
import dev.gander.queue.JobId;
import dev.gander.queue.JobState;
import dev.gander.queue.Queue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file written by an earlier schema version is upgraded in place and keeps its data. */
class SchemaUpgradeTest {
  @TempDir Path dir;

  private static String script(String name) throws IOException {
    try (InputStream in =
        SchemaUpgradeTest.class.getResourceAsStream(
            "/dev/gander/internal/sqlite/migrations/" + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Runs a migration script as the application of that version would have. */
  private static void run(Statement st, String script) throws Exception {
    StringBuilder sql = new StringBuilder();
    for (String line : script.split("\n")) {
      if (line.strip().startsWith("--")) {
        continue;
      }
      sql.append(line).append('\n');
      if (line.strip().endsWith(";")) {
        st.execute(sql.toString());
        sql.setLength(0);
      }
    }
  }

  @Test
  void aVersionTwoFileIsUpgradedAndKeepsItsJobsAndResults() throws Exception {
    Path file = dir.resolve("old.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode=WAL");
      run(st, script("0001_meta.sql"));
      run(st, script("0002_queues.sql"));
      st.execute("INSERT INTO gander_meta (key, value) VALUES ('schema_version', '2')");
      st.execute(
          "INSERT INTO gander_migrations (version, name, applied_at) VALUES (1, 'meta', 0),"
              + " (2, 'queues', 0)");
      st.execute(
          "INSERT INTO gander_jobs (queue, payload, run_at, state, max_attempts, enqueued_at)"
              + " VALUES ('emails', '\"hello\"', 0, 0, 3, 0)");
      st.execute(
          "INSERT INTO gander_results (job_id, value, expires_at)"
              + " VALUES (777, '\"kept\"', 9000000000000)");
    }

    try (Gander gander = Gander.open(file)) {
      assertThat(gander.store().info().schemaVersion()).isGreaterThanOrEqualTo(3);
      assertThat(gander.results().get(JobId.of(777)).map(r -> r.as(String.class))).contains("kept");
      assertThat(gander.results().info(JobId.of(777)).state()).isEqualTo(JobState.SUCCEEDED);
      Queue emails = gander.queue("emails");
      Job job = emails.claim("w").orElseThrow();
      assertThat(job.payloadAs(String.class)).isEqualTo("hello");
      job.ack("done");
      assertThat(gander.results().get(job.id()).map(r -> r.as(String.class))).contains("done");
      long migrations =
          gander
              .store()
              .read(
                  c -> {
                    try (ResultSet rs =
                        c.createStatement()
                            .executeQuery("SELECT count(*) FROM gander_migrations")) {
                      rs.next();
                      return rs.getLong(1);
                    }
                  });
      assertThat(migrations).isEqualTo(gander.store().info().schemaVersion());
      // And the streams of version 4 work on the upgraded file.
      assertThat(gander.stream("after-upgrade").publish("k", 1)).isEqualTo(1);
    }
  }
}
