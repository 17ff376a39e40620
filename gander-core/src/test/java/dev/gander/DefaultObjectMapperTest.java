package dev.gander;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.queue.Job;
import dev.gander.queue.Queue;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mapper a database uses when the application gives none handles java.time and Optional. */
class DefaultObjectMapperTest {
  @TempDir Path dir;

  record Reminder(Instant at, LocalDate day, Duration snooze, Optional<String> note) {}

  @Test
  void javaTimeAndOptionalFieldsRoundTripAndDatesAreStoredAsIsoStrings() {
    Reminder full =
        new Reminder(
            Instant.parse("2024-02-29T12:34:56.789Z"),
            LocalDate.of(2024, 2, 29),
            Duration.ofMinutes(90),
            Optional.of("call back"));
    Reminder empty =
        new Reminder(Instant.EPOCH, LocalDate.of(1999, 12, 31), Duration.ZERO, Optional.empty());

    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue q = gander.queue("reminders");
      q.enqueue(full);
      q.enqueue(empty);

      Job first = q.claim("w").orElseThrow();
      assertThat(first.payloadAs(Reminder.class)).isEqualTo(full);
      assertThat(first.payloadJson())
          .contains("\"at\":\"2024-02-29T12:34:56.789Z\"")
          .contains("\"day\":\"2024-02-29\"")
          .contains("\"snooze\":\"PT1H30M\"")
          .contains("\"note\":\"call back\"");
      Job second = q.claim("w").orElseThrow();
      assertThat(second.payloadAs(Reminder.class)).isEqualTo(empty);
      assertThat(second.payloadJson())
          .contains("\"at\":\"1970-01-01T00:00:00Z\"")
          .contains("\"note\":null");
    }
  }

  @Test
  void javaTimeResultsRoundTripToo() {
    Instant done = Instant.parse("2030-01-01T00:00:00Z");
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue q = gander.queue("jobs");
      q.enqueue("work");
      Job job = q.claim("w").orElseThrow();
      job.ack(done);

      assertThat(gander.results().get(job.id()).orElseThrow().as(Instant.class)).isEqualTo(done);
    }
  }
}
