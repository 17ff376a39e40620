package dev.gander.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.Gander;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blocking {@code poll}/{@code take} woken in-process, and many threads claiming from one queue.
 * Real clock: these tests assert that work arrives, never how fast.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClaimAndWakeTest {
  @TempDir Path dir;
  Gander gander;
  ExecutorService pool;

  @BeforeEach
  void open() {
    gander = Gander.open(dir.resolve("app.db"));
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach
  void close() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    gander.close();
  }

  @Test
  void aBlockedPollReceivesAJobEnqueuedAfterItStartedWaiting() throws Exception {
    Queue q = gander.queue("jobs");
    CountDownLatch started = new CountDownLatch(1);
    Future<Optional<Job>> polled =
        pool.submit(
            () -> {
              started.countDown();
              return q.poll("waiter", Duration.ofSeconds(60));
            });
    started.await();
    Thread.sleep(100); // most likely blocked by now; correct either way
    JobId id = q.enqueue("wake up");
    Job job = polled.get(60, TimeUnit.SECONDS).orElseThrow();
    assertThat(job.id()).isEqualTo(id);
    assertThat(job.workerId()).isEqualTo("waiter");
  }

  @Test
  void pollReturnsEmptyWhenNothingArrivesInTime() {
    Queue q = gander.queue("jobs");
    assertThat(q.poll("waiter", Duration.ofMillis(50))).isEmpty();
    assertThat(q.poll("waiter", Duration.ZERO)).isEmpty();
  }

  @Test
  void takeBlocksUntilAJobArrivesAndIgnoresOtherQueues() throws Exception {
    Queue q = gander.queue("jobs");
    Queue other = gander.queue("other");
    Future<Job> taken = pool.submit(() -> q.take("taker"));
    other.enqueue("not for the taker");
    JobId id = q.enqueue("for the taker");
    assertThat(taken.get(60, TimeUnit.SECONDS).id()).isEqualTo(id);
    assertThat(other.stats().ready()).isEqualTo(1);
  }

  @Test
  void aDelayedJobWakesAWaiterAtItsRunTime() throws Exception {
    Queue q = gander.queue("jobs");
    Future<Optional<Job>> polled = pool.submit(() -> q.poll("waiter", Duration.ofSeconds(60)));
    JobId id = q.enqueue("soon", EnqueueOptions.builder().delay(Duration.ofMillis(300)).build());
    Job job = polled.get(60, TimeUnit.SECONDS).orElseThrow();
    assertThat(job.id()).isEqualTo(id);
  }

  @Test
  void anExpiringLeaseWakesAWaiterWithoutAnyNewEnqueue() throws Exception {
    Queue q =
        gander.queue(
            "jobs", QueueOptions.builder().visibilityTimeout(Duration.ofMillis(300)).build());
    JobId id = q.enqueue("abandoned");
    Job first = q.claim("crashed").orElseThrow();
    Future<Optional<Job>> polled = pool.submit(() -> q.poll("rescuer", Duration.ofSeconds(60)));
    Job again = polled.get(60, TimeUnit.SECONDS).orElseThrow();
    assertThat(again.id()).isEqualTo(id);
    assertThat(again.attempt()).isEqualTo(2);
    assertThat(again.fencingToken()).isGreaterThan(first.fencingToken());
  }

  @Test
  void resultAwaitIsWokenByTheAckAndTimesOutForAJobNeverAcked() throws Exception {
    Queue q = gander.queue("jobs");
    JobId id = q.enqueue("work");
    JobId never = q.enqueue("never acked");
    Future<Optional<JobResult>> awaited =
        pool.submit(() -> gander.results().await(id, Duration.ofSeconds(60)));
    Job job = q.claim("w").orElseThrow();
    assertThat(job.id()).isEqualTo(id);
    job.ack(42);
    assertThat(awaited.get(60, TimeUnit.SECONDS).orElseThrow().as(Integer.class)).isEqualTo(42);
    assertThat(gander.results().await(never, Duration.ofMillis(100))).isEmpty();
  }

  @Test
  void eightThreadsClaimingTenThousandJobsAckEachExactlyOnce() throws Exception {
    Queue q = gander.queue("jobs");
    int jobs = 10_000;
    List<Integer> payloads = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      payloads.add(i);
    }
    // Enqueued while the claimers already run, partly.
    q.enqueueAll(payloads.subList(0, jobs / 2));
    Set<JobId> acked = ConcurrentHashMap.newKeySet();
    Set<Integer> seenPayloads = ConcurrentHashMap.newKeySet();
    AtomicInteger duplicates = new AtomicInteger();
    List<Future<?>> claimers = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    for (int t = 0; t < 8; t++) {
      String worker = "w" + t;
      int batch = 1 + t * 4; // single claims and batches of up to 29
      claimers.add(
          pool.submit(
              () -> {
                go.await();
                while (acked.size() < jobs) {
                  List<Job> claimed =
                      batch == 1
                          ? q.poll(worker, Duration.ofMillis(100)).map(List::of).orElse(List.of())
                          : q.claim(worker, batch);
                  for (Job j : claimed) {
                    if (!seenPayloads.add(j.payloadAs(Integer.class))) {
                      duplicates.incrementAndGet();
                    }
                    j.ack();
                    if (!acked.add(j.id())) {
                      duplicates.incrementAndGet();
                    }
                  }
                }
                return null;
              }));
    }
    go.countDown();
    q.enqueueAll(payloads.subList(jobs / 2, jobs));
    for (Future<?> f : claimers) {
      f.get(120, TimeUnit.SECONDS);
    }
    assertThat(duplicates).hasValue(0);
    assertThat(acked).hasSize(jobs);
    assertThat(seenPayloads).hasSize(jobs);
    assertThat(q.stats()).isEqualTo(new QueueStats(0, 0, 0, 0, Duration.ZERO));
  }
}
