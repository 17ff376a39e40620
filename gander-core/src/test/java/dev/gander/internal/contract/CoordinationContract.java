package dev.gander.internal.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.Gander;
import dev.gander.GanderClosedException;
import dev.gander.InvalidNameException;
import dev.gander.lock.Lock;
import dev.gander.lock.LockInfo;
import dev.gander.lock.LockLostException;
import dev.gander.ratelimit.RateLimitDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * Advisory locks and rate limits through the public API, which every backend must keep: one holder
 * at a time, fencing tokens that only grow, a lost lock refused, waiters woken by the release or
 * the expiry, and exact counts per window across instances.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class CoordinationContract {
  /**
   * The instance under test, open for the whole class.
   *
   * @return the instance
   */
  protected abstract Gander gander();

  /**
   * Opens a second instance on the same database; the test closes it.
   *
   * @return a new instance
   */
  protected abstract Gander openAnother();

  private String prefix;
  private ExecutorService pool;

  @BeforeEach
  void name(TestInfo info) {
    String method = info.getTestMethod().orElseThrow().getName();
    prefix =
        (method.length() > 60 ? method.substring(0, 60) : method)
            + "-"
            + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stopThreads() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  private static final Duration MINUTE = Duration.ofMinutes(1);

  // ------------------------------------------------------------------ locks

  @Test
  void oneHolderAtATimeWithTokensThatOnlyGrow() {
    String name = prefix;
    Lock a = gander().tryLock(name, "host-a", MINUTE).orElseThrow();
    assertThat(a.name()).isEqualTo(name);
    assertThat(a.owner()).isEqualTo("host-a");
    assertThat(a.fencingToken()).isPositive();
    assertThat(a.expiresAt()).isAfter(Instant.now().plusSeconds(30));
    assertThat(gander().tryLock(name, "host-b", MINUTE)).isEmpty();
    assertThat(gander().tryLock(name, "host-a", MINUTE)).as("not reentrant").isEmpty();
    List<LockInfo> held = gander().locks();
    assertThat(held)
        .filteredOn(l -> l.name().equals(name))
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.owner()).isEqualTo("host-a");
              assertThat(l.fencingToken()).isEqualTo(a.fencingToken());
            });
    a.release();
    a.release(); // a second release does nothing
    assertThat(gander().locks()).noneMatch(l -> l.name().equals(name));
    try (Lock b = gander().tryLock(name, "host-b", MINUTE).orElseThrow()) {
      assertThat(b.fencingToken()).isGreaterThan(a.fencingToken());
    }
    try (Gander other = openAnother();
        Lock c = other.tryLock(name, "host-c", MINUTE).orElseThrow()) {
      assertThat(c.fencingToken()).isGreaterThan(a.fencingToken() + 1);
      assertThat(gander().tryLock(name, "host-a", MINUTE)).isEmpty();
    }
  }

  @Test
  void aHolderWhoseLockRanOutAndWasTakenCanNeitherExtendNorReleaseIt() throws Exception {
    String name = prefix;
    Lock stale = gander().tryLock(name, "paused", Duration.ofMillis(100)).orElseThrow();
    Thread.sleep(300);
    assertThatThrownBy(() -> stale.heartbeat(MINUTE))
        .as("run out, even before anyone took it")
        .isInstanceOf(LockLostException.class);
    Lock next = gander().tryLock(name, "next", MINUTE).orElseThrow();
    assertThat(next.fencingToken()).isGreaterThan(stale.fencingToken());
    assertThatThrownBy(() -> stale.heartbeat(MINUTE)).isInstanceOf(LockLostException.class);
    assertThatThrownBy(stale::release).isInstanceOf(LockLostException.class);
    assertThat(gander().locks())
        .filteredOn(l -> l.name().equals(name))
        .singleElement()
        .extracting(LockInfo::owner)
        .isEqualTo("next");
    next.close();
  }

  @Test
  void aHeartbeatExtendsTheLock() throws Exception {
    String name = prefix;
    try (Lock lock = gander().tryLock(name, "worker", Duration.ofMillis(300)).orElseThrow()) {
      Instant first = lock.expiresAt();
      lock.heartbeat(MINUTE);
      assertThat(lock.expiresAt()).isAfter(first);
      Thread.sleep(500);
      assertThat(gander().tryLock(name, "other", MINUTE)).isEmpty();
      lock.heartbeat(MINUTE);
    }
  }

  @Test
  void aWaiterIsWokenByTheReleaseOfAnotherInstance() throws Exception {
    String name = prefix;
    try (Gander other = openAnother()) {
      Lock held = other.tryLock(name, "holder", Duration.ofMinutes(5)).orElseThrow();
      Future<Optional<Lock>> waiter =
          Blocked.submit(pool, () -> gander().lock(name, "waiter", MINUTE, Duration.ofMinutes(2)));
      assertThat(waiter.isDone()).isFalse();
      long released = System.nanoTime();
      held.release();
      Lock got = waiter.get(60, TimeUnit.SECONDS).orElseThrow();
      assertThat(got.owner()).isEqualTo("waiter");
      assertThat(got.fencingToken()).isGreaterThan(held.fencingToken());
      // Woken by the release, long before the holder's five minutes.
      assertThat(System.nanoTime() - released).isLessThan(TimeUnit.SECONDS.toNanos(60));
      got.release();
    }
  }

  @Test
  void aWaiterTakesTheLockWhenItsHolderRunsOutAndGivesUpAfterItsWait() throws Exception {
    String name = prefix;
    gander().tryLock(name, "dies", Duration.ofMillis(300)).orElseThrow();
    Optional<Lock> got = gander().lock(name, "patient", MINUTE, MINUTE);
    assertThat(got).isPresent();
    assertThat(gander().lock(name, "impatient", MINUTE, Duration.ofMillis(200))).isEmpty();
    assertThat(gander().lock(name, "no wait", MINUTE, Duration.ZERO)).isEmpty();
    got.get().release();
    assertThat(gander().lock(name, "no wait", MINUTE, Duration.ZERO)).isPresent();
  }

  @Test
  void threadsOfTwoInstancesNeverHoldALockTogether() throws Exception {
    String name = prefix;
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    List<Long> tokens = java.util.Collections.synchronizedList(new ArrayList<>());
    try (Gander other = openAnother()) {
      List<Future<?>> all = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Gander g = t % 2 == 0 ? gander() : other;
        String owner = "t" + t;
        all.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 50; i++) {
                    try (Lock lock = g.lock(name, owner, MINUTE, MINUTE).orElseThrow()) {
                      if (inside.incrementAndGet() != 1) {
                        overlaps.incrementAndGet();
                      }
                      tokens.add(lock.fencingToken());
                      inside.decrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : all) {
        f.get(120, TimeUnit.SECONDS);
      }
    }
    assertThat(overlaps.get()).isZero();
    assertThat(tokens).hasSize(200).doesNotHaveDuplicates().isSorted();
  }

  @Test
  void badArgumentsAreRefused() {
    assertThatThrownBy(() -> gander().tryLock("bad name", "o", MINUTE))
        .isInstanceOf(InvalidNameException.class);
    assertThatThrownBy(() -> gander().tryLock(prefix, " ", MINUTE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> gander().tryLock(prefix, "o", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> gander().tryRateLimit("bad key!", 1, MINUTE))
        .isInstanceOf(InvalidNameException.class);
    assertThatThrownBy(() -> gander().tryRateLimit(prefix, 0, MINUTE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> gander().tryRateLimit(prefix, 1, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aWaiterIsToldWhenTheDatabaseCloses() throws Exception {
    String name = prefix;
    gander().tryLock(name, "holder", MINUTE).orElseThrow();
    Gander other = openAnother();
    Future<Optional<Lock>> waiter =
        Blocked.submit(pool, () -> other.lock(name, "waiter", MINUTE, Duration.ofMinutes(2)));
    other.close();
    assertThatThrownBy(() -> waiter.get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(GanderClosedException.class);
  }

  // ------------------------------------------------------------ rate limits

  @Test
  void aRateLimitAllowsExactlyTheLimitPerWindowAndSaysWhatIsLeft() {
    String key = prefix;
    Duration hour = Duration.ofHours(1);
    RateLimitDecision first = gander().rateLimit(key, 3, hour);
    assertThat(first.allowed()).isTrue();
    assertThat(first.remaining()).isEqualTo(2);
    assertThat(first.resetAt().toEpochMilli() % hour.toMillis()).isZero();
    assertThat(first.resetAt()).isAfter(Instant.now().minusSeconds(5));
    assertThat(gander().rateLimit(key, 3, hour).remaining()).isEqualTo(1);
    assertThat(gander().tryRateLimit(key, 3, hour)).isTrue();
    RateLimitDecision refused = gander().rateLimit(key, 3, hour);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.remaining()).isZero();
    assertThat(refused.resetAt()).isEqualTo(first.resetAt());
    assertThat(gander().tryRateLimit(key + "-other", 3, hour)).isTrue();
  }

  @Test
  void threadsOfTwoInstancesGetExactlyTheLimitBetweenThem() throws Exception {
    String key = prefix;
    AtomicInteger allowed = new AtomicInteger();
    try (Gander other = openAnother()) {
      List<Future<?>> all = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Gander g = t % 2 == 0 ? gander() : other;
        all.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 100; i++) {
                    if (g.tryRateLimit(key, 150, Duration.ofHours(1))) {
                      allowed.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : all) {
        f.get(120, TimeUnit.SECONDS);
      }
    }
    // 400 calls in one hour-long window (unless it just turned: then two windows, at most 300).
    assertThat(allowed.get()).isIn(150, 300);
  }
}
