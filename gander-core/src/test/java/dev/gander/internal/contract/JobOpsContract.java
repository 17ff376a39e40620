package dev.gander.internal.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.internal.spi.JobOps;
import dev.gander.internal.spi.JobOps.Claimed;
import dev.gander.internal.spi.JobOps.Found;
import dev.gander.internal.spi.JobOps.Holder;
import dev.gander.internal.spi.JobOps.NewJob;
import dev.gander.internal.spi.JobOps.Place;
import dev.gander.internal.spi.JobOps.Stale;
import dev.gander.internal.spi.JobOps.Succeeded;
import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.TxRunner;
import dev.gander.internal.spi.TxWork;
import dev.gander.queue.DeadLetter;
import dev.gander.queue.QueueStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link JobOps}, through the SPI only: every backend's job operations pass it.
 * Times are given explicitly (no clock), so each test states the instants it means.
 *
 * <p>A backend's subclass supplies the {@link Subject} under test; {@link Subject#clear()} runs
 * before every test. The suite lives in a package of its own (not the SPI's, which belongs to
 * {@code dev.gander.core}) so that any backend module's tests can hold a copy or depend on it.
 */
public abstract class JobOpsContract {
  /** What a backend under test provides. */
  protected interface Subject {
    /**
     * The runner of the database under test.
     *
     * @return the runner
     */
    TxRunner runner();

    /**
     * The job operations under test.
     *
     * @return the operations
     */
    JobOps jobs();

    /**
     * Empties the job tables, so that every test starts from nothing.
     *
     * @throws Exception on failure
     */
    void clear() throws Exception;
  }

  /**
   * The backend under test, opened once per class by the subclass.
   *
   * @return the subject
   */
  protected abstract Subject subject();

  static final long T = 1_700_000_000_000L;
  static final long LEASE = 30_000;
  static final String Q = "emails";

  private TxRunner runner;
  private JobOps jobs;

  @BeforeEach
  void resetSubject() throws Exception {
    Subject s = subject();
    s.clear();
    runner = s.runner();
    jobs = s.jobs();
  }

  // ------------------------------------------------------------------ helpers

  private <T> T write(TxWork<T> work) {
    return runner.runWrite(work);
  }

  private <T> T read(TxWork<T> work) {
    return runner.runRead(work);
  }

  private static NewJob ready(String queue, String payload) {
    return job(queue, payload, 0, T - 1, JobOps.READY, null, Long.MAX_VALUE);
  }

  private static NewJob job(
      String queue,
      String payload,
      int priority,
      long runAt,
      int state,
      @Nullable String uniqueKey,
      long expiresAt) {
    return new NewJob(queue, payload, priority, runAt, state, 3, uniqueKey, expiresAt, T - 10);
  }

  private long insert(NewJob job) {
    OptionalLong id = write((Tx tx) -> jobs.insert(tx, job));
    assertThat(id).as("inserted %s", job).isPresent();
    return id.getAsLong();
  }

  private List<Claimed> claim(String queue, int max, long now) {
    return write((Tx tx) -> jobs.claim(tx, queue, "worker-1", max, now, now + LEASE, LEASE));
  }

  private Claimed claimOne(long now) {
    List<Claimed> c = claim(Q, 1, now);
    assertThat(c).hasSize(1);
    return c.get(0);
  }

  private Optional<Found> find(long id) {
    return read((Tx tx) -> jobs.find(tx, id, T));
  }

  private static List<Long> ids(List<Claimed> claimed) {
    List<Long> out = new ArrayList<>();
    for (Claimed c : claimed) {
      out.add(c.id());
    }
    return out;
  }

  private long dead(String payload, @Nullable String key, long diedAt) {
    long id = insert(job(Q, payload, 0, T - 1, JobOps.READY, key, Long.MAX_VALUE));
    assertThat(write((Tx tx) -> jobs.bury(tx, id, -1, "gave up", "failed", diedAt))).isTrue();
    return id;
  }

  // ------------------------------------------------------------------- insert

  @Test
  void idsGrowAndAreNeverReused() {
    long a = insert(ready(Q, "{\"n\":1}"));
    long b = insert(ready(Q, "{\"n\":2}"));
    assertThat(b).isGreaterThan(a);
    for (Claimed c : claim(Q, 2, T)) {
      assertThat(write((Tx tx) -> jobs.ack(tx, c.id(), c.token()))).isTrue();
    }
    long c = insert(ready(Q, "{\"n\":3}"));
    assertThat(c).isGreaterThan(b);
  }

  @Test
  void insertManyWritesEveryJobInTheOrderGiven() {
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      batch.add(
          job(
              Q,
              "{\"n\":" + i + "}",
              0,
              i % 2 == 0 ? T - 1 : T + 5_000,
              i % 2 == 0 ? JobOps.READY : JobOps.SCHEDULED,
              null,
              i == 3 ? T + 1_000 : Long.MAX_VALUE));
    }
    long[] ids = write((Tx tx) -> jobs.insertMany(tx, batch));
    assertThat(ids).hasSize(50);
    for (int i = 1; i < ids.length; i++) {
      assertThat(ids[i]).isGreaterThan(ids[i - 1]);
    }
    List<Claimed> now = claim(Q, 100, T);
    assertThat(now).extracting(Claimed::payload).first().isEqualTo("{\"n\":0}");
    assertThat(now).hasSize(25);
    assertThat(now).extracting(Claimed::id).containsExactly(evens(ids));
    List<Claimed> later = claim(Q, 100, T + 5_000);
    // Job 3 expired at T + 1s, before it could start.
    assertThat(later).hasSize(24).extracting(Claimed::payload).doesNotContain("{\"n\":3}");
    assertThat(later.get(0).payload()).isEqualTo("{\"n\":1}");
  }

  private static Long[] evens(long[] ids) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < ids.length; i += 2) {
      out.add(ids[i]);
    }
    return out.toArray(new Long[0]);
  }

  @Test
  void insertManyOfOneIsAnInsert() {
    long[] ids = write((Tx tx) -> jobs.insertMany(tx, List.of(ready(Q, "{}"))));
    assertThat(ids).hasSize(1);
    assertThat(claimOne(T).id()).isEqualTo(ids[0]);
  }

  @Test
  void claimReturnsTheJobLeasedWithItsFields() {
    NewJob j = job(Q, "{\"to\":\"alice\"}", 7, T - 5, JobOps.READY, "k", T + 60_000);
    long id = insert(j);
    Claimed c = claimOne(T);
    assertThat(c.id()).isEqualTo(id);
    assertThat(c.payload()).isEqualTo("{\"to\":\"alice\"}");
    assertThat(c.priority()).isEqualTo(7);
    assertThat(c.runAt()).isEqualTo(T - 5);
    assertThat(c.attempt()).isEqualTo(1);
    assertThat(c.maxAttempts()).isEqualTo(3);
    assertThat(c.enqueuedAt()).isEqualTo(T - 10);
    assertThat(c.lastError()).isNull();
    assertThat(c.expiresAt()).isEqualTo(T + 60_000);
    assertThat(find(id))
        .get()
        .extracting(Found::where, Found::state)
        .containsExactly(Place.LIVE, 1);

    insert(ready(Q, "{}"));
    assertThat(claimOne(T).expiresAt()).as("no expiry reads as never").isEqualTo(Long.MAX_VALUE);
  }

  // -------------------------------------------------------------------- claim

  @Test
  void claimTakesHigherPriorityFirstThenEarlierRunTimeThenEnqueueOrder() {
    long j1 = insert(job(Q, "1", 0, T - 100, JobOps.READY, null, Long.MAX_VALUE));
    long j2 = insert(job(Q, "2", 5, T - 50, JobOps.READY, null, Long.MAX_VALUE));
    long j3 = insert(job(Q, "3", 5, T - 80, JobOps.READY, null, Long.MAX_VALUE));
    long j4 = insert(job(Q, "4", 0, T - 100, JobOps.READY, null, Long.MAX_VALUE));
    long j5 = insert(job(Q, "5", -1, T - 1000, JobOps.READY, null, Long.MAX_VALUE));

    assertThat(ids(claim(Q, 10, T))).containsExactly(j3, j2, j1, j4, j5);
  }

  @Test
  void singleClaimsFollowClaimOrderToo() {
    long low = insert(job(Q, "low", 0, T - 100, JobOps.READY, null, Long.MAX_VALUE));
    long high = insert(job(Q, "high", 1, T - 1, JobOps.READY, null, Long.MAX_VALUE));
    long early = insert(job(Q, "early", 0, T - 200, JobOps.READY, null, Long.MAX_VALUE));
    assertThat(claimOne(T).id()).isEqualTo(high);
    assertThat(claimOne(T).id()).isEqualTo(early);
    assertThat(claimOne(T).id()).isEqualTo(low);
    assertThat(claim(Q, 1, T)).isEmpty();
  }

  @Test
  void claimTakesAtMostMaxAndOnlyFromItsQueue() {
    for (int i = 0; i < 5; i++) {
      insert(ready(Q, "{}"));
    }
    long other = insert(ready("other", "{}"));
    assertThat(claim(Q, 3, T)).hasSize(3);
    assertThat(claim(Q, 10, T)).hasSize(2);
    assertThat(claim(Q, 10, T)).isEmpty();
    assertThat(ids(claim("other", 10, T))).containsExactly(other);
  }

  @Test
  void scheduledJobIsClaimableFromItsRunTime() {
    long id = insert(job(Q, "later", 0, T + 1000, JobOps.SCHEDULED, null, Long.MAX_VALUE));
    assertThat(read((Tx tx) -> jobs.nextScheduled(tx, Q))).hasValue(T + 1000);
    assertThat(claim(Q, 1, T + 999)).isEmpty();
    assertThat(ids(claim(Q, 1, T + 1000))).containsExactly(id);
    assertThat(read((Tx tx) -> jobs.nextScheduled(tx, Q))).isEmpty();
  }

  @Test
  void claimPromotesOnlyItsOwnQueuesScheduledJobs() {
    insert(job("other", "x", 0, T - 1, JobOps.SCHEDULED, null, Long.MAX_VALUE));
    long mine = insert(job(Q, "y", 0, T - 1, JobOps.SCHEDULED, null, Long.MAX_VALUE));
    assertThat(ids(claim(Q, 10, T))).containsExactly(mine);
    assertThat(read((Tx tx) -> jobs.nextScheduled(tx, "other"))).hasValue(T - 1);
  }

  @Test
  void promotedJobsTakeTheirPlaceInClaimOrder() {
    long ready = insert(job(Q, "r", 0, T - 10, JobOps.READY, null, Long.MAX_VALUE));
    long due = insert(job(Q, "d", 0, T - 20, JobOps.SCHEDULED, null, Long.MAX_VALUE));
    assertThat(ids(claim(Q, 1, T))).containsExactly(due);
    assertThat(ids(claim(Q, 1, T))).containsExactly(ready);
  }

  @Test
  void claimSkipsJobsPastTheirExpiry() {
    long a = insert(job(Q, "a", 0, T - 1, JobOps.READY, null, T + 10));
    long b = insert(job(Q, "b", 0, T - 1, JobOps.READY, null, T + 20));
    assertThat(ids(claim(Q, 10, T + 10))).containsExactly(b);
    assertThat(claim(Q, 10, T + 10)).isEmpty();
    assertThat(ids(claim(Q, 10, T + 9))).as("skipped, not removed").containsExactly(a);
  }

  @Test
  void everyClaimCountsAnAttemptAndAdvancesTheLeaseToken() {
    long id = insert(ready(Q, "{}"));
    Claimed first = claimOne(T);
    assertThat(first.attempt()).isEqualTo(1);
    assertThat(write((Tx tx) -> jobs.release(tx, id, first.token(), false))).isTrue();

    Claimed second = claimOne(T);
    assertThat(second.attempt()).isEqualTo(2);
    assertThat(second.token()).isEqualTo(first.token() + 1);
    assertThat(write((Tx tx) -> jobs.release(tx, id, second.token(), true))).isTrue();

    Claimed third = claimOne(T);
    assertThat(third.attempt()).as("a refunded attempt does not count").isEqualTo(2);
    assertThat(third.token()).isEqualTo(second.token() + 1);
  }

  // --------------------------------------------------------------- unique keys

  @Test
  void aUniqueKeyAdmitsOneLiveJobPerQueue() {
    long id = insert(job(Q, "a", 0, T - 1, JobOps.READY, "order-42", T + 500));
    assertThat(write((Tx tx) -> jobs.insert(tx, job(Q, "b", 0, T, JobOps.READY, "order-42", 0))))
        .isEmpty();
    assertThat(read((Tx tx) -> jobs.holder(tx, Q, "order-42")))
        .hasValue(new Holder(id, JobOps.READY, T + 500, Long.MAX_VALUE, 0, 3));
    assertThat(read((Tx tx) -> jobs.holder(tx, Q, "order-43"))).isEmpty();

    insert(job("other", "c", 0, T - 1, JobOps.READY, "order-42", Long.MAX_VALUE));
    insert(ready(Q, "no key"));
    insert(ready(Q, "no key either"));
  }

  @Test
  void theHolderOfAKeyShowsItsLease() {
    long id = insert(job(Q, "a", 0, T - 1, JobOps.READY, "k", Long.MAX_VALUE));
    Claimed c = claimOne(T);
    Holder h = write((Tx tx) -> jobs.holder(tx, Q, "k")).orElseThrow();
    assertThat(h.id()).isEqualTo(id);
    assertThat(h.state()).isEqualTo(JobOps.RUNNING);
    assertThat(h.leaseUntil()).isEqualTo(T + LEASE);
    assertThat(h.attempt()).isEqualTo(1);
    assertThat(h.expiresAt()).isEqualTo(Long.MAX_VALUE);
    assertThat(write((Tx tx) -> jobs.ack(tx, id, c.token()))).isTrue();
    insert(job(Q, "again", 0, T, JobOps.READY, "k", Long.MAX_VALUE));
  }

  @Test
  void aDeadJobHoldsNoKey() {
    long id = dead("a", "k", T);
    long again = insert(job(Q, "b", 0, T, JobOps.READY, "k", Long.MAX_VALUE));
    assertThat(again).isNotEqualTo(id);
  }

  // ------------------------------------------------------------------- settle

  @Test
  void heartbeatExtendsOnlyTheCurrentLease() {
    long id = insert(ready(Q, "{}"));
    Claimed c = claimOne(T);
    assertThat(write((Tx tx) -> jobs.heartbeat(tx, id, c.token(), T + 90_000, 90_000))).isTrue();
    assertThat(write((Tx tx) -> jobs.expiredLeases(tx, T + LEASE))).isEmpty();
    assertThat(write((Tx tx) -> jobs.expiredLeases(tx, T + 90_000)))
        .extracting(Stale::id)
        .contains(id);
    assertThat(write((Tx tx) -> jobs.heartbeat(tx, id, c.token() + 1, T + 1, 1))).isFalse();
    assertThat(write((Tx tx) -> jobs.heartbeat(tx, id + 1000, c.token(), T + 1, 1))).isFalse();
  }

  @Test
  void aLostLeaseCanNeitherSettleNorExtend() {
    long id = insert(ready(Q, "{}"));
    Claimed old = claimOne(T);
    assertThat(write((Tx tx) -> jobs.requeueExpiredLease(tx, id, old.token()))).isTrue();
    Claimed current = claimOne(T + LEASE);
    long stale = old.token();

    assertThat(write((Tx tx) -> jobs.heartbeat(tx, id, stale, T + 99_999, 1))).isFalse();
    assertThat(write((Tx tx) -> jobs.ack(tx, id, stale))).isFalse();
    assertThat(write((Tx tx) -> jobs.retry(tx, id, stale, JobOps.READY, T, "x"))).isFalse();
    assertThat(write((Tx tx) -> jobs.release(tx, id, stale, true))).isFalse();
    assertThat(write((Tx tx) -> jobs.bury(tx, id, stale, "x", "failed", T))).isFalse();
    assertThat(find(id))
        .get()
        .extracting(Found::where, Found::state, Found::attempt, Found::lastError)
        .containsExactly(Place.LIVE, JobOps.RUNNING, 2, null);

    assertThat(write((Tx tx) -> jobs.ack(tx, id, current.token()))).isTrue();
  }

  @Test
  void ackDeletesTheJobOnce() {
    long id = insert(ready(Q, "{}"));
    Claimed c = claimOne(T);
    assertThat(write((Tx tx) -> jobs.ack(tx, id, c.token()))).isTrue();
    assertThat(write((Tx tx) -> jobs.ack(tx, id, c.token()))).isFalse();
    assertThat(find(id)).isEmpty();
    assertThat(read((Tx tx) -> jobs.isDrained(tx, Q))).isTrue();
  }

  @Test
  void ackManyDeletesTheJobsWhoseLeaseHoldsAndSaysWhich() {
    for (int i = 0; i < 4; i++) {
      insert(ready(Q, "{\"n\":" + i + "}"));
    }
    List<Claimed> c = claim(Q, 4, T);
    long[] ids = {c.get(0).id(), c.get(1).id(), c.get(2).id(), c.get(3).id(), c.get(0).id()};
    long[] tokens = {
      c.get(0).token(), c.get(1).token() + 1, c.get(2).token(), c.get(3).token(), c.get(0).token()
    };
    // The second with a stale token, the last a repeat of the first: acked once.
    boolean[] acked = write((Tx tx) -> jobs.ackMany(tx, ids, tokens));
    assertThat(acked).containsExactly(true, false, true, true, false);
    assertThat(find(c.get(0).id())).isEmpty();
    assertThat(find(c.get(1).id())).get().extracting(Found::where).isEqualTo(Place.LIVE);
    assertThat(
            write(
                (Tx tx) ->
                    jobs.ackMany(tx, new long[] {c.get(2).id()}, new long[] {c.get(2).token()})))
        .containsExactly(false);
    assertThat(write((Tx tx) -> jobs.ackMany(tx, new long[0], new long[0]))).isEmpty();
  }

  @Test
  void ackWithRecordDeletesTheJobAndSavesItsRecordOnlyIfTheLeaseHolds() {
    long id = insert(ready(Q, "{}"));
    Claimed c = claimOne(T);
    Succeeded record = new Succeeded(id, Q, "\"done\"", c.attempt(), T, T + 60_000);
    assertThat(write((Tx tx) -> jobs.ackWithRecord(tx, id, c.token() + 1, record))).isFalse();
    assertThat(read((Tx tx) -> jobs.result(tx, id, T))).isEmpty();
    assertThat(write((Tx tx) -> jobs.ackWithRecord(tx, id, c.token(), record))).isTrue();
    assertThat(read((Tx tx) -> jobs.result(tx, id, T)))
        .get()
        .extracting(r -> r.json())
        .isEqualTo("\"done\"");
    assertThat(write((Tx tx) -> jobs.ackWithRecord(tx, id, c.token(), record))).isFalse();
  }

  @Test
  void aReadyJobCannotBeAckedWithAnyToken() {
    long id = insert(ready(Q, "{}"));
    assertThat(write((Tx tx) -> jobs.ack(tx, id, 0))).isFalse();
    assertThat(write((Tx tx) -> jobs.bury(tx, id, 0, null, "failed", T))).isFalse();
    assertThat(find(id)).get().extracting(Found::where).isEqualTo(Place.LIVE);
  }

  @Test
  void retryPutsTheJobBackWithItsError() {
    long id = insert(ready(Q, "{}"));
    Claimed c = claimOne(T);
    assertThat(
            write((Tx tx) -> jobs.retry(tx, id, c.token(), JobOps.SCHEDULED, T + 5000, "smtp 451")))
        .isTrue();
    Found f = find(id).orElseThrow();
    assertThat(f.state()).isEqualTo(JobOps.SCHEDULED);
    assertThat(f.runAt()).isEqualTo(T + 5000);
    assertThat(f.lastError()).isEqualTo("smtp 451");
    assertThat(f.attempt()).isEqualTo(1);
    assertThat(write((Tx tx) -> jobs.expiredLeases(tx, Long.MAX_VALUE - 1))).isEmpty();

    assertThat(claim(Q, 1, T + 4999)).isEmpty();
    Claimed again = claimOne(T + 5000);
    assertThat(again.attempt()).isEqualTo(2);
    assertThat(again.lastError()).isEqualTo("smtp 451");
    assertThat(again.runAt()).isEqualTo(T + 5000);

    assertThat(write((Tx tx) -> jobs.retry(tx, id, again.token(), JobOps.READY, T + 5000, "again")))
        .isTrue();
    assertThat(claimOne(T + 5000).lastError()).isEqualTo("again");
  }

  @Test
  void releaseMakesTheJobReadyWithoutALease() {
    long id = insert(ready(Q, "{}"));
    Claimed c = claimOne(T);
    assertThat(write((Tx tx) -> jobs.release(tx, id, c.token(), true))).isTrue();
    assertThat(find(id)).get().extracting(Found::state, Found::attempt).containsExactly(0, 0);
    assertThat(write((Tx tx) -> jobs.expiredLeases(tx, Long.MAX_VALUE - 1))).isEmpty();
    assertThat(read((Tx tx) -> jobs.hasReady(tx, Q))).isTrue();
  }

  // ---------------------------------------------------------------- dead jobs

  @Test
  void buryMovesARunningJobToTheDeadLetters() {
    long id = insert(ready(Q, "{\"to\":\"bob\"}"));
    Claimed c = claimOne(T);
    assertThat(write((Tx tx) -> jobs.bury(tx, id, c.token(), "bad address", "failed", T + 7)))
        .isTrue();
    assertThat(find(id))
        .get()
        .extracting(Found::where, Found::queue, Found::deadReason, Found::lastError, Found::attempt)
        .containsExactly(Place.DEAD, Q, "failed", "bad address", 1);
    assertThat(read((Tx tx) -> jobs.deadLetters(tx, Q, 10)))
        .containsExactly(
            new DeadLetter(
                dev.gander.queue.JobId.of(id),
                Q,
                "{\"to\":\"bob\"}",
                1,
                "failed",
                Optional.of("bad address"),
                Instant.ofEpochMilli(T - 10),
                Instant.ofEpochMilli(T + 7)));
    assertThat(read((Tx tx) -> jobs.isDrained(tx, Q))).isTrue();
    assertThat(write((Tx tx) -> jobs.bury(tx, id, c.token(), "twice", "failed", T + 8))).isFalse();
  }

  @Test
  void buryWithoutAnErrorKeepsTheLastOne() {
    long id = insert(ready(Q, "{}"));
    Claimed c = claimOne(T);
    write((Tx tx) -> jobs.retry(tx, id, c.token(), JobOps.READY, T, "first failure"));
    Claimed again = claimOne(T);
    assertThat(write((Tx tx) -> jobs.bury(tx, id, again.token(), null, "lease-expired", T)))
        .isTrue();
    assertThat(find(id))
        .get()
        .extracting(Found::deadReason, Found::lastError, Found::attempt)
        .containsExactly("lease-expired", "first failure", 2);
  }

  @Test
  void buryWithoutATokenTakesAJobInAnyState() {
    long ready = insert(job(Q, "r", 0, T - 1, JobOps.READY, null, T));
    long scheduled = insert(job(Q, "s", 0, T + 99, JobOps.SCHEDULED, null, T));
    assertThat(write((Tx tx) -> jobs.bury(tx, ready, -1, null, "expired", T))).isTrue();
    assertThat(write((Tx tx) -> jobs.bury(tx, scheduled, -1, "expired", "expired", T))).isTrue();
    assertThat(write((Tx tx) -> jobs.bury(tx, ready, -1, null, "expired", T))).isFalse();
    assertThat(find(ready)).get().extracting(Found::deadReason).isEqualTo("expired");
    assertThat(read((Tx tx) -> jobs.deadLetters(tx, Q, 10))).hasSize(2);
  }

  @Test
  void requeuedDeadJobKeepsItsIdPayloadKeyAndTokenWithAFreshBudget() {
    long id = insert(job(Q, "{\"p\":1}", 3, T - 1, JobOps.READY, "k", Long.MAX_VALUE));
    Claimed c1 = claimOne(T);
    write((Tx tx) -> jobs.release(tx, id, c1.token(), false));
    Claimed c2 = claimOne(T);
    assertThat(write((Tx tx) -> jobs.bury(tx, id, c2.token(), "boom", "failed", T + 1))).isTrue();

    assertThat(write((Tx tx) -> jobs.requeueDead(tx, Q, id, T + 50)))
        .isEqualTo(new JobOps.Requeued(1, 0));
    Found f = find(id).orElseThrow();
    assertThat(f.where()).isEqualTo(Place.LIVE);
    assertThat(f.state()).isEqualTo(JobOps.READY);
    assertThat(f.runAt()).isEqualTo(T + 50);
    assertThat(f.attempt()).isZero();
    assertThat(f.lastError()).isEqualTo("boom");
    assertThat(read((Tx tx) -> jobs.deadLetters(tx, Q, 10))).isEmpty();
    assertThat(read((Tx tx) -> jobs.holder(tx, Q, "k"))).get().extracting(Holder::id).isEqualTo(id);

    Claimed c3 = claimOne(T + 50);
    assertThat(c3.id()).isEqualTo(id);
    assertThat(c3.payload()).isEqualTo("{\"p\":1}");
    assertThat(c3.priority()).isEqualTo(3);
    assertThat(c3.attempt()).isEqualTo(1);
    assertThat(c3.token()).as("tokens only grow").isEqualTo(c2.token() + 1);
    assertThat(c3.enqueuedAt()).isEqualTo(T - 10);
  }

  @Test
  void aDeadJobWhoseKeyALiveJobHoldsStaysDead() {
    long deadId = dead("old", "k", T);
    long live = insert(job(Q, "new", 0, T, JobOps.READY, "k", Long.MAX_VALUE));
    assertThat(write((Tx tx) -> jobs.requeueDead(tx, Q, deadId, T + 1)))
        .isEqualTo(new JobOps.Requeued(0, 1));
    assertThat(find(deadId)).get().extracting(Found::where).isEqualTo(Place.DEAD);
    assertThat(find(live)).get().extracting(Found::where).isEqualTo(Place.LIVE);
    assertThat(write((Tx tx) -> jobs.requeueDead(tx, Q, null, T + 1)))
        .isEqualTo(new JobOps.Requeued(0, 1));
  }

  @Test
  void requeueingAllRevivesOnlyTheNewestDeadJobOfAKey() {
    long older = dead("a", "k", T + 1);
    long newer = dead("b", "k", T + 2);
    long keyless = dead("c", null, T + 3);
    long sameTimeLow = dead("d", "j", T + 4);
    long sameTimeHigh = dead("e", "j", T + 4);
    long otherQueue = insert(ready("other", "x"));
    write((Tx tx) -> jobs.bury(tx, otherQueue, -1, null, "failed", T));

    assertThat(write((Tx tx) -> jobs.requeueDead(tx, Q, null, T + 10)))
        .isEqualTo(new JobOps.Requeued(3, 2));
    assertThat(find(newer)).get().extracting(Found::where).isEqualTo(Place.LIVE);
    assertThat(find(keyless)).get().extracting(Found::where).isEqualTo(Place.LIVE);
    assertThat(find(sameTimeHigh)).get().extracting(Found::where).isEqualTo(Place.LIVE);
    assertThat(find(older)).get().extracting(Found::where).isEqualTo(Place.DEAD);
    assertThat(find(sameTimeLow)).get().extracting(Found::where).isEqualTo(Place.DEAD);
    assertThat(find(otherQueue)).get().extracting(Found::where).isEqualTo(Place.DEAD);
  }

  @Test
  void requeueOfAnUnknownDeadJobMovesNothing() {
    assertThat(write((Tx tx) -> jobs.requeueDead(tx, Q, 123_456_789L, T)))
        .isEqualTo(new JobOps.Requeued(0, 0));
  }

  @Test
  void purgeDeadDeletesOneOrAllOfAQueue() {
    long a = dead("a", null, T);
    dead("b", null, T);
    long other = insert(ready("other", "x"));
    write((Tx tx) -> jobs.bury(tx, other, -1, null, "failed", T));
    assertThat(write((Tx tx) -> jobs.purgeDead(tx, Q, a))).isEqualTo(1);
    assertThat(write((Tx tx) -> jobs.purgeDead(tx, Q, a))).isZero();
    assertThat(write((Tx tx) -> jobs.purgeDead(tx, Q, null))).isEqualTo(1);
    assertThat(write((Tx tx) -> jobs.purgeDead(tx, Q, other))).as("another queue's").isZero();
    assertThat(read((Tx tx) -> jobs.deadLetters(tx, "other", 10))).hasSize(1);
  }

  @Test
  void deadLettersAreListedOldestFirstUpToTheLimit() {
    long third = dead("3", null, T + 3);
    long first = dead("1", null, T + 1);
    long second = dead("2", null, T + 2);
    assertThat(read((Tx tx) -> jobs.deadLetters(tx, Q, 10)))
        .extracting(d -> d.id().value())
        .containsExactly(first, second, third);
    assertThat(read((Tx tx) -> jobs.deadLetters(tx, Q, 2))).hasSize(2);
    assertThat(read((Tx tx) -> jobs.deadLetters(tx, "other", 10))).isEmpty();
  }

  // ------------------------------------------------------------------ records

  @Test
  void succeededRecordsKeepTheirResultUntilTheyExpire() {
    write(
        tx -> {
          jobs.saveSucceeded(
              tx,
              List.of(
                  new Succeeded(1001, Q, "{\"ok\":1}", 1, T, T + 1000),
                  new Succeeded(1002, Q, null, 2, T, T + 500)));
          return null;
        });
    assertThat(read((Tx tx) -> jobs.result(tx, 1001, T + 999)))
        .hasValue(new JobOps.StoredResult("{\"ok\":1}", T + 1000));
    assertThat(read((Tx tx) -> jobs.result(tx, 1001, T + 1000))).isEmpty();
    assertThat(read((Tx tx) -> jobs.result(tx, 1002, T))).as("no value, no result").isEmpty();

    Found f = read((Tx tx) -> jobs.find(tx, 1002, T)).orElseThrow();
    assertThat(f.where()).isEqualTo(Place.SUCCEEDED);
    assertThat(f.queue()).isEqualTo(Q);
    assertThat(f.attempt()).isEqualTo(2);
    assertThat(f.json()).isNull();
    assertThat(f.expiresAt()).isEqualTo(T + 500);
    assertThat(read((Tx tx) -> jobs.find(tx, 1001, T)))
        .get()
        .extracting(Found::json)
        .isEqualTo("{\"ok\":1}");
    assertThat(read((Tx tx) -> jobs.find(tx, 1002, T + 500))).as("expired record").isEmpty();

    assertThat(read((Tx tx) -> jobs.nextSweepAt(tx, T))).isEqualTo(T + 500);
    assertThat(write((Tx tx) -> jobs.purgeSucceeded(tx, T + 500))).isEqualTo(1);
    assertThat(read((Tx tx) -> jobs.find(tx, 1002, T))).isEmpty();
    assertThat(read((Tx tx) -> jobs.find(tx, 1001, T))).isPresent();
  }

  @Test
  void savingARecordAgainReplacesIt() {
    write(
        tx -> {
          jobs.saveSucceeded(tx, List.of(new Succeeded(7, Q, "1", 1, T, T + 10)));
          return null;
        });
    write(
        tx -> {
          jobs.saveSucceeded(tx, List.of(new Succeeded(7, Q, "2", 2, T + 1, T + 20)));
          return null;
        });
    assertThat(read((Tx tx) -> jobs.result(tx, 7, T)))
        .hasValue(new JobOps.StoredResult("2", T + 20));
  }

  @Test
  void manyRecordsAreSavedTogether() {
    List<Succeeded> records = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      records.add(
          new Succeeded(5000 + i, Q, i % 2 == 0 ? null : "\"r" + i + "\"", 1, T, T + i + 1));
    }
    write(
        tx -> {
          jobs.saveSucceeded(tx, records);
          return null;
        });
    assertThat(read((Tx tx) -> jobs.result(tx, 5001, T)))
        .hasValue(new JobOps.StoredResult("\"r1\"", T + 2));
    assertThat(read((Tx tx) -> jobs.find(tx, 5098, T)))
        .get()
        .extracting(Found::where)
        .isEqualTo(Place.SUCCEEDED);
    assertThat(write((Tx tx) -> jobs.purgeSucceeded(tx, T + 100))).isEqualTo(100);
  }

  // -------------------------------------------------------------------- sweep

  @Test
  void expiredLeasesAreFoundAndMadeClaimableAgain() {
    long a = insert(ready(Q, "a"));
    Claimed ca = write((Tx tx) -> jobs.claim(tx, Q, "w", 1, T, T + 1000, 1000)).get(0);
    long b = insert(ready(Q, "b"));
    write((Tx tx) -> jobs.claim(tx, Q, "w", 1, T, T + 2000, 2000));

    assertThat(write((Tx tx) -> jobs.expiredLeases(tx, T + 999))).isEmpty();
    assertThat(write((Tx tx) -> jobs.expiredLeases(tx, T + 1000)))
        .containsExactly(new Stale(a, Q, ca.token(), 1, 3, null));
    assertThat(write((Tx tx) -> jobs.expiredLeases(tx, T + 2000)))
        .extracting(Stale::id)
        .containsExactlyInAnyOrder(a, b);

    assertThat(write((Tx tx) -> jobs.requeueExpiredLease(tx, a, ca.token()))).isTrue();
    assertThat(write((Tx tx) -> jobs.requeueExpiredLease(tx, a, ca.token()))).isFalse();
    assertThat(read((Tx tx) -> jobs.hasReady(tx, Q))).isTrue();
    assertThat(claimOne(T + 1000).id()).isEqualTo(a);
  }

  @Test
  void expiredWaitingFindsReadyAndScheduledJobsPastTheirExpiryButNotRunningOnes() {
    long running = insert(job(Q, "run", 9, T - 1, JobOps.READY, null, T + 10));
    claimOne(T);
    long ready = insert(job(Q, "r", 0, T - 1, JobOps.READY, null, T + 10));
    long scheduled = insert(job(Q, "s", 0, T + 100, JobOps.SCHEDULED, null, T + 10));
    insert(job(Q, "later", 0, T - 1, JobOps.READY, null, T + 11));
    insert(ready(Q, "never"));

    assertThat(write((Tx tx) -> jobs.expiredWaiting(tx, T + 9))).isEmpty();
    assertThat(write((Tx tx) -> jobs.expiredWaiting(tx, T + 10)))
        .extracting(Stale::id)
        .containsExactlyInAnyOrder(ready, scheduled)
        .doesNotContain(running);
    assertThat(write((Tx tx) -> jobs.expiredWaiting(tx, T + 10)))
        .filteredOn(s -> s.id() == ready)
        .containsExactly(new Stale(ready, Q, 0, 0, 3, null));
  }

  @Test
  void clampLeasesShortensLeasesGrantedInTheFuture() {
    long id = insert(ready(Q, "a"));
    write((Tx tx) -> jobs.claim(tx, Q, "w", 1, T, T + LEASE, LEASE));
    insert(ready(Q, "forever"));
    write((Tx tx) -> jobs.claim(tx, Q, "w", 1, T, Long.MAX_VALUE, Long.MAX_VALUE));

    assertThat(write((Tx tx) -> jobs.clampLeases(tx, T))).isZero();
    long stepped = T - 60_000;
    assertThat(read((Tx tx) -> jobs.nextSweepAt(tx, stepped))).as("clamp now").isEqualTo(stepped);
    assertThat(write((Tx tx) -> jobs.clampLeases(tx, stepped))).isEqualTo(1);
    assertThat(write((Tx tx) -> jobs.expiredLeases(tx, stepped + LEASE)))
        .extracting(Stale::id)
        .containsExactly(id);
    assertThat(write((Tx tx) -> jobs.clampLeases(tx, stepped))).isZero();
  }

  @Test
  void aGrantWithinTheSlackIsNotAStepBack() {
    long id = insert(ready(Q, "a"));
    write((Tx tx) -> jobs.claim(tx, Q, "w", 1, T, T + LEASE, LEASE));
    // Another process, reading time a little behind the one that granted the lease.
    long behind = T - JobOps.GRANT_SLACK_MS / 2;
    assertThat(read((Tx tx) -> jobs.nextSweepAt(tx, behind))).isEqualTo(T + LEASE);
    assertThat(write((Tx tx) -> jobs.clampLeases(tx, behind))).isZero();
    assertThat(write((Tx tx) -> jobs.expiredLeases(tx, T + LEASE - 1))).isEmpty();
    assertThat(write((Tx tx) -> jobs.expiredLeases(tx, T + LEASE)))
        .extracting(Stale::id)
        .containsExactly(id);
  }

  @Test
  void nextSweepAtIsTheEarliestPendingWork() {
    assertThat(read((Tx tx) -> jobs.nextSweepAt(tx, T))).isEqualTo(Long.MAX_VALUE);
    insert(ready(Q, "a"));
    write((Tx tx) -> jobs.claim(tx, Q, "w", 1, T, T + 1000, 1000));
    assertThat(read((Tx tx) -> jobs.nextSweepAt(tx, T))).isEqualTo(T + 1000);
    insert(job(Q, "b", 0, T + 9999, JobOps.SCHEDULED, null, T + 700));
    assertThat(read((Tx tx) -> jobs.nextSweepAt(tx, T))).isEqualTo(T + 700);
    write(
        tx -> {
          jobs.saveSucceeded(tx, List.of(new Succeeded(99, Q, null, 1, T, T + 300)));
          return null;
        });
    assertThat(read((Tx tx) -> jobs.nextSweepAt(tx, T))).isEqualTo(T + 300);
  }

  // -------------------------------------------------------------------- reads

  @Test
  void hasReadyAndIsDrainedFollowTheQueue() {
    assertThat(read((Tx tx) -> jobs.hasReady(tx, Q))).isFalse();
    assertThat(read((Tx tx) -> jobs.isDrained(tx, Q))).isTrue();
    long s = insert(job(Q, "s", 0, T + 100, JobOps.SCHEDULED, null, Long.MAX_VALUE));
    assertThat(read((Tx tx) -> jobs.hasReady(tx, Q))).isFalse();
    assertThat(read((Tx tx) -> jobs.isDrained(tx, Q))).isFalse();
    insert(ready(Q, "r"));
    assertThat(read((Tx tx) -> jobs.hasReady(tx, Q))).isTrue();
    assertThat(read((Tx tx) -> jobs.isDrained(tx, "other"))).isTrue();

    List<Claimed> all = claim(Q, 10, T + 100);
    assertThat(ids(all)).contains(s);
    assertThat(read((Tx tx) -> jobs.hasReady(tx, Q))).isFalse();
    assertThat(read((Tx tx) -> jobs.isDrained(tx, Q))).as("running jobs are live").isFalse();
    for (Claimed c : all) {
      write((Tx tx) -> jobs.ack(tx, c.id(), c.token()));
    }
    assertThat(read((Tx tx) -> jobs.isDrained(tx, Q))).isTrue();
  }

  @Test
  void statsCountEachStateAndTheAgeOfTheOldestReadyJob() {
    assertThat(read((Tx tx) -> jobs.stats(tx, Q, T)))
        .isEqualTo(new QueueStats(0, 0, 0, 0, Duration.ZERO));

    insert(job(Q, "running", 10, T - 100, JobOps.READY, null, Long.MAX_VALUE));
    claimOne(T);
    dead("dead", null, T);
    insert(job(Q, "a", 0, T - 1000, JobOps.READY, null, Long.MAX_VALUE));
    insert(job(Q, "b", 0, T - 500, JobOps.READY, null, Long.MAX_VALUE));
    insert(job(Q, "due", 0, T - 2000, JobOps.SCHEDULED, null, Long.MAX_VALUE));
    insert(job(Q, "later", 0, T + 5000, JobOps.SCHEDULED, null, Long.MAX_VALUE));
    insert(ready("other", "x"));

    assertThat(read((Tx tx) -> jobs.stats(tx, Q, T)))
        .isEqualTo(new QueueStats(3, 1, 1, 1, Duration.ofMillis(2000)));
  }

  @Test
  void findTellsWhereAJobIs() {
    assertThat(find(424_242)).isEmpty();
    long id = insert(job(Q, "x", 0, T - 3, JobOps.READY, null, Long.MAX_VALUE));
    Found live = find(id).orElseThrow();
    assertThat(live.where()).isEqualTo(Place.LIVE);
    assertThat(live.queue()).isEqualTo(Q);
    assertThat(live.state()).isEqualTo(JobOps.READY);
    assertThat(live.runAt()).isEqualTo(T - 3);
    assertThat(live.attempt()).isZero();
    assertThat(live.lastError()).isNull();
    assertThat(live.deadReason()).isNull();
  }
}
