package dev.gander.internal.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.Gander;
import dev.gander.GanderException;
import dev.gander.LeaseLostException;
import dev.gander.PayloadCodecException;
import dev.gander.PayloadTooLargeException;
import dev.gander.queue.DeadLetter;
import dev.gander.queue.EnqueueOptions;
import dev.gander.queue.EnqueueResult;
import dev.gander.queue.Job;
import dev.gander.queue.JobId;
import dev.gander.queue.JobInfo;
import dev.gander.queue.JobResult;
import dev.gander.queue.JobState;
import dev.gander.queue.Queue;
import dev.gander.queue.QueueOptions;
import dev.gander.queue.QueueStats;
import dev.gander.queue.RawJson;
import dev.gander.queue.Worker;
import dev.gander.queue.WorkerOptions;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * The queue's semantics through the public API only, which every backend must keep: order, delays,
 * leases and fencing, retries and dead letters, unique keys, results, transactions with the
 * application's own tables, wake-up across two instances on one database, managed workers.
 *
 * <p>A backend's subclass opens one {@link Gander} for the class ({@link #gander()}) and, on
 * demand, a second instance on the same database ({@link #openAnother()}). Every test works in
 * queues of its own, named after it, so tests need no cleaning between them. Real clock, short
 * times: these tests assert what happens, and bound how long it may take, never how fast.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class QueueContract {
  /** A payload. */
  public record Item(String name, int n) {}

  /**
   * The instance under test, open for the whole class.
   *
   * @return the instance
   */
  protected abstract Gander gander();

  /**
   * Opens a second instance on the same database (another process would do the same); the test
   * closes it.
   *
   * @return a new instance
   */
  protected abstract Gander openAnother();

  private String prefix;
  private int queues;
  private ExecutorService pool;

  @BeforeEach
  void nameQueues(TestInfo info) {
    String method = info.getTestMethod().orElseThrow().getName();
    prefix =
        (method.length() > 60 ? method.substring(0, 60) : method)
            + "-"
            + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
    queues = 0;
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stopThreads() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  /** A queue of this test's own, with default options. */
  private Queue queue() {
    return queue(QueueOptions.defaults());
  }

  private Queue queue(QueueOptions options) {
    return gander().queue(prefix + "-" + (++queues), options);
  }

  private static EnqueueOptions.Builder opts() {
    return EnqueueOptions.builder();
  }

  // ------------------------------------------------------------ enqueue, claim

  @Test
  void aJobIsClaimedOnceAndGoneWhenAcked() {
    Queue q = queue();
    JobId id = q.enqueue(new Item("a", 1));
    assertThat(q.stats().ready()).isEqualTo(1);
    assertThat(gander().results().info(id).state()).isEqualTo(JobState.READY);

    Job job = q.claim("w1").orElseThrow();
    assertThat(job.id()).isEqualTo(id);
    assertThat(job.queue()).isEqualTo(q.name());
    assertThat(job.payloadAs(Item.class)).isEqualTo(new Item("a", 1));
    assertThat(job.attempt()).isEqualTo(1);
    assertThat(job.workerId()).isEqualTo("w1");
    assertThat(job.leaseExpiresAt()).isAfter(job.enqueuedAt());
    assertThat(q.claim("w2")).isEmpty();
    assertThat(q.stats().running()).isEqualTo(1);
    assertThat(gander().results().info(id).state()).isEqualTo(JobState.RUNNING);

    job.ack();
    assertThat(job.isSettled()).isTrue();
    assertThat(gander().results().info(id).state()).isEqualTo(JobState.SUCCEEDED);
    QueueStats s = q.stats();
    assertThat(s.ready() + s.scheduled() + s.running() + s.dead()).isZero();
    assertThat(q.claim("w1")).isEmpty();
  }

  @Test
  void claimsTakeHigherPriorityFirstThenEarlierRunTimeThenEnqueueOrder() {
    Queue q = queue();
    JobId low = q.enqueue("low");
    JobId high = q.enqueue("high", opts().priority(10).build());
    JobId low2 = q.enqueue("low2");
    JobId earlier = q.enqueue("earlier", opts().runAt(Instant.now().minusSeconds(120)).build());
    JobId higher = q.enqueue("higher", opts().priority(20).build());

    List<Job> jobs = q.claim("w", 10);
    assertThat(jobs).extracting(Job::id).containsExactly(higher, high, earlier, low, low2);
    assertThat(jobs).extracting(Job::priority).containsExactly(20, 10, 0, 0, 0);
    assertThat(q.ackAll(jobs)).isEqualTo(5);
  }

  @Test
  void aDelayedJobIsScheduledUntilItsTimeAndAPollerGetsItThen() throws Exception {
    Queue q = queue();
    long start = System.nanoTime();
    JobId id = q.enqueue("later", opts().delay(Duration.ofMillis(800)).build());
    assertThat(q.claim("w")).isEmpty();
    assertThat(q.stats().scheduled()).isEqualTo(1);
    assertThat(gander().results().info(id).state()).isEqualTo(JobState.SCHEDULED);

    Job job = q.poll("w", Duration.ofSeconds(30)).orElseThrow();
    assertThat(job.id()).isEqualTo(id);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(700));
    job.ack();
  }

  @Test
  void pollWaitsBoundedlyAndTakeBlocksUntilAJobArrives() throws Exception {
    Queue q = queue();
    Queue other = queue();
    assertThat(q.poll("w", Duration.ofMillis(50))).isEmpty();
    assertThat(q.poll("w", Duration.ZERO)).isEmpty();

    Future<Job> taken = pool.submit(() -> q.take("taker"));
    other.enqueue("not for the taker");
    JobId id = q.enqueue("for the taker");
    Job job = taken.get(60, TimeUnit.SECONDS);
    assertThat(job.id()).isEqualTo(id);
    job.ack();
    assertThat(other.stats().ready()).isEqualTo(1);
  }

  // ------------------------------------------------------------ leases

  @Test
  void anAbandonedLeaseMakesTheJobClaimableAgainAndFencesTheOldHolder() throws Exception {
    Queue q = queue(QueueOptions.builder().visibilityTimeout(Duration.ofMillis(500)).build());
    JobId id = q.enqueue("abandoned");
    Job first = q.claim("crashed").orElseThrow();

    Job again = q.poll("rescuer", Duration.ofSeconds(60)).orElseThrow();
    assertThat(again.id()).isEqualTo(id);
    assertThat(again.attempt()).isEqualTo(2);
    assertThat(again.fencingToken()).isGreaterThan(first.fencingToken());
    assertThatThrownBy(first::ack).isInstanceOf(LeaseLostException.class);
    assertThatThrownBy(() -> first.heartbeat(Duration.ofSeconds(30)))
        .isInstanceOf(LeaseLostException.class);
    again.ack();
    assertThat(gander().results().info(id).state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void aHeartbeatKeepsTheLease() {
    Queue q = queue(QueueOptions.builder().visibilityTimeout(Duration.ofMillis(300)).build());
    q.enqueue("long");
    Job job = q.claim("alive").orElseThrow();
    Instant before = job.leaseExpiresAt();
    job.heartbeat(Duration.ofMinutes(5));
    assertThat(job.leaseExpiresAt()).isAfter(before.plusSeconds(60));
    // Well past the first lease, nobody else can have the job.
    assertThat(q.poll("thief", Duration.ofMillis(800))).isEmpty();
    job.ack();
  }

  // ------------------------------------------------------------ retries, dead letters

  @Test
  void aRetryPutsTheJobBackWithItsErrorAfterTheDelay() {
    Queue q = queue();
    JobId id = q.enqueue("flaky");
    Job first = q.claim("w").orElseThrow();
    first.retry(Duration.ofMillis(300), "smtp 451");
    assertThat(first.isSettled()).isTrue();
    assertThat(q.stats().scheduled()).isEqualTo(1);
    assertThat(q.claim("w")).isEmpty();

    Job second = q.poll("w", Duration.ofSeconds(30)).orElseThrow();
    assertThat(second.id()).isEqualTo(id);
    assertThat(second.attempt()).isEqualTo(2);
    assertThat(second.lastError()).contains("smtp 451");
    assertThatThrownBy(() -> first.ack()).isInstanceOf(IllegalStateException.class);
    second.ack();
  }

  @Test
  void theLastAttemptsFailureDeadLettersTheJob() {
    Queue q = queue();
    JobId id = q.enqueue("doomed", opts().maxAttempts(2).build());
    q.claim("w").orElseThrow().retry(Duration.ZERO, "first");
    Job last = q.claim("w").orElseThrow();
    assertThat(last.attempt()).isEqualTo(2);
    last.retry(Duration.ZERO, "second");

    assertThat(q.claim("w")).isEmpty();
    JobInfo info = gander().results().info(id);
    assertThat(info.state()).isEqualTo(JobState.DEAD);
    assertThat(info.deadReason()).contains("failed");
    assertThat(info.lastError()).contains("second");
    assertThat(info.attempts()).isEqualTo(2);
  }

  @Test
  void deadLettersAreListedRequeuedAndPurged() {
    Queue q = queue();
    JobId a = q.enqueue(new Item("a", 1));
    JobId b = q.enqueue(new Item("b", 2));
    for (Job j : q.claim("w", 2)) {
      j.fail("bad address");
    }
    List<DeadLetter> dead = q.deadLetters(10);
    assertThat(dead).extracting(DeadLetter::id).containsExactly(a, b);
    assertThat(dead.get(0).reason()).isEqualTo("failed");
    assertThat(dead.get(0).lastError()).contains("bad address");
    assertThat(dead.get(0).payloadJson()).contains("\"a\"");
    assertThat(dead.get(0).queue()).isEqualTo(q.name());
    assertThat(q.stats().dead()).isEqualTo(2);

    assertThat(q.requeueDead(a)).isTrue();
    assertThat(q.requeueDead(a)).isFalse();
    Job again = q.claim("w").orElseThrow();
    assertThat(again.id()).isEqualTo(a);
    again.ack();

    assertThat(q.purgeDead(b)).isTrue();
    assertThat(q.purgeDead(b)).isFalse();
    assertThat(q.deadLetters(10)).isEmpty();
    assertThat(gander().results().info(b).state()).isEqualTo(JobState.UNKNOWN);

    q.enqueue("c");
    q.enqueue("d");
    for (Job j : q.claim("w", 2)) {
      j.fail("x");
    }
    assertThat(q.requeueAllDead()).isEqualTo(2);
    for (Job j : q.claim("w", 2)) {
      j.fail("y");
    }
    assertThat(q.purgeAllDead()).isEqualTo(2);
    assertThat(q.stats().dead()).isZero();
  }

  @Test
  void aJobNotClaimedBeforeItExpiresIsDeadLetteredNotRun() {
    Queue q = queue();
    JobId id = q.enqueue("stale", opts().expiresIn(Duration.ofMillis(200)).build());
    JobInfo info = gander().results().awaitEnd(id, Duration.ofSeconds(30));
    assertThat(info.state()).isEqualTo(JobState.DEAD);
    assertThat(info.deadReason()).contains("expired");
    assertThat(q.claim("w")).isEmpty();
  }

  // ------------------------------------------------------------ unique keys

  @Test
  void aUniqueKeyHandsBackTheLiveJobUntilItEnds() {
    Queue q = queue();
    EnqueueOptions key = opts().uniqueKey("order-42").build();
    EnqueueResult first = q.submit("first", key);
    assertThat(first.isNew()).isTrue();
    EnqueueResult second = q.submit("second", key);
    assertThat(second.duplicate()).isTrue();
    assertThat(second.id()).isEqualTo(first.id());
    assertThat(q.enqueue("third", key)).isEqualTo(first.id());
    assertThat(q.stats().ready()).isEqualTo(1);

    Job job = q.claim("w").orElseThrow();
    assertThat(job.payloadAs(String.class)).isEqualTo("first");
    assertThat(q.submit("while running", key).duplicate()).isTrue();
    job.ack();

    EnqueueResult after = q.submit("after", key);
    assertThat(after.isNew()).isTrue();
    assertThat(after.id()).isNotEqualTo(first.id());
    // Another queue's key is another key.
    assertThat(queue().submit("elsewhere", key).isNew()).isTrue();
  }

  // ------------------------------------------------------------ results, waiting

  @Test
  void aResultIsStoredWithTheAckAndAnAwaitIsWokenByIt() throws Exception {
    Queue q = queue();
    JobId id = q.enqueue("work");
    JobId never = q.enqueue("never acked");
    Future<Optional<JobResult>> awaited =
        pool.submit(() -> gander().results().await(id, Duration.ofSeconds(60)));
    Job job = q.claim("w").orElseThrow();
    assertThat(job.id()).isEqualTo(id);
    job.ack(new Item("sent", 3));

    JobResult result = awaited.get(60, TimeUnit.SECONDS).orElseThrow();
    assertThat(result.jobId()).isEqualTo(id);
    assertThat(result.as(Item.class)).isEqualTo(new Item("sent", 3));
    assertThat(gander().results().get(id)).map(JobResult::json).contains(result.json());
    JobInfo info = gander().results().info(id);
    assertThat(info.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(info.result()).map(JobResult::json).contains(result.json());
    assertThat(gander().results().awaitEnd(id, Duration.ofSeconds(1)).state())
        .isEqualTo(JobState.SUCCEEDED);

    assertThat(gander().results().await(never, Duration.ofMillis(100))).isEmpty();
    assertThat(gander().results().get(never)).isEmpty();
    assertThat(gander().results().info(JobId.of(Long.MAX_VALUE)).state())
        .isEqualTo(JobState.UNKNOWN);
  }

  @Test
  void awaitEndReturnsWhenTheJobDies() throws Exception {
    Queue q = queue();
    JobId id = q.enqueue("doomed");
    Future<JobInfo> ended =
        pool.submit(() -> gander().results().awaitEnd(id, Duration.ofSeconds(60)));
    q.claim("w").orElseThrow().fail("no such user");
    JobInfo info = ended.get(60, TimeUnit.SECONDS);
    assertThat(info.state()).isEqualTo(JobState.DEAD);
    assertThat(info.lastError()).contains("no such user");
  }

  @Test
  void awaitDrainedReturnsOnceTheLastJobEnded() throws Exception {
    Queue q = queue();
    q.enqueueAll(List.of(1, 2, 3));
    assertThat(q.awaitDrained(Duration.ZERO)).isFalse();
    Future<Boolean> drained = pool.submit(() -> q.awaitDrained(Duration.ofSeconds(60)));
    List<Job> jobs = q.claim("w", 3);
    assertThat(jobs).hasSize(3);
    jobs.get(0).ack();
    jobs.get(1).fail("dead counts as ended");
    jobs.get(2).ack();
    assertThat(drained.get(60, TimeUnit.SECONDS)).isTrue();
    assertThat(q.awaitDrained(Duration.ZERO)).isTrue();
  }

  @Test
  void aPayloadWithALoneSurrogateIsRefusedAndAWholeEmojiIsKept() {
    Queue q = queue();
    String emoji = "parcel \uD83D\uDCE6";
    String cut = emoji.substring(0, emoji.length() - 1); // drops the emoji's second half
    assertThatThrownBy(() -> q.enqueue(Map.of("text", cut)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("lone UTF-16 surrogate");
    assertThatThrownBy(() -> q.enqueue(RawJson.of("\"" + cut + "\"")))
        .isInstanceOf(PayloadCodecException.class);
    assertThatThrownBy(() -> q.enqueueAll(List.of("fine", cut)))
        .isInstanceOf(PayloadCodecException.class);
    assertThat(q.stats().ready()).as("nothing was written").isZero();

    q.enqueue(emoji);
    Job job = q.claim("w", 1).get(0);
    assertThat(job.payloadAs(String.class)).isEqualTo(emoji);
    job.ack();
  }

  // ------------------------------------------------------------ batches

  @Test
  void enqueueAllWritesAllOrNothingAndAckAllSettlesTheBatch() {
    Queue q = queue(QueueOptions.builder().maxPayloadBytes(64).build());
    List<Integer> payloads = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      payloads.add(i);
    }
    List<JobId> ids = q.enqueueAll(payloads);
    assertThat(ids).hasSize(100).doesNotHaveDuplicates();
    assertThat(q.stats().ready()).isEqualTo(100);

    assertThatThrownBy(() -> q.enqueueAll(List.of("small", "x".repeat(100))))
        .isInstanceOf(PayloadTooLargeException.class);
    assertThat(q.stats().ready()).isEqualTo(100);

    List<Job> jobs = q.claim("w", 100);
    assertThat(jobs).extracting(Job::id).containsExactlyElementsOf(ids);
    assertThat(q.ackAll(jobs)).isEqualTo(100);
    assertThat(jobs).allMatch(Job::isSettled);
    assertThat(q.stats().running()).isZero();
    assertThat(gander().results().info(ids.get(42)).state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void enqueueAllWithAUniqueKeyWritesOneJobAndNamesItForEveryPayload() {
    Queue q = queue();
    JobId held = q.enqueue("first", opts().uniqueKey("k").build());
    List<JobId> ids = q.enqueueAll(List.of("a", "b", "c"), opts().uniqueKey("k").build());
    assertThat(ids).containsExactly(held, held, held);
    List<JobId> fresh = q.enqueueAll(List.of("d", "e"), opts().uniqueKey("other").build());
    assertThat(fresh.get(1)).isEqualTo(fresh.get(0)).isNotEqualTo(held);
    assertThat(q.stats().ready()).isEqualTo(2);
  }

  // ------------------------------------------------------------ transactions

  @Test
  void aTransactionCommitsTheApplicationsRowsAndItsJobsTogetherOrNeither() {
    String table = "gt_orders_" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    Gander g = gander();
    g.store()
        .write(
            c -> {
              try (Statement st = c.createStatement()) {
                st.executeUpdate(
                    "CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, total BIGINT)");
              }
              return null;
            });
    try {
      Queue q = queue();
      g.inTransaction(
          tx -> {
            try (PreparedStatement ps =
                tx.connection().prepareStatement("INSERT INTO " + table + " VALUES (?, ?)")) {
              ps.setLong(1, 1);
              ps.setLong(2, 9_900);
              ps.executeUpdate();
            }
            q.enqueue(tx, "order 1");
          });
      assertThat(count(table)).isEqualTo(1);
      assertThat(q.stats().ready()).isEqualTo(1);

      assertThatThrownBy(
              () ->
                  g.inTransaction(
                      tx -> {
                        try (PreparedStatement ps =
                            tx.connection()
                                .prepareStatement("INSERT INTO " + table + " VALUES (?, ?)")) {
                          ps.setLong(1, 2);
                          ps.setLong(2, 100);
                          ps.executeUpdate();
                        }
                        q.enqueue(tx, "order 2");
                        throw new IllegalStateException("changed my mind");
                      }))
          .hasMessage("changed my mind");
      assertThat(count(table)).isEqualTo(1);
      assertThat(q.stats().ready()).isEqualTo(1);

      EnqueueResult r =
          g.transactionResult(tx -> q.submit(tx, "order 3", opts().uniqueKey("order-3").build()));
      assertThat(r.isNew()).isTrue();
      assertThat(q.stats().ready()).isEqualTo(2);
    } finally {
      g.store()
          .write(
              c -> {
                try (Statement st = c.createStatement()) {
                  st.executeUpdate("DROP TABLE " + table);
                }
                return null;
              });
    }
  }

  private long count(String table) {
    return gander()
        .store()
        .read(
            c -> {
              try (Statement st = c.createStatement();
                  ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
                rs.next();
                return rs.getLong(1);
              }
            });
  }

  // ------------------------------------------------------------ a poller of this process

  @Test
  void aPollerWaitingInThisProcessGetsAJobEnqueuedMeanwhileLeasedAsAnyClaimWould()
      throws Exception {
    Queue q = queue();
    for (int round = 0; round < 3; round++) {
      String worker = "waiter-" + round;
      Future<Optional<Job>> polled =
          Blocked.submit(pool, () -> q.poll(worker, Duration.ofSeconds(60)));
      Instant before = Instant.now();
      JobId id = q.enqueue(new Item("handed", round));
      Job job = polled.get(60, TimeUnit.SECONDS).orElseThrow();
      assertThat(job.id()).isEqualTo(id);
      assertThat(job.workerId()).isEqualTo(worker);
      assertThat(job.attempt()).isEqualTo(1);
      assertThat(job.leaseExpiresAt()).isAfter(before);
      assertThat(job.payloadAs(Item.class)).isEqualTo(new Item("handed", round));
      QueueStats stats = q.stats();
      assertThat(stats.running()).isEqualTo(1);
      assertThat(stats.ready()).isZero();
      job.ack();
      assertThat(gander().results().info(id).state()).isEqualTo(JobState.SUCCEEDED);
    }
  }

  /**
   * {@code enqueue(payload)} called inside a write function joins it on SQLite (and runs on its own
   * on PostgreSQL): either way the waiting poller gets the job once it commits, and no job stays
   * leased to a poller that never saw it.
   */
  @Test
  void anEnqueueInsideAWriteFunctionReachesAWaitingPollerOnceItCommits() throws Exception {
    Queue q = queue();
    for (int round = 0; round < 3; round++) {
      Future<Optional<Job>> polled =
          Blocked.submit(pool, () -> q.poll("waiter", Duration.ofSeconds(60)));
      List<JobId> ids = new ArrayList<>();
      gander().inTransaction(t -> ids.add(q.enqueue("inside")));
      Job job = polled.get(60, TimeUnit.SECONDS).orElseThrow();
      assertThat(job.id()).isEqualTo(ids.get(0));
      job.ack();
      assertThat(q.stats().running()).isZero();
    }
    Future<Optional<Job>> polled =
        Blocked.submit(pool, () -> q.poll("waiter", Duration.ofSeconds(60)));
    List<JobId> ids = new ArrayList<>();
    gander().store().write(c -> ids.add(q.enqueue("in a store write")));
    Job job = polled.get(60, TimeUnit.SECONDS).orElseThrow();
    assertThat(job.id()).isEqualTo(ids.get(0));
    job.ack();
  }

  @Test
  void aWaitingPollerIsNotHandedAJobThatIsNotDueOrADuplicate() throws Exception {
    Queue q = queue();
    q.enqueue("first", EnqueueOptions.builder().uniqueKey("k").delay(Duration.ofHours(1)).build());
    Future<Optional<Job>> polled =
        Blocked.submit(pool, () -> q.poll("waiter", Duration.ofMillis(800)));
    q.enqueue("later", EnqueueOptions.builder().delay(Duration.ofHours(1)).build());
    EnqueueResult dup = q.submit("again", EnqueueOptions.builder().uniqueKey("k").build());
    assertThat(dup.duplicate()).isTrue();
    assertThat(polled.get(60, TimeUnit.SECONDS)).isEmpty();
    QueueStats stats = q.stats();
    assertThat(stats.scheduled()).isEqualTo(2);
    assertThat(stats.running()).isZero();
  }

  /**
   * Pollers that time out at once or are interrupted while jobs arrive: whatever an enqueue claimed
   * for a poller that then did not return it goes back to the queue, its attempt refunded, so every
   * job is returned exactly once and none stays leased to nobody.
   */
  @Test
  void pollersThatTimeOutOrAreInterruptedWhileJobsArriveKeepNoJobTheyDidNotReturn()
      throws Exception {
    Queue q = queue();
    int jobs = 400;
    Set<JobId> returned = ConcurrentHashMap.newKeySet();
    AtomicInteger twice = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    List<Poller> pollers = new ArrayList<>();
    for (int p = 0; p < 2; p++) {
      Poller poller = new Poller();
      poller.thread =
          new Thread(
              () -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (!stop.get()) {
                  Optional<Job> job = Optional.empty();
                  synchronized (poller) {
                    poller.inPoll = true;
                  }
                  try {
                    job = q.poll("p", Duration.ofMillis(random.nextInt(4)));
                  } catch (GanderException e) {
                    // Interrupted: the poll ends, as asked.
                  } finally {
                    synchronized (poller) {
                      poller.inPoll = false;
                      Thread.interrupted(); // an interrupt meant for the poll, not the ack
                    }
                  }
                  job.ifPresent(
                      j -> {
                        if (!returned.add(j.id())) {
                          twice.incrementAndGet();
                        }
                        j.ack();
                      });
                }
              },
              "handoff-poller-" + p);
      pollers.add(poller);
      poller.thread.start();
    }
    Thread interrupter =
        new Thread(
            () -> {
              ThreadLocalRandom random = ThreadLocalRandom.current();
              while (!stop.get()) {
                Poller poller = pollers.get(random.nextInt(pollers.size()));
                synchronized (poller) {
                  if (poller.inPoll) {
                    poller.thread.interrupt();
                  }
                }
                LockSupport.parkNanos(random.nextLong(TimeUnit.MILLISECONDS.toNanos(2)));
              }
            },
            "handoff-interrupter");
    interrupter.start();
    List<JobId> enqueued = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      enqueued.add(q.enqueue(i));
      LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(TimeUnit.MILLISECONDS.toNanos(1)));
    }
    stop.set(true);
    interrupter.join(30_000);
    for (Poller poller : pollers) {
      poller.thread.join(30_000);
      assertThat(poller.thread.isAlive()).isFalse();
    }
    assertThat(twice.get()).as("jobs returned twice").isZero();
    assertThat(q.stats().running())
        .as("jobs left leased to a poller that did not return them")
        .isZero();
    List<Job> rest = q.claim("drain", jobs);
    for (Job j : rest) {
      assertThat(j.attempt()).as("a job given back counts no attempt").isEqualTo(1);
      assertThat(returned.add(j.id())).as("returned once").isTrue();
      j.ack();
    }
    assertThat(returned).containsExactlyInAnyOrderElementsOf(enqueued);
  }

  private static final class Poller {
    Thread thread;
    boolean inPoll;
  }

  // ------------------------------------------------------------ two instances

  @Test
  void aPollInAnotherInstanceIsWokenByAnEnqueue() throws Exception {
    Queue q = queue();
    try (Gander other = openAnother()) {
      Queue there = other.queue(q.name());
      for (int round = 0; round < 3; round++) {
        Future<Optional<Job>> polled =
            Blocked.submit(pool, () -> there.poll("there", Duration.ofSeconds(60)));
        long start = System.nanoTime();
        JobId id = q.enqueue(new Item("round", round));
        Job job = polled.get(60, TimeUnit.SECONDS).orElseThrow();
        assertThat(job.id()).isEqualTo(id);
        // Woken by the commit, not by the end of its minute-long wait.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        job.ack();
      }
      // The other instance's ack wakes this one's result waiter.
      JobId id = q.enqueue("result across");
      Future<Optional<JobResult>> awaited =
          pool.submit(() -> gander().results().await(id, Duration.ofSeconds(60)));
      there.poll("there", Duration.ofSeconds(30)).orElseThrow().ack("done there");
      assertThat(awaited.get(60, TimeUnit.SECONDS).orElseThrow().as(String.class))
          .isEqualTo("done there");
    }
  }

  // ------------------------------------------------------------ managed workers

  @Test
  void managedWorkersProcessEveryJobAndStoreWhatTheHandlerReturns() throws Exception {
    Queue q = queue();
    List<Integer> payloads = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      payloads.add(i);
    }
    List<JobId> ids = q.enqueueAll(payloads);
    try (Worker w =
        q.process(
            job -> job.payloadAs(Integer.class) * 2,
            WorkerOptions.builder().concurrency(4).workerId("managed").build())) {
      assertThat(q.awaitDrained(Duration.ofSeconds(60))).isTrue();
      await("every job counted", () -> w.processed() == 60);
      assertThat(w.failed()).isZero();
      assertThat(w.workerId()).isEqualTo("managed");
    }
    assertThat(gander().results().get(ids.get(21)).orElseThrow().as(Integer.class)).isEqualTo(42);
  }

  @Test
  void aThrowingHandlerIsRetriedAndDeadLetteredAfterItsLastAttempt() throws Exception {
    Queue q =
        queue(
            QueueOptions.builder()
                .maxAttempts(2)
                .backoffBase(Duration.ofMillis(10))
                .backoffCap(Duration.ofMillis(20))
                .build());
    JobId flaky = q.enqueue("flaky");
    JobId hopeless = q.enqueue("hopeless");
    AtomicInteger flakyRuns = new AtomicInteger();
    try (Worker w =
        q.consume(
            job -> {
              if (job.payloadAs(String.class).equals("hopeless")
                  || flakyRuns.incrementAndGet() == 1) {
                throw new IllegalStateException("attempt " + job.attempt() + " failed");
              }
            },
            WorkerOptions.builder().concurrency(2).build())) {
      assertThat(q.awaitDrained(Duration.ofSeconds(60))).isTrue();
      // Failed attempts: the flaky job's first, both of the hopeless one's.
      await("every failed attempt counted", () -> w.failed() == 3);
      // Counted once its ack committed, by a hook that may run just after a reader saw the commit.
      await("the success counted", () -> w.processed() == 1);
      assertThat(w.processed()).isEqualTo(1);
    }
    assertThat(gander().results().info(flaky).state()).isEqualTo(JobState.SUCCEEDED);
    JobInfo dead = gander().results().info(hopeless);
    assertThat(dead.state()).isEqualTo(JobState.DEAD);
    assertThat(dead.lastError()).hasValueSatisfying(e -> assertThat(e).contains("attempt 2"));
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 30 s: " + what);
      }
      Thread.sleep(10);
    }
  }
}
