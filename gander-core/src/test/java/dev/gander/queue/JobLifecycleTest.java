package dev.gander.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.gander.Gander;
import dev.gander.InvalidNameException;
import dev.gander.LeaseLostException;
import dev.gander.PayloadCodecException;
import dev.gander.PayloadTooLargeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Enqueue, claim order, leases, retries, dead letters and statistics, on a hand-moved clock. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JobLifecycleTest {
  @TempDir Path dir;
  HandClock clock;
  Gander gander;

  record Email(String to, int n) {}

  @BeforeEach
  void open() {
    clock = new HandClock();
    gander = Gander.builder().path(dir.resolve("app.db")).clock(clock).open();
  }

  @AfterEach
  void close() {
    gander.close();
  }

  private Queue queue(QueueOptions.Builder options) {
    return gander.queue("jobs", options.build());
  }

  // ------------------------------------------------------------------------ enqueue and payloads

  @Test
  void payloadsRoundTripThroughJackson() {
    Queue q = gander.queue("jobs");
    q.enqueue(new Email("alice@example.com", 1));
    q.enqueue(Map.of("count", 3));
    q.enqueue(RawJson.of("{\"raw\": [1, 2]}"));
    q.enqueue(null);

    Job record = q.claim("w").orElseThrow();
    assertThat(record.payloadAs(Email.class)).isEqualTo(new Email("alice@example.com", 1));
    Job map = q.claim("w").orElseThrow();
    assertThat(map.payloadAs(new TypeReference<Map<String, Integer>>() {}))
        .containsEntry("count", 3);
    Job raw = q.claim("w").orElseThrow();
    assertThat(raw.payloadAs(new TypeReference<Map<String, List<Integer>>>() {}))
        .containsEntry("raw", List.of(1, 2));
    Job none = q.claim("w").orElseThrow();
    assertThat(none.payloadAs(Email.class)).isNull();
    assertThat(none.payloadJson()).isEqualTo("null");
  }

  @Test
  void aPayloadOverTheLimitIsRefusedBeforeAnythingIsWritten() {
    Queue q = queue(QueueOptions.builder().maxPayloadBytes(100));
    String big = "x".repeat(200);
    assertThatThrownBy(() -> q.enqueue(big))
        .isInstanceOf(PayloadTooLargeException.class)
        .hasMessageContaining("100");
    assertThatThrownBy(() -> q.enqueueAll(List.of("small", big)))
        .isInstanceOf(PayloadTooLargeException.class);
    assertThat(q.stats().ready()).isZero();
  }

  /** Jackson cannot serialise this: its getter throws. */
  static final class Unserialisable {
    public String getValue() {
      throw new IllegalStateException("no value");
    }
  }

  @Test
  void aValueJacksonCannotSerialiseOrMalformedRawJsonIsRefused() {
    Queue q = gander.queue("jobs");
    assertThatThrownBy(() -> q.enqueue(new Unserialisable()))
        .isInstanceOf(PayloadCodecException.class);
    assertThatThrownBy(() -> q.enqueue(RawJson.of("{not json")))
        .isInstanceOf(PayloadCodecException.class);
    assertThatThrownBy(() -> q.enqueueAll(List.of("fine", new Unserialisable())))
        .isInstanceOf(PayloadCodecException.class);
    assertThat(q.stats().ready()).isZero();
  }

  @Test
  void aPayloadOfTheWrongShapeFailsToDecodeWithACodecError() {
    Queue q = gander.queue("jobs");
    q.enqueue("just a string");
    Job job = q.claim("w").orElseThrow();
    assertThatThrownBy(() -> job.payloadAs(Email.class)).isInstanceOf(PayloadCodecException.class);
  }

  @Test
  void invalidQueueNamesAreRefusedWithTheRule() {
    for (String name : new String[] {"", "has space", "-leading", "x".repeat(129), "a/b"}) {
      assertThatThrownBy(() -> gander.queue(name))
          .as("queue name '%s'", name)
          .isInstanceOf(InvalidNameException.class)
          .hasMessageContaining("1 to 128 letters");
    }
    assertThat(gander.queue("emails.v2:high-priority_1").name())
        .isEqualTo("emails.v2:high-priority_1");
  }

  // ------------------------------------------------------------------------------- claim order

  @Test
  void claimsGoByPriorityThenRunTimeThenEnqueueOrder() {
    Queue q = gander.queue("jobs");
    JobId low1 = q.enqueue("low1");
    clock.advance(Duration.ofMillis(5));
    JobId high = q.enqueue("high", EnqueueOptions.builder().priority(10).build());
    JobId low2 = q.enqueue("low2");
    JobId earlierRunAt =
        q.enqueue("past", EnqueueOptions.builder().runAt(clock.instant().minusSeconds(60)).build());
    JobId negative = q.enqueue("negative", EnqueueOptions.builder().priority(-1).build());

    List<JobId> order = new ArrayList<>();
    for (Optional<Job> j = q.claim("w"); j.isPresent(); j = q.claim("w")) {
      order.add(j.get().id());
    }
    assertThat(order).containsExactly(high, earlierRunAt, low1, low2, negative);
  }

  @Test
  void batchClaimsReturnJobsInClaimOrderUpToTheLimit() {
    Queue q = gander.queue("jobs");
    List<JobId> ids = q.enqueueAll(List.of(1, 2, 3, 4, 5));
    JobId urgent = q.enqueue(0, EnqueueOptions.builder().priority(5).build());
    List<Job> first = q.claim("w", 4);
    assertThat(first)
        .extracting(Job::id)
        .containsExactly(urgent, ids.get(0), ids.get(1), ids.get(2));
    assertThat(q.claim("w", 10)).extracting(Job::id).containsExactly(ids.get(3), ids.get(4));
    assertThat(q.claim("w", 10)).isEmpty();
  }

  @Test
  void delayedJobsAreNotClaimableBeforeTheirTime() {
    Queue q = gander.queue("jobs");
    JobId later =
        q.enqueue("later", EnqueueOptions.builder().delay(Duration.ofSeconds(30)).build());
    JobId at =
        q.enqueue("at", EnqueueOptions.builder().runAt(clock.instant().plusSeconds(10)).build());
    assertThat(q.claim("w")).isEmpty();
    assertThat(q.stats().scheduled()).isEqualTo(2);

    clock.advance(Duration.ofSeconds(10));
    assertThat(q.claim("w").map(Job::id)).contains(at);
    assertThat(q.claim("w")).isEmpty();
    clock.advance(Duration.ofSeconds(20));
    assertThat(q.claim("w").map(Job::id)).contains(later);
  }

  // ------------------------------------------------------------------------------- unique keys

  @Test
  void aUniqueKeyReturnsTheLiveJobAndWritesNothingUntilItIsFinished() {
    Queue q = gander.queue("jobs");
    EnqueueOptions key = EnqueueOptions.builder().uniqueKey("order-42").build();
    JobId first = q.enqueue("a", key);
    assertThat(q.enqueue("b", key)).isEqualTo(first);
    assertThat(q.stats().ready()).isEqualTo(1);

    Job running = q.claim("w").orElseThrow();
    assertThat(running.payloadAs(String.class)).isEqualTo("a");
    assertThat(q.enqueue("c", key)).as("while running").isEqualTo(first);
    assertThat(q.stats().running() + q.stats().ready()).isEqualTo(1);

    running.ack();
    JobId second = q.enqueue("d", key);
    assertThat(second).isNotEqualTo(first);
    assertThat(gander.queue("other").enqueue("e", key)).as("other queue").isNotEqualTo(second);
  }

  // ------------------------------------------------------------------------------------ expiry

  @Test
  void anExpiredJobIsNeverHandedOutAndIsDeadLetteredAsExpired() {
    Queue q = gander.queue("jobs");
    JobId id =
        q.enqueue("stale", EnqueueOptions.builder().expiresIn(Duration.ofSeconds(5)).build());
    clock.advance(Duration.ofSeconds(6));
    assertThat(q.claim("w")).isEmpty(); // also starts the sweeper
    Await.until("expired job dead-lettered", () -> q.stats().dead() == 1);
    DeadLetter dead = q.deadLetters(10).get(0);
    assertThat(dead.id()).isEqualTo(id);
    assertThat(dead.reason()).isEqualTo("expired");
    assertThat(dead.attempts()).isZero();
  }

  // ------------------------------------------------------------------------------------ leases

  @Test
  void anExpiredLeaseMakesTheJobClaimableAgainAndTheLateWorkerIsFencedOff() {
    Queue q = queue(QueueOptions.builder().visibilityTimeout(Duration.ofSeconds(10)));
    JobId id = q.enqueue("work");
    Job slow = q.claim("slow").orElseThrow();
    assertThat(slow.attempt()).isEqualTo(1);
    assertThat(slow.leaseExpiresAt()).isEqualTo(clock.instant().plusSeconds(10));

    clock.advance(Duration.ofSeconds(11));
    Job[] again = new Job[1];
    Await.until(
        "lease expiry makes the job claimable",
        () -> (again[0] = q.claim("fast").orElse(null)) != null);
    assertThat(again[0].id()).isEqualTo(id);
    assertThat(again[0].attempt()).isEqualTo(2);
    assertThat(again[0].fencingToken()).isGreaterThan(slow.fencingToken());

    assertThatThrownBy(slow::ack)
        .isInstanceOf(LeaseLostException.class)
        .hasMessageContaining(id.toString());
    assertThatThrownBy(() -> slow.ack("result")).isInstanceOf(LeaseLostException.class);
    assertThatThrownBy(() -> slow.retry(Duration.ZERO, "late"))
        .isInstanceOf(LeaseLostException.class);
    assertThatThrownBy(() -> slow.fail("late")).isInstanceOf(LeaseLostException.class);
    assertThatThrownBy(() -> slow.heartbeat(Duration.ofSeconds(5)))
        .isInstanceOf(LeaseLostException.class);
    // None of that changed anything: the job is still the new holder's.
    assertThat(q.stats().running()).isEqualTo(1);
    assertThat(q.stats().dead()).isZero();
    assertThat(gander.results().get(id)).isEmpty();
    again[0].ack("done");
    assertThat(gander.results().get(id).map(r -> r.as(String.class))).contains("done");
  }

  @Test
  void aHeartbeatKeepsTheLeaseWhileAnUnheartbeatedNeighbourLosesIt() {
    Queue q = queue(QueueOptions.builder().visibilityTimeout(Duration.ofSeconds(10)));
    JobId keptId = q.enqueue("kept");
    JobId lostId = q.enqueue("lost");
    Job kept = q.claim("w").orElseThrow();
    Job lost = q.claim("w").orElseThrow();
    assertThat(kept.id()).isEqualTo(keptId);
    clock.advance(Duration.ofSeconds(8));
    kept.heartbeat(Duration.ofSeconds(10));
    assertThat(kept.leaseExpiresAt()).isEqualTo(clock.instant().plusSeconds(10));
    clock.advance(Duration.ofSeconds(8)); // 16 s after the claims
    // Once the sweeper has returned the neighbour, it has seen this clock too.
    Await.until("neighbour's lease expired", () -> q.stats().ready() == 1);
    assertThat(q.claim("other").map(Job::id)).contains(lostId);
    kept.ack();
    assertThatThrownBy(lost::ack).isInstanceOf(LeaseLostException.class);
  }

  @Test
  void whenTheLastAttemptsLeaseRunsOutTheSweeperDeadLettersTheJob() {
    Queue q =
        queue(QueueOptions.builder().visibilityTimeout(Duration.ofSeconds(10)).maxAttempts(1));
    JobId id = q.enqueue("doomed");
    q.claim("crashed").orElseThrow(); // and never heard of again
    clock.advance(Duration.ofSeconds(11));
    Await.until("lease-expired dead letter", () -> q.stats().dead() == 1);
    DeadLetter dead = q.deadLetters(10).get(0);
    assertThat(dead.id()).isEqualTo(id);
    assertThat(dead.reason()).isEqualTo("lease-expired");
    assertThat(dead.attempts()).isEqualTo(1);
    assertThat(q.stats().running()).isZero();
  }

  @Test
  void aConsumerWhoseClockIsBehindTheProducersStillGetsReadyWork() {
    // Two handles on one file, as two processes would be; the consumer's clock is an hour behind.
    // Whether a job is ready is decided once, by the producer's clock, at enqueue.
    HandClock behind = new HandClock();
    behind.advance(Duration.ofHours(-1));
    try (Gander consumer = Gander.builder().path(dir.resolve("app.db")).clock(behind).open()) {
      JobId id = gander.queue("jobs").enqueue("made by the producer");
      assertThat(consumer.queue("jobs").claim("w").map(Job::id)).contains(id);
    }
  }

  // --------------------------------------------------------------- retries and dead letters

  @Test
  void retryRecordsTheErrorAndRunsTheJobAgainAfterTheDelay() {
    Queue q = gander.queue("jobs");
    JobId id = q.enqueue("flaky");
    q.claim("w").orElseThrow().retry(Duration.ofSeconds(5), "SMTP 451");
    assertThat(q.stats().scheduled()).isEqualTo(1);
    assertThat(q.claim("w")).isEmpty();
    clock.advance(Duration.ofSeconds(5));
    Job second = q.claim("w").orElseThrow();
    assertThat(second.id()).isEqualTo(id);
    assertThat(second.attempt()).isEqualTo(2);
    assertThat(second.lastError()).contains("SMTP 451");
    second.ack();
    assertThat(q.stats()).isEqualTo(new QueueStats(0, 0, 0, 0, Duration.ZERO));
  }

  @Test
  void afterMaxAttemptsTheJobIsDeadWithItsLastErrorAndCanBeRequeuedOrPurged() {
    Queue q = gander.queue("jobs");
    JobId id =
        q.enqueue(new Email("bob@example.com", 7), EnqueueOptions.builder().maxAttempts(2).build());
    Job first = q.claim("w").orElseThrow();
    assertThat(first.maxAttempts()).isEqualTo(2);
    first.retry(Duration.ZERO, "first failure");
    q.claim("w").orElseThrow().retry(Duration.ZERO, "second failure");

    assertThat(q.claim("w")).isEmpty();
    List<DeadLetter> dead = q.deadLetters(10);
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).id()).isEqualTo(id);
    assertThat(dead.get(0).reason()).isEqualTo("failed");
    assertThat(dead.get(0).attempts()).isEqualTo(2);
    assertThat(dead.get(0).lastError()).contains("second failure");
    assertThat(dead.get(0).payloadJson()).contains("bob@example.com");

    assertThat(q.requeueDead(id)).isTrue();
    assertThat(q.requeueDead(id)).as("already requeued").isFalse();
    Job revived = q.claim("w").orElseThrow();
    assertThat(revived.id()).isEqualTo(id);
    assertThat(revived.attempt()).as("a new attempt budget").isEqualTo(1);
    assertThat(revived.payloadAs(Email.class)).isEqualTo(new Email("bob@example.com", 7));
    revived.fail("bad address");
    assertThat(q.deadLetters(10))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.reason()).isEqualTo("failed");
              assertThat(d.attempts()).isEqualTo(1);
              assertThat(d.lastError()).contains("bad address");
            });

    assertThat(q.purgeDead(id)).isTrue();
    assertThat(q.purgeDead(id)).isFalse();
    assertThat(q.stats().dead()).isZero();
  }

  @Test
  void requeueAllAndPurgeAllWorkOnEveryDeadLetterOfTheQueueOnly() {
    Queue q = gander.queue("jobs");
    Queue other = gander.queue("other");
    q.enqueueAll(List.of(1, 2, 3));
    other.enqueue(4);
    for (Job j : q.claim("w", 3)) {
      j.fail("no");
    }
    other.claim("w").orElseThrow().fail("no");
    assertThat(q.requeueAllDead()).isEqualTo(3);
    assertThat(q.stats().ready()).isEqualTo(3);
    for (Job j : q.claim("w", 3)) {
      j.fail("again");
    }
    assertThat(q.purgeAllDead()).isEqualTo(3);
    assertThat(q.stats().dead()).isZero();
    assertThat(other.stats().dead()).isEqualTo(1);
  }

  @Test
  void aSettledJobCannotBeSettledAgain() {
    Queue q = gander.queue("jobs");
    q.enqueue("once");
    Job job = q.claim("w").orElseThrow();
    job.ack();
    assertThat(job.isSettled()).isTrue();
    assertThatThrownBy(job::ack).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> job.retry(Duration.ZERO, "x"))
        .isInstanceOf(IllegalStateException.class);
  }

  // ---------------------------------------------------------------------------- transactions

  @Test
  void aTransactionalEnqueueIsVisibleAfterCommitAndGoneOnRollback() {
    Queue q = gander.queue("jobs");
    gander.inTransaction(tx -> q.enqueue(tx, "committed"));
    assertThat(q.stats().ready()).isEqualTo(1);

    RuntimeException boom = new IllegalStateException("business rule failed");
    assertThatThrownBy(
            () ->
                gander.inTransaction(
                    tx -> {
                      q.enqueue(tx, "rolled back");
                      q.enqueue(tx, "also", EnqueueOptions.builder().priority(3).build());
                      throw boom;
                    }))
        .isSameAs(boom);
    assertThat(q.stats().ready()).isEqualTo(1);
    assertThat(q.claim("w").orElseThrow().payloadAs(String.class)).isEqualTo("committed");
  }

  // ----------------------------------------------------------------------------------- results

  @Test
  void resultsAreStoredWithTheAckAndExpireAfterTheTtl() {
    Queue q = queue(QueueOptions.builder().resultTtl(Duration.ofMinutes(1)));
    JobId withResult = q.enqueue("a");
    JobId without = q.enqueue("b");
    q.claim("w").orElseThrow().ack(new Email("carol@example.com", 3));
    q.claim("w").orElseThrow().ack();

    JobResult r = gander.results().get(withResult).orElseThrow();
    assertThat(r.jobId()).isEqualTo(withResult);
    assertThat(r.as(Email.class)).isEqualTo(new Email("carol@example.com", 3));
    assertThat(r.json()).contains("carol@example.com");
    assertThat(gander.results().get(without)).isEmpty();

    clock.advance(Duration.ofMinutes(2));
    Await.until("result purged", () -> gander.results().get(withResult).isEmpty());
  }

  // ------------------------------------------------------------------------------------- stats

  @Test
  void statsCountEachStateAndTheOldestReadyAge() {
    Queue q = gander.queue("jobs");
    assertThat(q.stats()).isEqualTo(new QueueStats(0, 0, 0, 0, Duration.ZERO));
    q.enqueueAll(List.of(1, 2, 3, 4));
    q.enqueue(5, EnqueueOptions.builder().delay(Duration.ofHours(1)).build());
    clock.advance(Duration.ofSeconds(5));
    q.enqueue(6);
    q.claim("w").orElseThrow();
    q.claim("w").orElseThrow().fail("dead");

    QueueStats s = q.stats();
    assertThat(s.ready()).isEqualTo(3);
    assertThat(s.scheduled()).isEqualTo(1);
    assertThat(s.running()).isEqualTo(1);
    assertThat(s.dead()).isEqualTo(1);
    assertThat(s.oldestReadyAge()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aJobCarriesItsMetadata() {
    Queue q = gander.queue("jobs");
    Instant now = clock.instant();
    JobId id = q.enqueue("x", EnqueueOptions.builder().priority(4).maxAttempts(9).build());
    Job job = q.claim("host-a").orElseThrow();
    assertThat(job.id()).isEqualTo(id);
    assertThat(job.queue()).isEqualTo("jobs");
    assertThat(job.priority()).isEqualTo(4);
    assertThat(job.maxAttempts()).isEqualTo(9);
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.enqueuedAt()).isEqualTo(now);
    assertThat(job.workerId()).isEqualTo("host-a");
    assertThat(job.lastError()).isEmpty();
  }
}
