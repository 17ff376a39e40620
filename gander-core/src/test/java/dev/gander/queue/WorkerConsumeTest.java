package dev.gander.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.Gander;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code queue.consume(...)} for handlers without a result, and options-free {@code process}. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WorkerConsumeTest {
  @TempDir Path dir;

  record Email(String to) {}

  private final List<String> sent = new CopyOnWriteArrayList<>();

  private void send(Email email) {
    sent.add(email.to());
  }

  private void send(Job job) {
    send(job.payloadAs(Email.class));
  }

  @Test
  void theQueuesDocExampleCompilesAndRuns() throws Exception {
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue emails = gander.queue("emails");
      JobId id = emails.enqueue(new Email("alice@example.com"));
      // As in docs/queues.md:
      try (Worker worker =
          emails.consume(
              j -> send(j.payloadAs(Email.class)),
              WorkerOptions.builder().concurrency(8).build())) { // return = ack, throw = retry
        Await.until("sent", () -> worker.processed() == 1);
      }
      assertThat(sent).containsExactly("alice@example.com");
      assertThat(gander.results().get(id)).isEmpty(); // acked without a result
      assertThat(emails.stats().ready() + emails.stats().running()).isZero();
    }
  }

  @Test
  void consumeWithDefaultOptionsAcksRetriesAndDeadLetters() throws Exception {
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue q =
          gander.queue(
              "emails",
              QueueOptions.builder()
                  .maxAttempts(3)
                  .backoffBase(Duration.ofMillis(5))
                  .backoffCap(Duration.ofMillis(20))
                  .build());
      q.enqueue(new Email("alice@example.com"));
      q.enqueue(new Email("flaky@example.com"));
      JobId hopeless = q.enqueue(new Email("nobody@example.com"));
      try (Worker worker =
          q.consume(
              j -> {
                Email email = j.payloadAs(Email.class);
                if (email.to().startsWith("nobody")) {
                  throw new NonRetryableException("no such mailbox");
                }
                if (email.to().startsWith("flaky") && j.attempt() == 1) {
                  throw new java.io.IOException("connection reset");
                }
                send(j);
              })) {
        Await.until("all settled", () -> worker.processed() == 2 && q.stats().dead() == 1);
        assertThat(worker.failed()).isEqualTo(2);
      }
      assertThat(sent).containsExactlyInAnyOrder("alice@example.com", "flaky@example.com");
      DeadLetter dead = q.deadLetters(1).get(0);
      assertThat(dead.id()).isEqualTo(hopeless);
      assertThat(dead.lastError().orElseThrow())
          .startsWith("dev.gander.queue.NonRetryableException: no such mailbox");
    }
  }

  @Test
  void aMethodReferenceConsumesToo() throws Exception {
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue q = gander.queue("emails");
      q.enqueue(new Email("bob@example.com"));
      try (Worker worker = q.consume(this::send)) {
        Await.until("sent", () -> worker.processed() == 1);
      }
      assertThat(sent).containsExactly("bob@example.com");
    }
  }

  @Test
  void processWithoutOptionsUsesTheDefaultsAndStoresTheResult() throws Exception {
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue q = gander.queue("emails");
      JobId id = q.enqueue(new Email("carol@example.com"));
      try (Worker worker = q.process(j -> "sent to " + j.payloadAs(Email.class).to())) {
        Await.until("processed", () -> worker.processed() == 1);
        assertThat(worker.workerId()).endsWith("-emails");
      }
      assertThat(gander.results().get(id).map(r -> r.as(String.class)))
          .contains("sent to carol@example.com");
    }
  }
}
