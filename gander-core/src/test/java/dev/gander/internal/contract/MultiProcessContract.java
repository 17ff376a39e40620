package dev.gander.internal.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.Gander;
import dev.gander.pubsub.Listener;
import dev.gander.pubsub.Notification;
import dev.gander.stream.Event;
import dev.gander.stream.Subscription;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every capability across separate JVMs ({@link QueueChild}) on one database, as on many machines:
 * queues with a worker killed, stream publishers, a notifying process, lock contention and
 * hand-over, and a shared rate limit; the same scenarios on every backend. A backend's subclass
 * says how a child reaches the database and how the test reads its tables.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class MultiProcessContract {
  private static final int PRODUCERS = 4;
  private static final int PER_PRODUCER = 2_500;
  private static final int JOBS = PRODUCERS * PER_PRODUCER;

  /** Where children write their output files. */
  @TempDir protected Path dir;

  /**
   * The target argument of {@link QueueChild} for the database under test.
   *
   * @return the argument
   */
  protected abstract String target();

  /**
   * Opens Gander on the database under test in this process.
   *
   * @return a new Gander
   */
  protected abstract Gander open();

  /**
   * A plain JDBC connection to the database under test, for reading Gander's tables.
   *
   * @return a new connection
   * @throws SQLException on failure
   */
  protected abstract Connection connect() throws SQLException;

  /**
   * A Gander table's name as SQL, qualified where the backend needs it.
   *
   * @param table such as {@code gander_jobs}
   * @return the name to use in SQL
   */
  protected abstract String table(String table);

  /**
   * Checks what only this backend can tell once every job is done; nothing by default.
   *
   * @param c a connection to the database
   * @param jobs how many jobs were produced
   * @throws SQLException on failure
   */
  protected void checkAfterwards(Connection c, int jobs) throws SQLException {}

  private Jvm child(String name, String command, String... args) throws Exception {
    List<String> all = new ArrayList<>();
    all.add(command);
    all.add(target());
    all.addAll(List.of(args));
    return new Jvm(name, dir, QueueChild.class, all.toArray(new String[0]));
  }

  /**
   * Four producer and four worker processes share 10,000 jobs; one worker, slow on purpose so that
   * it surely holds leases, is killed with {@code destroyForcibly()} mid-run. The others finish
   * everything, including the killed worker's jobs once its leases run out, and no job is acked
   * twice.
   *
   * @throws Exception on failure
   */
  @Test
  void fourProducersAndFourWorkersProcessEveryJobOnceThoughAWorkerIsKilled() throws Exception {
    open().close(); // migrate once, so the processes start on equal footing
    List<Jvm> all = new ArrayList<>();
    try {
      Jvm doomed = child("doomed-worker", "work", "4", "5", "40");
      all.add(doomed);
      List<Jvm> workers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Jvm w = child("worker-" + i, "work", "2", "0", "-1");
        workers.add(w);
        all.add(w);
      }
      for (Jvm w : all) {
        assertThat(w.next(60)).as(w.describe()).isEqualTo("working");
      }
      List<Jvm> producers = new ArrayList<>();
      for (int p = 0; p < PRODUCERS; p++) {
        Jvm producer = child("producer-" + p, "produce", "p" + p, Integer.toString(PER_PRODUCER));
        producers.add(producer);
        all.add(producer);
      }

      // Kill the doomed worker mid-run: after 40 acks it hangs on the next job it claims, so it
      // surely dies holding a lease.
      Set<Long> held = new HashSet<>();
      while (held.isEmpty()) {
        String line = doomed.next(60);
        assertThat(line).as(doomed.describe()).isNotEqualTo(Jvm.EOF);
        if (line.startsWith("holding ")) {
          held.add(Long.parseLong(line.substring("holding ".length())));
        }
      }
      doomed.process.destroyForcibly();
      assertThat(doomed.process.waitFor(30, TimeUnit.SECONDS)).isTrue();

      for (Jvm p : producers) {
        assertThat(p.next(180)).as(p.describe()).isEqualTo("produced " + PER_PRODUCER);
        assertThat(p.stop(60)).as(p.describe()).isZero();
      }
      try (Connection c = connect()) {
        // Every job is finished once nothing is left: the killed worker's leased jobs come back
        // after the 2 s visibility timeout and are taken by the others.
        awaitEmptyQueue(c, Duration.ofSeconds(180));
        for (Jvm w : workers) {
          assertThat(w.stop(60)).as(w.describe()).isZero();
        }
        assertThat(count(c, "gander_jobs")).isZero();
        assertThat(count(c, "gander_dead_jobs")).isZero();
        Map<Long, String> results = results(c);
        // One result per job, written by the ack that finished it.
        assertThat(results).hasSize(JOBS);
        checkAfterwards(c, JOBS);

        // No job was acked twice: every printed ack is distinct, by id and by payload, and is the
        // very ack whose result the database kept.
        Set<Long> ackedIds = new HashSet<>();
        Set<String> ackedKeys = new HashSet<>();
        List<Jvm> ackers = new ArrayList<>(workers);
        ackers.add(doomed);
        for (Jvm w : ackers) {
          String pid = Long.toString(w.process.pid());
          for (String line : w.drain()) {
            if (!line.startsWith("acked ")) {
              continue;
            }
            String[] parts = line.split(" ");
            long id = Long.parseLong(parts[1]);
            assertThat(ackedIds.add(id)).as("job %d acked twice", id).isTrue();
            assertThat(ackedKeys.add(parts[2])).as("payload %s acked twice", parts[2]).isTrue();
            assertThat(results.get(id)).startsWith(pid + ":");
          }
        }
        // Acks the killed worker committed but did not live to print are in the results with its
        // pid; all others were printed.
        String doomedPid = doomed.process.pid() + ":";
        for (Map.Entry<Long, String> r : results.entrySet()) {
          if (!ackedIds.contains(r.getKey())) {
            assertThat(r.getValue())
                .as("unprinted ack of job %d", r.getKey())
                .startsWith(doomedPid);
          }
        }
        assertThat(JOBS - ackedIds.size()).isLessThanOrEqualTo(4);
        // The jobs the killed worker held were taken again by the others once its leases ran out.
        for (long id : held) {
          assertThat(results.get(id))
              .as("job %d, held by the killed worker", id)
              .doesNotStartWith(doomedPid);
          assertThat(results.get(id)).doesNotEndWith(":1");
        }
      }
    } finally {
      for (Jvm j : all) {
        j.close();
      }
    }
    // And a Gander opened afterwards finds the queue empty and healthy.
    try (Gander gander = open()) {
      assertThat(gander.queue(QueueChild.QUEUE, QueueChild.OPTIONS).awaitDrained(Duration.ZERO))
          .isTrue();
    }
  }

  /**
   * Four processes publish to one stream while a subscriber here reads it live: offsets come out 1,
   * 2, 3 … with no gap and no duplicate, each publisher's events in its own order.
   *
   * @throws Exception on failure
   */
  @Test
  void fourPublishingProcessesGetGapFreeOrderedOffsetsThatASubscriberReadsLive() throws Exception {
    int per = 500;
    try (Gander gander = open();
        Subscription sub = gander.stream("ticks").subscribe("watcher")) {
      List<Jvm> publishers = new ArrayList<>();
      try {
        for (int p = 0; p < 4; p++) {
          publishers.add(
              child("publisher-" + p, "publish", "ticks", "p" + p, Integer.toString(per)));
        }
        Map<String, Integer> nextOf = new HashMap<>();
        for (long expected = 1; expected <= 4L * per; expected++) {
          Optional<Event> e = sub.next(Duration.ofSeconds(60));
          assertThat(e).as("event %d", expected).isPresent();
          assertThat(e.get().offset()).isEqualTo(expected);
          String[] parts = e.get().payloadAs(String.class).split(":");
          int n = Integer.parseInt(parts[1]);
          assertThat(n).as("order of %s", parts[0]).isEqualTo(nextOf.getOrDefault(parts[0], 0));
          nextOf.put(parts[0], n + 1);
        }
        for (Jvm p : publishers) {
          assertThat(p.next(60)).as(p.describe()).isEqualTo("published " + per);
          assertThat(p.stop(60)).as(p.describe()).isZero();
        }
        assertThat(sub.poll()).isEmpty();
        assertThat(gander.stream("ticks").latest()).isEqualTo(4L * per);
      } finally {
        for (Jvm p : publishers) {
          p.close();
        }
      }
    }
  }

  /**
   * A listener here receives, in order, every notification another process sends after it started
   * listening, woken across processes.
   *
   * @throws Exception on failure
   */
  @Test
  void aListenerReceivesEveryNotificationAnotherProcessSends() throws Exception {
    try (Gander gander = open();
        Listener listener = gander.listen("cache")) {
      try (Jvm sender = child("sender", "notify", "cache", "200")) {
        for (int i = 0; i < 200; i++) {
          Optional<Notification> n = listener.poll(Duration.ofSeconds(60));
          assertThat(n).as("notification %d", i).isPresent();
          assertThat(n.get().payloadAs(Integer.class)).isEqualTo(i);
        }
        assertThat(sender.next(60)).as(sender.describe()).isEqualTo("notified 200");
        assertThat(sender.stop(60)).as(sender.describe()).isZero();
      }
      assertThat(listener.poll(Duration.ofMillis(100))).isEmpty();
    }
  }

  /**
   * Two processes take one lock 500 times each and, under it, increment a number in a file: the
   * number ends at 1,000 (never both inside), and the tokens written in lock order only grow.
   *
   * @throws Exception on failure
   */
  @Test
  void twoProcessesContendingForALockAreNeverBothInside() throws Exception {
    Path counter = dir.resolve("counter");
    java.nio.file.Files.writeString(counter, "0");
    open().close();
    List<Jvm> both = new ArrayList<>();
    try {
      for (int p = 0; p < 2; p++) {
        both.add(child("contender-" + p, "contend", "shared-lock", "500", counter.toString()));
      }
      for (Jvm j : both) {
        assertThat(j.next(180)).as(j.describe()).isEqualTo("contended 500");
        assertThat(j.stop(60)).as(j.describe()).isZero();
      }
    } finally {
      for (Jvm j : both) {
        j.close();
      }
    }
    assertThat(java.nio.file.Files.readString(counter).trim()).isEqualTo("1000");
    List<String> lines = java.nio.file.Files.readAllLines(Path.of(counter + ".log"));
    assertThat(lines).hasSize(1_000);
    long previous = 0;
    for (String line : lines) {
      long token = Long.parseLong(line.substring("token ".length()));
      assertThat(token).as("tokens in lock order").isGreaterThan(previous);
      previous = token;
    }
  }

  /**
   * A process blocked in {@code lock} is woken by this process's release, long before the lock
   * would have run out.
   *
   * @throws Exception on failure
   */
  @Test
  void aProcessBlockedOnALockIsWokenByTheRelease() throws Exception {
    try (Gander gander = open()) {
      dev.gander.lock.Lock held =
          gander.tryLock("handover", "parent", Duration.ofMinutes(10)).orElseThrow();
      try (Jvm waiter = child("lock-waiter", "await-lock", "handover")) {
        assertThat(waiter.next(60)).as(waiter.describe()).isEqualTo("waiting");
        Thread.sleep(300);
        held.release();
        String got = waiter.next(60);
        assertThat(got).as(waiter.describe()).startsWith("got ");
        assertThat(Long.parseLong(got.substring(4))).isGreaterThan(held.fencingToken());
        assertThat(waiter.stop(60)).isZero();
      }
    }
  }

  /**
   * Four processes make 100 rate-limited calls each of one key allowing 150 per hour: exactly 150
   * are allowed between them (if the hour turned meanwhile, at most twice that).
   *
   * @throws Exception on failure
   */
  @Test
  void fourProcessesHammeringOneKeyGetExactlyTheLimitBetweenThem() throws Exception {
    open().close();
    List<Jvm> all = new ArrayList<>();
    int allowed = 0;
    java.util.Set<String> windows = new java.util.HashSet<>();
    try {
      for (int p = 0; p < 4; p++) {
        all.add(child("hammer-" + p, "hammer", "shared-key", "150", "100"));
      }
      for (Jvm j : all) {
        String line = j.next(120);
        assertThat(line).as(j.describe()).startsWith("allowed ");
        String[] parts = line.split(" ");
        allowed += Integer.parseInt(parts[1]);
        windows.add(parts[3]);
        windows.add(parts[4]);
        assertThat(j.stop(60)).isZero();
      }
    } finally {
      for (Jvm j : all) {
        j.close();
      }
    }
    if (windows.size() == 1) {
      assertThat(allowed).isEqualTo(150);
    } else {
      assertThat(allowed).isBetween(150, 300);
    }
  }

  private Map<Long, String> results(Connection c) throws SQLException {
    Map<Long, String> results = new HashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT job_id, value FROM " + table("gander_results"))) {
      while (rs.next()) {
        results.put(rs.getLong(1), rs.getString(2).replace("\"", ""));
      }
    }
    return results;
  }

  private void awaitEmptyQueue(Connection c, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (count(c, "gander_jobs") > 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(count(c, "gander_jobs") + " jobs left after " + timeout);
      }
      Thread.sleep(50);
    }
  }

  /**
   * Rows in one of Gander's tables.
   *
   * @param c the connection
   * @param table such as {@code gander_jobs}
   * @return the count
   * @throws SQLException on failure
   */
  protected long count(Connection c, String table) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table(table))) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Three processes run a scheduler with a task every second for about ten seconds; the leader is
   * killed with {@code destroyForcibly()} and another takes over once its lock runs out. Each tick
   * enqueues exactly one job from first to last, with no tick lost: the task fires all missed ticks
   * (FIRE_ALL), so the ticks of the takeover are fired late rather than dropped.
   *
   * @throws Exception on failure
   */
  @Test
  void threeSchedulerProcessesFireEachTickOnceThoughTheLeaderIsKilled() throws Exception {
    String queue = "ticks-" + ProcessHandle.current().pid();
    try (Gander gander = open()) {
      gander
          .scheduler()
          .add(
              dev.gander.schedule.ScheduledTask.builder(queue, queue, "* * * * * *")
                  .missedFirePolicy(dev.gander.schedule.MissedFirePolicy.fireAll(100))
                  .build());
    }
    List<Jvm> runners = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        runners.add(child("runner-" + i, "schedule", "runner-" + i, "1500"));
      }
      for (Jvm r : runners) {
        assertThat(r.next(60)).as(r.describe()).isEqualTo("running");
      }
      Jvm leader = awaitLeader(runners, null);
      long started = System.nanoTime();
      awaitTicks(queue, 4);
      int beforeKill = ticks(queue).size();
      leader.process.destroyForcibly();
      assertThat(leader.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      List<Jvm> survivors = new ArrayList<>(runners);
      survivors.remove(leader);
      Jvm next = awaitLeader(survivors, leader);
      assertThat(next).isNotSameAs(leader);
      awaitTicks(queue, beforeKill + 4);
      while (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(10)) {
        awaitTicks(queue, ticks(queue).size() + 1);
      }
      for (Jvm r : survivors) {
        assertThat(r.stop(60)).as(r.describe()).isZero();
      }
      long leaders = survivors.stream().filter(r -> r.drain().contains("leader")).count();
      assertThat(leaders).as("survivors that ever led").isPositive();
    } finally {
      for (Jvm r : runners) {
        r.close();
      }
    }
    List<Long> ticks = ticks(queue);
    try (Connection c = connect();
        java.sql.PreparedStatement ps =
            c.prepareStatement(
                "SELECT count(*) FROM " + table("gander_jobs") + " WHERE queue = ?")) {
      ps.setString(1, queue);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getLong(1)).as("jobs, one per tick").isEqualTo(ticks.size());
      }
    }
    assertThat(ticks.size()).as("ticks in about ten seconds").isGreaterThanOrEqualTo(9);
    assertThat(ticks).doesNotHaveDuplicates();
    for (int i = 1; i < ticks.size(); i++) {
      assertThat(ticks.get(i) - ticks.get(i - 1)).as("gap before tick %s", i).isEqualTo(1_000);
    }
    try (Gander gander = open()) {
      gander.scheduler().remove(queue);
    }
  }

  /** Waits until one of {@code runners} says it leads, and returns it. */
  private static Jvm awaitLeader(List<Jvm> runners, Jvm dead) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (Jvm r : runners) {
        if (r != dead && r.drain().contains("leader")) {
          return r;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no runner took the lead within 60 s");
  }

  /** Waits until the queue holds at least {@code count} ticks. */
  private void awaitTicks(String queue, int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (ticks(queue).size() < count) {
      assertThat(System.nanoTime()).as("%s ticks within 60 s", count).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  /** The ticks whose jobs are in the queue, from their unique keys, in order. */
  private List<Long> ticks(String queue) throws SQLException {
    List<Long> out = new ArrayList<>();
    try (Connection c = connect();
        java.sql.PreparedStatement ps =
            c.prepareStatement(
                "SELECT unique_key FROM " + table("gander_jobs") + " WHERE queue = ?")) {
      ps.setString(1, queue);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String key = rs.getString(1);
          out.add(Long.parseLong(key.substring(key.lastIndexOf(':') + 1)));
        }
      }
    }
    out.sort(null);
    return out;
  }
}
