package dev.gander.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.Gander;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A clock stepped back (NTP, or an injected clock) never stops expired leases from recovery. */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClockStepBackTest {
  @TempDir Path dir;

  @Test
  void aLeaseTakenBeforeTheClockSteppedBackIsRecoveredWithinOneLease() throws Exception {
    HandClock clock = new HandClock();
    try (Gander gander = Gander.builder().path(dir.resolve("app.db")).clock(clock).open()) {
      Queue q =
          gander.queue(
              "jobs", QueueOptions.builder().visibilityTimeout(Duration.ofSeconds(5)).build());
      JobId id = q.enqueue("work");
      Job lost = q.claim("dies").orElseThrow(); // a worker that then dies without settling
      assertThat(lost.id()).isEqualTo(id);

      clock.advance(Duration.ofHours(-1)); // the clock steps back an hour
      // Move the (stepped-back) clock on a second at a time: the lease must come back after
      // about one lease length of it, not after the hour is made up.
      Optional<Job> again = Optional.empty();
      int seconds = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (again.isEmpty() && System.nanoTime() < deadline) {
        clock.advance(Duration.ofSeconds(1));
        seconds++;
        again = q.poll("rescuer", Duration.ofMillis(300));
      }
      assertThat(again).map(Job::id).contains(id);
      assertThat(seconds).isLessThan(600);
      assertThat(again.get().attempt()).isEqualTo(2);
    }
  }

  @Test
  void aLiveWorkerKeepsItsLeaseThroughAStepBack() {
    HandClock clock = new HandClock();
    try (Gander gander = Gander.builder().path(dir.resolve("app.db")).clock(clock).open()) {
      Queue q =
          gander.queue(
              "jobs", QueueOptions.builder().visibilityTimeout(Duration.ofSeconds(30)).build());
      q.enqueue("work");
      Job job = q.claim("alive").orElseThrow();
      clock.advance(Duration.ofHours(-1));
      clock.advance(Duration.ofSeconds(10));
      job.heartbeat(Duration.ofSeconds(30));
      clock.advance(Duration.ofSeconds(20));
      assertThat(q.claim("thief")).isEmpty();
      job.ack();
    }
  }
}
