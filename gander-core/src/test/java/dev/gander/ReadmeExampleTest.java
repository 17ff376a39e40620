package dev.gander;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.queue.JobId;
import dev.gander.queue.Queue;
import dev.gander.queue.Worker;
import dev.gander.queue.WorkerOptions;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the README's examples as written, so the README cannot drift from the API. */
class ReadmeExampleTest {
  @TempDir Path dir;

  record Email(String to) {}

  @Test
  void queueExampleProcessesTheJob() throws Exception {
    Path appDb = dir.resolve("app.db");
    // --- README "Using it", first example, verbatim but for the path and the wait ---
    Worker closed;
    try (Gander gander = Gander.open(appDb)) {
      Queue emails = gander.queue("emails");
      JobId id = emails.enqueue(new Email("alice@example.com"));

      try (Worker worker =
          emails.process(
              job -> {
                Email email = job.payloadAs(Email.class);
                return "sent to " + email.to(); // return = ack (and result)
              },
              WorkerOptions.builder().concurrency(4).build())) { // throw = retry with backoff
        // --- end of README example ---
        assertThat(gander.results().await(id, Duration.ofSeconds(30)))
            .hasValueSatisfying(
                r -> assertThat(r.as(String.class)).isEqualTo("sent to alice@example.com"));
        closed = worker;
      }
      // After close: the worker counts a job once its ack returned, a moment after the commit
      // that woke the await above; close waits for that.
      assertThat(closed.processed()).isEqualTo(1);
      assertThat(emails.stats().ready()).isZero();
    }
  }

  @Test
  void transactionExampleCommitsOrderAndJobTogether() throws Exception {
    Path appDb = dir.resolve("app.db");
    try (Gander setup = Gander.open(appDb)) {
      setup
          .store()
          .write(c -> c.createStatement().executeUpdate("CREATE TABLE orders (id, total)"));
    }

    long counted;
    long queued;
    // --- README "Using it", second example, verbatim but for the path ---
    try (Gander gander = Gander.open(appDb)) { // creates the file and its schema
      Queue emails = gander.queue("emails");
      gander.inTransaction(
          tx -> { // BEGIN IMMEDIATE ... COMMIT
            try (PreparedStatement ps =
                tx.connection().prepareStatement("INSERT INTO orders (id, total) VALUES (?, ?)")) {
              ps.setLong(1, 42);
              ps.setLong(2, 9_900);
              ps.executeUpdate();
            }
            emails.enqueue(tx, new Email("alice@example.com")); // visible only after the commit
          }); // throw inside to roll back

      long orders =
          gander
              .store()
              .read(
                  c -> { // a read-only connection, one snapshot
                    try (ResultSet rs =
                        c.createStatement().executeQuery("SELECT count(*) FROM orders")) {
                      rs.next();
                      return rs.getLong(1);
                    }
                  });
      // --- end of README example ---
      counted = orders;
      queued = emails.stats().ready();
    }
    assertThat(counted).isEqualTo(1);
    assertThat(queued).isEqualTo(1);
  }
}
