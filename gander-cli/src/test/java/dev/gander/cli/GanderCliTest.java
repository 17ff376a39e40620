package dev.gander.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GanderCliTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return GanderCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void demoCreatesTheDatabaseAndDescribesIt() {
    Path db = dir.resolve("demo.db");

    assertThat(run("demo", "--db", db.toString(), "--jobs", "300")).isEqualTo(0);

    assertThat(Files.exists(db)).isTrue();
    assertThat(out.toString())
        .contains("Creating a new Gander database")
        .contains(db.toString())
        .containsPattern("schema version\\s+3")
        .containsPattern("journal mode\\s+wal")
        .containsPattern("synchronous\\s+normal")
        .containsPattern("page size\\s+4096 bytes")
        .contains("size on disk")
        .contains("Enqueued 300 jobs in one transaction")
        .contains("Processed 300 jobs")
        .contains(
            "job 7 failed on attempt 1 (SMTP 451), was retried after a backoff:"
                + " sent to user7@example.com")
        .contains("job 207 failed on attempt 1")
        .contains("Result of job 301: sent to ceo@example.com")
        .contains("Queue now: 0 ready, 0 scheduled, 0 running, 1 dead")
        .containsPattern("Dead letter: job 13 after 1 attempt\\(s\\), reason failed: .*does not exist");
  }

  @Test
  void infoDescribesAnExistingDatabaseReadOnly() {
    Path db = dir.resolve("app.db");
    assertThat(run("demo", "--db", db.toString(), "--jobs", "10")).isEqualTo(0);
    out.getBuffer().setLength(0);

    assertThat(run("info", db.toString())).isEqualTo(0);

    assertThat(out.toString()).containsPattern("opened\\s+read-only").contains(db.toString());
  }

  @Test
  void infoOnAFileThatIsNotADatabaseFailsWithAClearMessage() throws Exception {
    Path notDb = dir.resolve("notes.db");
    Files.writeString(notDb, "these are my notes, not a database\n".repeat(100));

    assertThat(run("info", notDb.toString())).isEqualTo(1);

    assertThat(err.toString()).contains("is not a SQLite database");
    assertThat(Files.readString(notDb)).startsWith("these are my notes");
  }
}
