package dev.gander.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.Gander;
import dev.gander.GanderClosedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Managed workers: {@code queue.process(handler, options)}. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WorkerLifecycleTest {
  @TempDir Path dir;

  private static QueueOptions fastRetries(int maxAttempts) {
    return QueueOptions.builder()
        .maxAttempts(maxAttempts)
        .backoffBase(Duration.ofMillis(5))
        .backoffCap(Duration.ofMillis(20))
        .build();
  }

  @Test
  void returnAcksWithTheResultThrowRetriesAndNonRetryableDeadLetters() throws Exception {
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue q = gander.queue("jobs", fastRetries(3));
      JobId ok = q.enqueue("ok");
      JobId flaky = q.enqueue("flaky");
      JobId hopeless = q.enqueue("hopeless");
      JobId broken = q.enqueue("broken");
      ConcurrentHashMap<JobId, Integer> attempts = new ConcurrentHashMap<>();
      try (Worker worker =
          q.process(
              job -> {
                attempts.merge(job.id(), 1, Integer::sum);
                switch (job.payloadAs(String.class)) {
                  case "flaky":
                    if (job.attempt() < 3) {
                      throw new IllegalStateException("try again");
                    }
                    return "flaky done on " + job.attempt();
                  case "hopeless":
                    throw new NonRetryableException("no such mailbox");
                  case "broken":
                    throw new AssertionError("a bug in the handler");
                  default:
                    return null;
                }
              },
              WorkerOptions.builder().concurrency(2).workerId("test-worker").build())) {
        Await.until(
            "every job settled",
            () -> {
              QueueStats s = q.stats();
              return s.ready() + s.scheduled() + s.running() == 0 && s.dead() == 2;
            });
        assertThat(worker.workerId()).isEqualTo("test-worker");
        assertThat(worker.isRunning()).isTrue();
        // Failed attempts: flaky twice, hopeless once, broken three times.
        Await.until("counters", () -> worker.processed() == 2 && worker.failed() == 2 + 1 + 3);
      }
      assertThat(gander.results().get(ok)).isEmpty();
      assertThat(gander.results().get(flaky).map(r -> r.as(String.class)))
          .contains("flaky done on 3");
      assertThat(attempts).containsEntry(flaky, 3).containsEntry(hopeless, 1);
      assertThat(attempts.get(broken)).isEqualTo(3); // an Error from the handler is retried too
      List<DeadLetter> dead = q.deadLetters(10);
      assertThat(dead).extracting(DeadLetter::id).containsExactlyInAnyOrder(hopeless, broken);
      assertThat(dead)
          .filteredOn(d -> d.id().equals(hopeless))
          .singleElement()
          .satisfies(d -> assertThat(d.lastError().orElseThrow()).contains("no such mailbox"));
    }
  }

  @Test
  void aThrowingHandlerNeverKillsTheWorker() throws Exception {
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue q = gander.queue("jobs", fastRetries(1));
      for (int i = 0; i < 20; i++) {
        q.enqueue(i);
      }
      try (Worker worker =
          q.process(
              job -> {
                if (job.payloadAs(Integer.class) % 2 == 0) {
                  throw new RuntimeException("even numbers fail");
                }
                return null;
              },
              WorkerOptions.builder().concurrency(1).build())) {
        Await.until("all twenty settled", () -> worker.processed() + worker.failed() == 20);
        q.enqueue(101); // still working after ten failures
        Await.until("the late job", () -> worker.processed() == 11);
      }
      assertThat(q.stats().dead()).isEqualTo(10);
    }
  }

  @Test
  void concurrencyBoundsTheHandlersRunningAtOnce() throws Exception {
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue q = gander.queue("jobs");
      for (int i = 0; i < 40; i++) {
        q.enqueue(i);
      }
      AtomicInteger running = new AtomicInteger();
      AtomicInteger most = new AtomicInteger();
      Set<String> threads = ConcurrentHashMap.newKeySet();
      try (Worker worker =
          q.process(
              job -> {
                int now = running.incrementAndGet();
                most.accumulateAndGet(now, Math::max);
                threads.add(Thread.currentThread().getName());
                Thread.sleep(5);
                running.decrementAndGet();
                return null;
              },
              WorkerOptions.builder().concurrency(3).build())) {
        Await.until("forty processed", () -> worker.processed() == 40);
      }
      assertThat(most.get()).isBetween(1, 3);
      assertThat(threads).hasSizeLessThanOrEqualTo(3);
    }
  }

  @Test
  void heartbeatsKeepALongJobsLeaseSoNoOneElseGetsIt() throws Exception {
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue q =
          gander.queue(
              "jobs", QueueOptions.builder().visibilityTimeout(Duration.ofSeconds(2)).build());
      JobId id = q.enqueue("long");
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch mayFinish = new CountDownLatch(1);
      try (Worker worker =
          q.process(
              job -> {
                started.countDown();
                mayFinish.await();
                return job.attempt();
              },
              WorkerOptions.defaults())) {
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        // Two and a half visibility timeouts later, the job is still the worker's: a competing
        // poller that waits all that time gets nothing. (The lease is long enough that only a
        // stall of over a second between heartbeats, which come every 2/3 s, could lose it.)
        assertThat(q.poll("competitor", Duration.ofSeconds(5))).isEmpty();
        mayFinish.countDown();
        Await.until("the long job acked", () -> worker.processed() == 1);
      }
      assertThat(gander.results().get(id).map(r -> r.as(Integer.class))).contains(1);
      assertThat(q.stats().dead()).isZero();
    }
  }

  @Test
  void closeWaitsForInFlightJobsThenReleasesUnfinishedLeases() throws Exception {
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue q =
          gander.queue(
              "jobs", QueueOptions.builder().visibilityTimeout(Duration.ofHours(1)).build());
      JobId quick = q.enqueue("quick");
      JobId stuck = q.enqueue("stuck");
      CountDownLatch bothStarted = new CountDownLatch(2);
      CountDownLatch quickMayFinish = new CountDownLatch(1);
      Worker worker =
          q.process(
              job -> {
                bothStarted.countDown();
                if (job.payloadAs(String.class).equals("quick")) {
                  quickMayFinish.await();
                  return "finished during close";
                }
                new CountDownLatch(1).await(); // never finishes by itself
                return "unreachable";
              },
              WorkerOptions.builder()
                  .concurrency(2)
                  .shutdownTimeout(Duration.ofSeconds(10))
                  .build());
      assertThat(bothStarted.await(30, TimeUnit.SECONDS)).isTrue();
      Thread closer = new Thread(worker::close);
      closer.start();
      Await.until("close has begun", () -> !worker.isRunning());
      quickMayFinish.countDown();
      closer.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(closer.isAlive()).isFalse();
      assertThat(worker.isRunning()).isFalse();

      // The in-flight job finished and was acked during close; the stuck one was given back at
      // once (not after the hour-long lease), its attempt counted.
      assertThat(gander.results().get(quick).map(r -> r.as(String.class)))
          .contains("finished during close");
      Job again = q.claim("next").orElseThrow();
      assertThat(again.id()).isEqualTo(stuck);
      assertThat(again.attempt()).isEqualTo(2);
    }
  }

  @Test
  void jobsClaimedAheadAndNotStartedAreGivenBackOnCloseWithTheirAttemptRefunded() throws Exception {
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue q =
          gander.queue(
              "jobs", QueueOptions.builder().visibilityTimeout(Duration.ofHours(1)).build());
      JobId first = q.enqueue("first");
      JobId second = q.enqueue("second");
      JobId third = q.enqueue("third");
      CountDownLatch started = new CountDownLatch(1);
      CountDownLatch mayFinish = new CountDownLatch(1);
      Worker worker =
          q.process(
              job -> {
                started.countDown();
                mayFinish.await();
                return null;
              },
              WorkerOptions.builder().concurrency(1).build());
      assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
      // One thread: one job running, one claimed ahead, the third left in the queue.
      Await.until("one job claimed ahead", () -> q.stats().running() == 2);
      assertThat(q.stats().ready()).isEqualTo(1);
      Thread closer = new Thread(worker::close);
      closer.start();
      // Let the running job finish only once close() has begun; earlier, the worker would
      // rightly start the job it claimed ahead.
      Await.until("close has begun", () -> !worker.isRunning());
      mayFinish.countDown();
      closer.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(closer.isAlive()).isFalse();

      assertThat(worker.processed()).isEqualTo(1);
      List<Job> left = q.claim("next", 10);
      assertThat(left).extracting(Job::id).containsExactlyInAnyOrder(second, third);
      assertThat(left).allSatisfy(j -> assertThat(j.attempt()).as("attempt of %s", j).isEqualTo(1));
      assertThat(gander.results().get(first)).isEmpty(); // acked with no result
      assertThat(q.stats().dead()).isZero();
    }
  }

  @Test
  void aClosedWorkerClaimsNothingMore() throws Exception {
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue q = gander.queue("jobs");
      Worker worker = q.process(job -> null, WorkerOptions.defaults());
      q.enqueue(1);
      Await.until("first job", () -> worker.processed() == 1);
      worker.close();
      worker.close(); // idempotent
      q.enqueue(2);
      assertThat(q.poll("check", Duration.ofMillis(200))).isPresent();
      assertThat(worker.processed()).isEqualTo(1);
    }
  }

  @Test
  void closingGanderStopsItsWorkersAndRefusesFurtherUse() throws Exception {
    Gander gander = Gander.open(dir.resolve("app.db"));
    Queue q = gander.queue("jobs");
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      workers.add(q.process(job -> null, WorkerOptions.builder().concurrency(2).build()));
    }
    q.poll("waiter", Duration.ofMillis(10));
    gander.close();
    assertThat(workers).noneMatch(Worker::isRunning);
    assertThatThrownBy(() -> q.enqueue(1)).isInstanceOf(GanderClosedException.class);
    assertThatThrownBy(() -> q.claim("w")).isInstanceOf(GanderClosedException.class);
    assertThatThrownBy(() -> gander.queue("jobs")).isInstanceOf(GanderClosedException.class);
    Await.until(
        "no Gander threads left",
        () ->
            Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("gander-")));
  }
}
