package dev.gander.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.Gander;
import dev.gander.GanderClosedException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Edges of the queue found by review: limits of time, unique keys, rollbacks, closing, lookups. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class QueueEdgesTest {
  private static final Duration HUGE = Duration.ofMillis(Long.MAX_VALUE);
  private static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();

  @TempDir Path dir;
  HandClock clock;
  Gander gander;

  @BeforeEach
  void open() {
    clock = new HandClock();
    gander = Gander.builder().path(dir.resolve("app.db")).clock(clock).open();
  }

  @AfterEach
  void close() {
    gander.close();
  }

  private long column(String sql, long id) {
    return gander
        .store()
        .read(
            c -> {
              try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                  assertThat(rs.next()).as("a row for %s", sql).isTrue();
                  return rs.getLong(1);
                }
              }
            });
  }

  // -------------------------------------------------------------------------- durations

  @Test
  void hugeDelaysSaturateToNeverInsteadOfWrapping() {
    Queue q = gander.queue("jobs");
    for (Duration d : List.of(HUGE, FOREVER, Duration.ofDays(365L * 1_000_000_000))) {
      q.enqueue("later", EnqueueOptions.builder().delay(d).build());
    }
    q.enqueue("at max", EnqueueOptions.builder().runAt(Instant.MAX).build());
    assertThat(q.claim("w")).isEmpty();
    assertThat(q.stats().scheduled()).isEqualTo(4);
    clock.advance(Duration.ofDays(365L * 1000));
    assertThat(q.claim("w")).isEmpty();
  }

  @Test
  void runAtInTheDistantPastIsClaimableNow() {
    Queue q = gander.queue("jobs");
    JobId id = q.enqueue("early", EnqueueOptions.builder().runAt(Instant.MIN).build());
    assertThat(q.claim("w")).map(Job::id).contains(id);
  }

  @Test
  void hugeExpiryMeansNeverExpires() {
    Queue q = gander.queue("jobs");
    q.enqueue("a", EnqueueOptions.builder().expiresIn(HUGE).build());
    q.enqueue("b", EnqueueOptions.builder().expiresIn(FOREVER).build());
    clock.advance(Duration.ofDays(365L * 1000));
    assertThat(q.claim("w", 10)).hasSize(2);
    assertThat(q.deadLetters(10)).isEmpty();
  }

  @Test
  void hugeVisibilityTimeoutAndHeartbeatGiveLeasesThatNeverRunOut() {
    Queue q = gander.queue("jobs", QueueOptions.builder().visibilityTimeout(HUGE).build());
    q.enqueue("a");
    q.enqueue("b");
    Job a = q.claim("w").orElseThrow();
    assertThat(a.leaseExpiresAt()).isAfter(Instant.parse("9999-01-01T00:00:00Z"));
    Job b = q.claim("w").orElseThrow();
    b.heartbeat(FOREVER);
    assertThat(b.leaseExpiresAt()).isAfter(Instant.parse("9999-01-01T00:00:00Z"));
    clock.advance(Duration.ofDays(365L * 1000));
    gander.queue("jobs").claim("other"); // starts the sweeper; nothing to take
    assertThat(q.claim("other")).isEmpty();
    a.ack();
    b.ack();
  }

  @Test
  void hugeRetryDelayIsScheduledForNever() {
    Queue q = gander.queue("jobs");
    JobId id = q.enqueue("a");
    q.claim("w").orElseThrow().retry(FOREVER, "later");
    assertThat(gander.results().info(id).state()).isEqualTo(JobState.SCHEDULED);
    q.enqueue("b");
    q.claim("w").orElseThrow().retry(HUGE, "later");
    clock.advance(Duration.ofDays(365L * 1000));
    assertThat(q.claim("w")).isEmpty();
  }

  @Test
  void hugeResultTtlKeepsTheResult() {
    Queue q = gander.queue("jobs", QueueOptions.builder().resultTtl(HUGE).build());
    JobId id = q.enqueue("a");
    q.claim("w").orElseThrow().ack("done");
    clock.advance(Duration.ofDays(365L * 1000));
    assertThat(gander.results().get(id)).map(r -> r.as(String.class)).contains("done");
  }

  @Test
  void aVeryLongPollReturnsAReadyJobAtOnceAndANegativeOneIsRefused() {
    Queue q = gander.queue("jobs");
    JobId id = q.enqueue("a");
    assertThat(q.poll("w", Duration.ofDays(365_000))).map(Job::id).contains(id);
    q.enqueue("b");
    assertThat(q.poll("w", FOREVER)).isPresent();
    assertThatThrownBy(() -> q.poll("w", Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
  }

  @Test
  void aVeryLongPollWaitsAndIsWokenByAnEnqueue() throws Exception {
    Queue q = gander.queue("jobs");
    CompletableFuture<Optional<Job>> polled =
        CompletableFuture.supplyAsync(() -> q.poll("w", FOREVER));
    JobId id = q.enqueue("a");
    assertThat(polled.get(30, TimeUnit.SECONDS)).map(Job::id).contains(id);
  }

  // ------------------------------------------------------------------------ unique keys

  @Test
  void anExpiredJobDoesNotHoldItsUniqueKey() {
    Queue q = gander.queue("jobs");
    EnqueueOptions first =
        EnqueueOptions.builder().uniqueKey("k").expiresIn(Duration.ofSeconds(10)).build();
    JobId old = q.enqueue("old", first);
    clock.advance(Duration.ofSeconds(11));
    EnqueueResult again = q.submit("new", EnqueueOptions.builder().uniqueKey("k").build());
    assertThat(again.duplicate()).isFalse();
    assertThat(again.id()).isNotEqualTo(old);
    Job job = q.claim("w").orElseThrow();
    assertThat(job.id()).isEqualTo(again.id());
    assertThat(job.payloadAs(String.class)).isEqualTo("new");
    assertThat(gander.results().info(old).state()).isEqualTo(JobState.DEAD);
    assertThat(gander.results().info(old).deadReason()).contains("expired");
  }

  @Test
  void aJobWhoseLastLeaseRanOutDoesNotHoldItsUniqueKey() {
    Queue q =
        gander.queue(
            "jobs",
            QueueOptions.builder().maxAttempts(1).visibilityTimeout(Duration.ofSeconds(5)).build());
    JobId old = q.enqueue("old", EnqueueOptions.builder().uniqueKey("k").build());
    q.claim("w").orElseThrow();
    clock.advance(Duration.ofSeconds(6));
    EnqueueResult again = q.submit("new", EnqueueOptions.builder().uniqueKey("k").build());
    assertThat(again.duplicate()).isFalse();
    assertThat(gander.results().info(old).deadReason()).contains("lease-expired");
  }

  @Test
  void finishedAndDeadJobsDoNotHoldTheirUniqueKey() {
    Queue q = gander.queue("jobs");
    EnqueueOptions unique = EnqueueOptions.builder().uniqueKey("k").build();
    JobId first = q.enqueue("1", unique);
    q.claim("w").orElseThrow().ack();
    EnqueueResult second = q.submit("2", unique);
    assertThat(second.isNew()).isTrue();
    q.claim("w").orElseThrow().fail("bad");
    EnqueueResult third = q.submit("3", unique);
    assertThat(third.isNew()).isTrue();
    assertThat(List.of(first, second.id(), third.id())).doesNotHaveDuplicates();
  }

  @Test
  void submitTellsADuplicateFromANewJob() {
    Queue q = gander.queue("jobs");
    EnqueueOptions unique = EnqueueOptions.builder().uniqueKey("order-42").build();
    EnqueueResult first = q.submit("a", unique);
    EnqueueResult second = q.submit("b", unique);
    assertThat(first.duplicate()).isFalse();
    assertThat(second.duplicate()).isTrue();
    assertThat(second.id()).isEqualTo(first.id());
    EnqueueResult inTx = gander.transactionResult(tx -> q.submit(tx, "c", unique));
    assertThat(inTx.duplicate()).isTrue();
    assertThat(q.claim("w").orElseThrow().payloadAs(String.class)).isEqualTo("a");
  }

  @Test
  void requeueAllDeadWithASharedUniqueKeyRevivesTheNewestAndLeavesTheOtherDead() {
    Queue q = gander.queue("jobs");
    EnqueueOptions unique = EnqueueOptions.builder().uniqueKey("k").build();
    JobId older = q.enqueue("older", unique);
    q.claim("w").orElseThrow().fail("first");
    clock.advance(Duration.ofSeconds(1));
    JobId newer = q.enqueue("newer", unique);
    q.claim("w").orElseThrow().fail("second");
    JobId plain = q.enqueue("plain");
    q.claim("w").orElseThrow().fail("third");

    assertThat(q.requeueAllDead()).isEqualTo(2);
    assertThat(gander.results().info(newer).state()).isEqualTo(JobState.READY);
    assertThat(gander.results().info(plain).state()).isEqualTo(JobState.READY);
    assertThat(gander.results().info(older).state()).isEqualTo(JobState.DEAD);
    assertThat(q.deadLetters(10)).extracting(DeadLetter::id).containsExactly(older);

    // The key is held by the revived job, so the other cannot revive either way.
    assertThat(q.requeueDead(older)).isFalse();
    assertThat(q.requeueAllDead()).isZero();
  }

  // ------------------------------------------------------------------ settling in transactions

  @Test
  void anAckInATransactionThatRollsBackLeavesTheJobUnsettledAndRetryable() {
    Queue q = gander.queue("jobs");
    JobId id = q.enqueue("a");
    Job job = q.claim("w").orElseThrow();
    assertThatThrownBy(
            () ->
                gander.inTransaction(
                    tx -> {
                      job.ack("result");
                      assertThat(job.isSettled()).as("settled only after the commit").isFalse();
                      throw new IllegalStateException("roll back");
                    }))
        .hasMessage("roll back");
    assertThat(job.isSettled()).isFalse();
    assertThat(gander.results().info(id).state()).isEqualTo(JobState.RUNNING);
    job.retry(Duration.ZERO, "again");
    assertThat(job.isSettled()).isTrue();
    assertThat(gander.results().info(id).state()).isEqualTo(JobState.READY);
  }

  @Test
  void anAckInATransactionThatCommitsSettlesAfterTheCommit() {
    Queue q = gander.queue("jobs");
    JobId id = q.enqueue("a");
    Job job = q.claim("w").orElseThrow();
    gander.inTransaction(tx -> job.ack("ok"));
    assertThat(job.isSettled()).isTrue();
    assertThat(gander.results().get(id)).isPresent();
  }

  @Test
  void ackAllInATransactionThatRollsBackLeavesEveryJobUnsettled() {
    Queue q = gander.queue("jobs");
    q.enqueueAll(List.of("a", "b", "c"));
    List<Job> jobs = q.claim("w", 3);
    assertThatThrownBy(
            () ->
                gander.inTransaction(
                    tx -> {
                      assertThat(q.ackAll(jobs)).isEqualTo(3);
                      throw new IllegalStateException("roll back");
                    }))
        .hasMessage("roll back");
    assertThat(jobs).noneMatch(Job::isSettled);
    assertThat(q.stats().running()).isEqualTo(3);
    assertThat(q.ackAll(jobs)).isEqualTo(3);
    assertThat(jobs).allMatch(Job::isSettled);
  }

  @Test
  void anAckInARolledBackNestedWriteLeavesTheJobUnsettled() {
    Queue q = gander.queue("jobs");
    q.enqueue("a");
    Job job = q.claim("w").orElseThrow();
    gander.inTransaction(
        tx -> {
          try {
            gander
                .store()
                .write(
                    c -> {
                      job.ack();
                      throw new IllegalStateException("inner");
                    });
          } catch (IllegalStateException expected) {
            // the inner write is rolled back; the outer transaction commits
          }
        });
    assertThat(job.isSettled()).isFalse();
    assertThat(q.stats().running()).isEqualTo(1);
    job.ack();
    assertThat(q.stats().running()).isZero();
  }

  // ------------------------------------------------------------------------ expiry meaning

  @Test
  void aJobThatFailsAndWouldRetryAfterItsExpiryIsDeadAsExpiredWhileRetrying() {
    Queue q = gander.queue("jobs", QueueOptions.builder().maxAttempts(5).build());
    JobId id = q.enqueue("a", EnqueueOptions.builder().expiresIn(Duration.ofSeconds(10)).build());
    Job job = q.claim("w").orElseThrow();
    clock.advance(Duration.ofSeconds(8));
    job.retry(Duration.ofSeconds(5), "smtp 451");
    JobInfo info = gander.results().info(id);
    assertThat(info.state()).isEqualTo(JobState.DEAD);
    assertThat(info.deadReason()).contains("expired-while-retrying");
    assertThat(info.lastError()).contains("smtp 451");
  }

  @Test
  void aRetriedJobNotClaimedBeforeItsExpiryIsDeadAsExpiredWhileRetrying() throws Exception {
    Queue q = gander.queue("jobs", QueueOptions.builder().maxAttempts(5).build());
    JobId id = q.enqueue("a", EnqueueOptions.builder().expiresIn(Duration.ofSeconds(10)).build());
    q.claim("w").orElseThrow().retry(Duration.ofSeconds(1), "once");
    JobId never =
        q.enqueue("b", EnqueueOptions.builder().expiresIn(Duration.ofSeconds(10)).build());
    clock.advance(Duration.ofSeconds(11));
    assertThat(q.claim("w")).isEmpty();
    JobInfo retried = gander.results().awaitEnd(id, Duration.ofSeconds(20));
    assertThat(retried.deadReason()).contains("expired-while-retrying");
    assertThat(retried.lastError()).contains("once");
    JobInfo unclaimed = gander.results().awaitEnd(never, Duration.ofSeconds(20));
    assertThat(unclaimed.deadReason()).contains("expired");
  }

  // ---------------------------------------------------------------------- lookup and await

  @Test
  void infoFollowsAJobThroughItsLife() {
    Queue q = gander.queue("jobs", QueueOptions.builder().maxAttempts(2).build());
    JobId id = q.enqueue("a", EnqueueOptions.builder().delay(Duration.ofSeconds(5)).build());
    assertThat(gander.results().info(id).state()).isEqualTo(JobState.SCHEDULED);
    clock.advance(Duration.ofSeconds(5));
    assertThat(gander.results().info(id).state()).isEqualTo(JobState.READY);
    Job job = q.claim("w").orElseThrow();
    JobInfo running = gander.results().info(id);
    assertThat(running.state()).isEqualTo(JobState.RUNNING);
    assertThat(running.queue()).contains("jobs");
    assertThat(running.attempts()).isEqualTo(1);
    job.retry(Duration.ZERO, "transient");
    assertThat(gander.results().info(id).lastError()).contains("transient");
    q.claim("w").orElseThrow().ack(42);
    JobInfo done = gander.results().info(id);
    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.attempts()).isEqualTo(2);
    assertThat(done.result().orElseThrow().as(Integer.class)).isEqualTo(42);
    assertThat(gander.results().info(JobId.of(999_999)).state()).isEqualTo(JobState.UNKNOWN);
  }

  @Test
  void aJobAckedWithoutAResultIsRecordedAsSucceededForKeepSucceeded() {
    Queue q =
        gander.queue("jobs", QueueOptions.builder().keepSucceeded(Duration.ofMinutes(5)).build());
    JobId id = q.enqueue("a");
    q.claim("w").orElseThrow().ack();
    assertThat(gander.results().info(id).state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(gander.results().get(id)).isEmpty();
    clock.advance(Duration.ofMinutes(6));
    assertThat(gander.results().info(id).state()).isEqualTo(JobState.UNKNOWN);

    Queue none = gander.queue("none", QueueOptions.builder().keepSucceeded(Duration.ZERO).build());
    JobId quiet = none.enqueue("b");
    none.claim("w").orElseThrow().ack();
    assertThat(gander.results().info(quiet).state()).isEqualTo(JobState.UNKNOWN);
  }

  @Test
  void awaitReturnsAsSoonAsTheJobEndsAndTellsSuccessFromDeath() throws Exception {
    Queue q = gander.queue("jobs", QueueOptions.builder().maxAttempts(1).build());
    JobId ok = q.enqueue("ok");
    JobId bad = q.enqueue("bad");
    JobId silent = q.enqueue("silent");
    CompletableFuture<Optional<JobResult>> okResult =
        CompletableFuture.supplyAsync(() -> gander.results().await(ok, Duration.ofHours(1)));
    CompletableFuture<Optional<JobResult>> badResult =
        CompletableFuture.supplyAsync(() -> gander.results().await(bad, Duration.ofHours(1)));
    CompletableFuture<Optional<JobResult>> silentResult =
        CompletableFuture.supplyAsync(() -> gander.results().await(silent, Duration.ofHours(1)));
    q.claim("w").orElseThrow().ack("fine");
    q.claim("w").orElseThrow().retry(Duration.ZERO, "broken"); // last attempt: dead
    q.claim("w").orElseThrow().ack();

    assertThat(okResult.get(30, TimeUnit.SECONDS)).map(r -> r.as(String.class)).contains("fine");
    assertThatThrownBy(() -> badResult.get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(JobDeadException.class)
        .hasMessageContaining("failed")
        .hasMessageContaining("broken");
    assertThat(silentResult.get(30, TimeUnit.SECONDS)).isEmpty();
    assertThat(gander.results().awaitEnd(bad, Duration.ZERO).state()).isEqualTo(JobState.DEAD);
  }

  @Test
  void awaitOnAJobThatStaysLiveTimesOut() {
    Queue q = gander.queue("jobs");
    JobId id = q.enqueue("a");
    assertThat(gander.results().await(id, Duration.ofMillis(50))).isEmpty();
    assertThat(gander.results().awaitEnd(id, Duration.ofMillis(50)).state())
        .isEqualTo(JobState.READY);
    assertThatThrownBy(() -> gander.results().await(id, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---------------------------------------------------------------------------- drain

  @Test
  void awaitDrainedWaitsForEveryLiveJobToEnd() throws Exception {
    Queue q = gander.queue("jobs");
    assertThat(q.awaitDrained(Duration.ZERO)).isTrue();
    q.enqueueAll(List.of("a", "b"));
    q.enqueue("c", EnqueueOptions.builder().delay(Duration.ofSeconds(30)).build());
    assertThat(q.awaitDrained(Duration.ofMillis(20))).isFalse();
    CompletableFuture<Boolean> drained =
        CompletableFuture.supplyAsync(() -> q.awaitDrained(Duration.ofHours(1)));
    q.claim("w", 2).forEach(Job::ack);
    assertThat(drained).isNotDone();
    clock.advance(Duration.ofSeconds(30));
    q.claim("w").orElseThrow().fail("done with it");
    assertThat(drained.get(30, TimeUnit.SECONDS)).isTrue();
  }

  // ---------------------------------------------------------------------------- closing

  @Test
  void closingWhileWaitingThrowsGanderClosedFromPollTakeAndAwait() throws Exception {
    Queue q = gander.queue("jobs");
    JobId live = gander.queue("other").enqueue("x");
    List<Waiter> waiters =
        List.of(
            new Waiter(() -> q.poll("w", Duration.ofHours(1))),
            new Waiter(() -> q.take("w")),
            new Waiter(() -> gander.results().await(live, Duration.ofHours(1))),
            new Waiter(() -> gander.results().awaitEnd(live, Duration.ofHours(1))),
            new Waiter(() -> gander.queue("other").awaitDrained(Duration.ofHours(1))));
    for (Waiter w : waiters) {
      w.awaitWaiting();
    }
    gander.close();
    for (Waiter w : waiters) {
      w.thread.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(w.thread.isAlive()).isFalse();
      assertThat(w.failure).isInstanceOf(GanderClosedException.class);
    }
  }

  /** A thread blocked in a call, and what the call threw. */
  private static final class Waiter {
    final Thread thread;
    volatile Throwable failure;

    Waiter(Runnable call) {
      thread =
          new Thread(
              () -> {
                try {
                  call.run();
                } catch (Throwable t) {
                  failure = t;
                }
              });
      thread.start();
    }

    /** Waits (bounded) until the thread is parked in its wait. */
    void awaitWaiting() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (thread.getState() != Thread.State.TIMED_WAITING
          && thread.getState() != Thread.State.WAITING) {
        assertThat(System.nanoTime()).as("the call reached its wait").isLessThan(deadline);
        Thread.sleep(1);
      }
    }
  }
}
