package dev.gander.internal.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.Gander;
import dev.gander.GanderClosedException;
import dev.gander.InvalidNameException;
import dev.gander.PayloadCodecException;
import dev.gander.PayloadTooLargeException;
import dev.gander.eventlog.CompactReport;
import dev.gander.eventlog.ConsumerId;
import dev.gander.eventlog.EventLog;
import dev.gander.eventlog.EventLogBackend;
import dev.gander.eventlog.EventLogDescription;
import dev.gander.eventlog.LogEntry;
import dev.gander.eventlog.LogEvent;
import dev.gander.eventlog.LogSubscription;
import dev.gander.eventlog.SubscriberLaggedException;
import dev.gander.eventlog.Topic;
import dev.gander.stream.ConsumerLaggedException;
import dev.gander.stream.Event;
import dev.gander.stream.Stream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * The event log's semantics through the public API only, which every backend must keep: gap-free
 * offsets from 1, reads strictly after an offset, history then live with no gap and no duplicate,
 * slow subscribers that lose nothing, forward-only cursors, compaction and its report, what a
 * subscriber is told of compaction, resuming after a reopen, and describe().
 *
 * <p>A backend's subclass opens the log under test on storage of the test's own ({@link #open()}),
 * again after a close for the durable backends, and, for the database backends, a Gander on the
 * same database ({@link #openGander()}). Every test works in topics of its own.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class EventLogContract {
  /**
   * Opens the event log under test on this test's storage: the same storage on every call within a
   * test. The contract closes what it opens.
   *
   * @return an open event log
   */
  protected abstract EventLog open();

  /**
   * The backend under test.
   *
   * @return the backend
   */
  protected abstract EventLogBackend backend();

  /**
   * Whether events and cursors survive closing and opening again.
   *
   * @return false for memory
   */
  protected boolean durable() {
    return backend() != EventLogBackend.MEMORY;
  }

  /**
   * A Gander on the database under the log, for the database backends; the contract closes it.
   *
   * @return the Gander, or empty for memory and files
   */
  protected Optional<Gander> openGander() {
    return Optional.empty();
  }

  /**
   * How many events the slow subscriber lets pile up: 100,000, against a live buffer of 128.
   *
   * @return the number
   */
  protected int slowSubscriberEvents() {
    return 100_000;
  }

  private String prefix;
  private int topics;
  private ExecutorService pool;
  private final List<AutoCloseable> opened = new ArrayList<>();

  @BeforeEach
  void nameTopics(TestInfo info) {
    String method = info.getTestMethod().orElseThrow().getName();
    prefix =
        (method.length() > 60 ? method.substring(0, 60) : method)
            + ":"
            + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
    topics = 0;
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach
  void closeEverything() throws Exception {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    opened.clear();
  }

  private EventLog log() {
    EventLog log = open();
    opened.add(log);
    return log;
  }

  private Topic topic() {
    return Topic.of(prefix + "-" + (++topics));
  }

  private static LogEvent event(String kind, int i) {
    return LogEvent.ofJson(kind, "{\"i\":" + i + "}");
  }

  private static List<Long> offsets(List<LogEntry> entries) {
    return entries.stream().map(LogEntry::offset).collect(Collectors.toList());
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().collect(Collectors.toList());
  }

  // ------------------------------------------------------------------ append and read

  @Test
  void offsetsStartAtOneFollowEachOtherAndEventsComeBackAsAppended() {
    EventLog log = log();
    Topic t = topic();
    assertThat(log.latest(t)).isEmpty();
    assertThat(log.readRange(t, 0, 10)).isEmpty();

    LogEvent first =
        LogEvent.ofJson("order.created", "{\"id\":\"A-1\",\"cents\":1299,\"tags\":[\"x\",null]}")
            .withHeaders(Map.of("z", "last", "a", "first"))
            .withOccurredAt(Instant.parse("2024-02-29T12:00:00.123456Z"));
    LogEvent second = LogEvent.ofJson("order.paid", "\"plain string\"");
    assertThat(log.append(t, first)).isEqualTo(1);
    assertThat(log.append(t, second)).isEqualTo(2);
    List<LogEvent> batch = List.of(event("k", 3), event("k", 4), LogEvent.ofJson("k", "null"));
    assertThat(log.appendAll(t, batch)).containsExactly(3L, 4L, 5L);
    assertThat(log.appendAll(t, List.of())).isEmpty();
    assertThat(log.latest(t)).hasValue(5);

    List<LogEntry> all = log.readRange(t, 0, 100);
    assertThat(offsets(all)).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(all.get(0).event()).isEqualTo(first);
    assertThat(all.get(0).event().headers().keySet()).containsExactly("a", "z");
    assertThat(all.get(0).event().occurredAt())
        .isEqualTo(Instant.parse("2024-02-29T12:00:00.123Z"));
    assertThat(all.get(1).event()).isEqualTo(second);
    assertThat(all.subList(2, 5)).extracting(LogEntry::event).containsExactlyElementsOf(batch);
    assertThat(all.get(4).event().payload().isNull()).isTrue();
  }

  @Test
  void textOfEveryWidthComesBackAsAppendedAndTextUtf8CannotHoldIsRefused() {
    EventLog log = log();
    Topic t = topic();
    // One, two, three and four bytes a character, in one batch: the file backend indexes lines
    // by their size in bytes, so a miscount would misplace every later event of the batch.
    List<LogEvent> batch =
        List.of(
            LogEvent.ofJson("k", "\"a\""),
            LogEvent.ofJson("k", "\"caf\u00e9 \u20ac \uD83D\uDCE6\""),
            LogEvent.ofJson("k", "{\"text\":\"\u00fc\u00fc\uD83D\uDE00\"}")
                .withHeader("note", "\u2603"),
            LogEvent.ofJson("k", "\"z\""));
    assertThat(log.appendAll(t, batch)).containsExactly(1L, 2L, 3L, 4L);
    for (int i = 0; i < batch.size(); i++) {
      assertThat(log.readRange(t, i, 1).get(0).event()).isEqualTo(batch.get(i));
    }
    LogEvent cut = LogEvent.ofJson("k", "\"parcel \\ud83d\""); // half an emoji
    assertThatThrownBy(() -> log.append(t, cut))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("lone UTF-16 surrogate");
    LogEvent badHeader = LogEvent.ofJson("k", "1").withHeader("note", "\uDCE6");
    assertThatThrownBy(() -> log.appendAll(t, List.of(LogEvent.ofJson("k", "2"), badHeader)))
        .isInstanceOf(PayloadCodecException.class);
    assertThat(log.latest(t)).as("nothing of either call was written").hasValue(4);
  }

  @Test
  void readRangeReadsStrictlyAfterAndUpToTheLimit() {
    EventLog log = log();
    Topic t = topic();
    for (int i = 1; i <= 10; i++) {
      log.append(t, event("k", i));
    }
    assertThat(offsets(log.readRange(t, 0, 3))).containsExactly(1L, 2L, 3L);
    assertThat(offsets(log.readRange(t, 2, 1))).containsExactly(3L);
    assertThat(offsets(log.readRange(t, 7, 100))).containsExactly(8L, 9L, 10L);
    assertThat(log.readRange(t, 10, 100)).isEmpty();
    assertThat(log.readRange(t, 50, 100)).isEmpty();
    assertThat(log.readRange(t, 4, 1).get(0).event().payload().get("i").asInt()).isEqualTo(5);
    assertThatThrownBy(() -> log.readRange(t, -1, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> log.readRange(t, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> log.subscribe(t, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void topicsAreSeparateAndNamesFollowTheStreamNameRule() {
    EventLog log = log();
    Topic a = topic();
    Topic b = topic();
    log.append(a, event("k", 1));
    log.append(a, event("k", 2));
    assertThat(log.append(b, event("k", 1))).isEqualTo(1);
    assertThat(log.latest(a)).hasValue(2);
    assertThat(log.latest(b)).hasValue(1);
    assertThatThrownBy(() -> Topic.of("has space")).isInstanceOf(InvalidNameException.class);
    assertThatThrownBy(() -> Topic.of("")).isInstanceOf(InvalidNameException.class);
    assertThatThrownBy(() -> ConsumerId.of("-x")).isInstanceOf(InvalidNameException.class);
    assertThatThrownBy(() -> LogEvent.ofJson("bad kind!", "1"))
        .isInstanceOf(InvalidNameException.class);
  }

  @Test
  void anEventTooLargeIsRefusedAndNothingOfItsBatchIsWritten() {
    EventLog log = log();
    Topic t = topic();
    log.append(t, event("k", 1));
    LogEvent big = LogEvent.ofJson("k", "\"" + "x".repeat(1_100_000) + "\"");
    assertThatThrownBy(() -> log.append(t, big)).isInstanceOf(PayloadTooLargeException.class);
    assertThatThrownBy(() -> log.appendAll(t, List.of(event("k", 2), big)))
        .isInstanceOf(PayloadTooLargeException.class);
    assertThat(log.latest(t)).hasValue(1);
    assertThat(log.append(t, event("k", 2))).isEqualTo(2);
  }

  // ------------------------------------------------------------------ subscriptions

  @Test
  void aSubscriptionReadsHistoryThenLiveWithNoGapOrDuplicateWhileAPublisherRuns() throws Exception {
    EventLog log = log();
    Topic t = topic();
    int before = 300;
    int during = 3_000;
    for (int i = 1; i <= before; i++) {
      log.append(t, event("k", i));
    }
    CountDownLatch subscribed = new CountDownLatch(2);
    Future<?> publisher =
        pool.submit(
            () -> {
              subscribed.await();
              int i = before;
              while (i < before + during) {
                if (i % 3 == 0) {
                  List<LogEvent> batch = new ArrayList<>();
                  for (int j = 0; j < 7 && i < before + during; j++) {
                    batch.add(event("k", ++i));
                  }
                  log.appendAll(t, batch);
                } else {
                  log.append(t, event("k", ++i));
                }
              }
              return null;
            });
    Future<List<Long>> fromStart =
        pool.submit(() -> readAll(log, t, 0, before + during, subscribed));
    Future<List<Long>> fromMiddle =
        pool.submit(() -> readAll(log, t, 150, before + during, subscribed));
    publisher.get(120, TimeUnit.SECONDS);
    assertThat(fromStart.get(120, TimeUnit.SECONDS)).isEqualTo(range(1, before + during));
    assertThat(fromMiddle.get(120, TimeUnit.SECONDS)).isEqualTo(range(151, before + during));
  }

  /** Reads until {@code last}, checking that each payload matches its offset. */
  private static List<Long> readAll(
      EventLog log, Topic t, long after, long last, CountDownLatch subscribed) {
    List<Long> seen = new ArrayList<>();
    try (LogSubscription sub = log.subscribe(t, after)) {
      subscribed.countDown();
      assertThat(sub.position()).isEqualTo(after);
      long position = after;
      while (position < last) {
        LogEntry e = sub.next(Duration.ofSeconds(30)).orElseThrow();
        assertThat(e.event().payload().get("i").asLong()).isEqualTo(e.offset());
        seen.add(e.offset());
        position = e.offset();
        assertThat(sub.position()).isEqualTo(position);
      }
      assertThat(sub.poll()).isEmpty();
    }
    return seen;
  }

  @Test
  void aSubscriberThatDoesNotReadWhileManyEventsAreAppendedLosesNone() {
    EventLog log = log();
    Topic t = topic();
    int n = slowSubscriberEvents();
    try (LogSubscription sub = log.subscribe(t, 0)) {
      List<LogEvent> batch = new ArrayList<>();
      for (int i = 1; i <= n; i++) {
        batch.add(event("k", i));
        if (batch.size() == 1_000) {
          log.appendAll(t, batch);
          batch.clear();
        }
      }
      log.appendAll(t, batch);
      assertThat(log.latest(t)).hasValue(n);
      long expected = 1;
      Optional<LogEntry> e;
      while ((e = sub.poll()).isPresent()) {
        assertThat(e.get().offset()).isEqualTo(expected);
        assertThat(e.get().event().payload().get("i").asLong()).isEqualTo(expected);
        expected++;
      }
      assertThat(expected - 1).as("events the slow subscriber read").isEqualTo(n);
      log.append(t, event("k", n + 1));
      assertThat(sub.next(Duration.ofSeconds(30)).orElseThrow().offset()).isEqualTo(n + 1);
    }
  }

  @Test
  void nextWaitsForAnAppendAndReturnsEmptyInTime() throws Exception {
    EventLog log = log();
    Topic t = topic();
    try (LogSubscription sub = log.subscribe(t, 0)) {
      assertThat(sub.poll()).isEmpty();
      assertThat(sub.next(Duration.ofMillis(50))).isEmpty();
      Future<Optional<LogEntry>> waiting =
          Blocked.submit(pool, () -> sub.next(Duration.ofSeconds(60)));
      log.append(t, event("k", 1));
      assertThat(waiting.get(60, TimeUnit.SECONDS).orElseThrow().offset()).isEqualTo(1);
      assertThat(sub.topic()).isEqualTo(t);
    }
  }

  @Test
  void closingASubscriptionWakesItsReaderAndClosingTheLogFailsIt() throws Exception {
    EventLog log = log();
    Topic t = topic();
    LogSubscription sub = log.subscribe(t, 0);
    Future<Optional<LogEntry>> waiting =
        Blocked.submit(pool, () -> sub.next(Duration.ofSeconds(60)));
    sub.close();
    assertThat(waiting.get(60, TimeUnit.SECONDS)).isEmpty();
    assertThatThrownBy(sub::poll).isInstanceOf(GanderClosedException.class);
    sub.close(); // idempotent

    LogSubscription other = log.subscribe(t, 0);
    Future<Optional<LogEntry>> failing =
        Blocked.submit(pool, () -> other.next(Duration.ofSeconds(60)));
    log.close();
    assertThatThrownBy(() -> failing.get(60, TimeUnit.SECONDS))
        .hasCauseInstanceOf(GanderClosedException.class);
    assertThatThrownBy(other::poll).isInstanceOf(GanderClosedException.class);
    assertThatThrownBy(() -> log.append(t, event("k", 1)))
        .isInstanceOf(GanderClosedException.class);
    assertThatThrownBy(() -> log.readRange(t, 0, 1)).isInstanceOf(GanderClosedException.class);
    assertThatThrownBy(() -> log.subscribe(t, 0)).isInstanceOf(GanderClosedException.class);
    log.close(); // idempotent
  }

  // ------------------------------------------------------------------ consumers

  @Test
  void aConsumersCursorOnlyMovesForward() {
    EventLog log = log();
    Topic t = topic();
    ConsumerId mailer = ConsumerId.of("mailer");
    ConsumerId auditor = ConsumerId.of("auditor");
    for (int i = 1; i <= 10; i++) {
      log.append(t, event("k", i));
    }
    assertThat(log.consumerCursor(t, mailer)).isEmpty();
    assertThat(log.ack(t, mailer, 5)).isEqualTo(5);
    assertThat(log.ack(t, mailer, 3)).as("a backward ack changes nothing").isEqualTo(5);
    assertThat(log.consumerCursor(t, mailer)).hasValue(5);
    assertThat(log.ack(t, mailer, 5)).isEqualTo(5);
    assertThat(log.ack(t, mailer, 10)).isEqualTo(10);
    assertThatThrownBy(() -> log.ack(t, mailer, 11)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> log.ack(t, mailer, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(log.consumerCursor(t, mailer)).hasValue(10);
    assertThat(log.consumerCursor(t, auditor)).isEmpty();
    assertThat(log.ack(t, auditor, 0)).isZero();
    assertThat(log.consumerCursor(t, auditor)).hasValue(0);
    assertThat(log.consumerCursor(topic(), mailer)).as("cursors are per topic").isEmpty();
  }

  @Test
  void aConsumerResumesAfterItsCursorWhenTheLogIsOpenedAgain() {
    Assumptions.assumeTrue(durable(), "events do not outlive a memory log");
    Topic t = topic();
    ConsumerId c = ConsumerId.of("worker:1");
    EventLog first = open();
    try {
      for (int i = 1; i <= 10; i++) {
        first.append(t, event("k", i));
      }
      first.ack(t, c, 6);
      first.compact(t, 2);
      first.flush();
    } finally {
      first.close();
    }
    EventLog again = log();
    assertThat(again.latest(t)).hasValue(10);
    assertThat(again.consumerCursor(t, c)).hasValue(6);
    assertThat(offsets(again.readRange(t, 0, 100))).isEqualTo(range(3, 10));
    try (LogSubscription sub = again.subscribe(t, again.consumerCursor(t, c).orElse(0))) {
      assertThat(sub.poll().orElseThrow().offset()).isEqualTo(7);
    }
    assertThat(again.append(t, event("k", 11))).isEqualTo(11);
    assertThat(again.ack(t, c, 4)).isEqualTo(6);
  }

  // ------------------------------------------------------------------ compaction

  @Test
  void compactionRemovesWhatItIsAskedToAndReportsIt() {
    EventLog log = log();
    Topic t = topic();
    ConsumerId slow = ConsumerId.of("slow");
    for (int i = 1; i <= 10; i++) {
      log.append(t, event("k", i));
    }
    log.ack(t, slow, 2);

    CompactReport r = log.compact(t, 4);
    assertThat(r.removed()).isEqualTo(4);
    assertThat(r.remaining()).isEqualTo(6);
    assertThat(r.latest()).hasValue(10);
    assertThat(r.checkpointed()).isEqualTo(checkpointsOnCompaction());
    assertThat(offsets(log.readRange(t, 0, 100))).isEqualTo(range(5, 10));
    assertThat(offsets(log.readRange(t, 2, 1))).containsExactly(5L);
    assertThat(log.consumerCursor(t, slow)).as("compaction leaves cursors be").hasValue(2);

    CompactReport none = log.compact(t, 3);
    assertThat(none.removed()).isZero();
    assertThat(none.remaining()).isEqualTo(6);
    assertThat(none.checkpointed()).isFalse();

    CompactReport all = log.compact(t, 1_000);
    assertThat(all.removed()).isEqualTo(6);
    assertThat(all.remaining()).isZero();
    assertThat(all.latest()).hasValue(10);
    assertThat(log.readRange(t, 0, 100)).isEmpty();
    assertThat(log.latest(t)).as("offsets are never reused").hasValue(10);
    assertThat(log.append(t, event("k", 11))).isEqualTo(11);

    CompactReport empty = log.compact(topic(), 5);
    assertThat(empty).isEqualTo(new CompactReport(0, 0, OptionalLong.empty(), false));
    assertThatThrownBy(() -> log.compact(t, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * What {@link CompactReport#checkpointed()} says after a compaction that removed events.
   *
   * @return the backend's answer
   */
  protected boolean checkpointsOnCompaction() {
    return backend() == EventLogBackend.FILE || backend() == EventLogBackend.SQLITE;
  }

  @Test
  void aSubscriberIsToldOnceOfEventsCompactedBeforeItReadThem() {
    EventLog log = log();
    Topic t = topic();
    log.append(t, event("k", 1));
    log.append(t, event("k", 2));
    try (LogSubscription live = log.subscribe(t, 0)) {
      assertThat(live.poll().orElseThrow().offset()).isEqualTo(1);
      assertThat(live.poll().orElseThrow().offset()).isEqualTo(2);
      for (int i = 3; i <= 10; i++) {
        log.append(t, event("k", i));
      }
      log.compact(t, 6); // before the subscriber read 3 to 6
      assertThatThrownBy(live::poll)
          .isInstanceOfSatisfying(
              SubscriberLaggedException.class,
              e -> {
                assertThat(e.topic()).isEqualTo(t);
                assertThat(e.firstMissed()).isEqualTo(3);
                assertThat(e.lastMissed()).isEqualTo(6);
              });
      assertThat(live.poll().orElseThrow().offset()).isEqualTo(7);
    }
    try (LogSubscription late = log.subscribe(t, 0)) {
      // The stream API's exception too, so that one catch serves both.
      assertThatThrownBy(late::poll)
          .isInstanceOf(SubscriberLaggedException.class)
          .isInstanceOf(ConsumerLaggedException.class);
      assertThat(late.position()).isEqualTo(6);
      assertThat(late.poll().orElseThrow().offset()).isEqualTo(7);
    }
    log.compact(t, 10);
    try (LogSubscription after = log.subscribe(t, 0)) {
      assertThatThrownBy(after::poll)
          .isInstanceOfSatisfying(
              SubscriberLaggedException.class, e -> assertThat(e.lastMissed()).isEqualTo(10));
      assertThat(after.poll()).isEmpty();
      log.append(t, event("k", 11));
      assertThat(after.poll().orElseThrow().offset()).isEqualTo(11);
    }
  }

  // ------------------------------------------------------------------ describe

  @Test
  void describeNamesTheBackendAndItsSizeGrowsWithAppends() {
    EventLog log = log();
    EventLogDescription before = log.describe();
    assertThat(before.backend()).isEqualTo(backend());
    assertThat(before.queueDepth()).isGreaterThanOrEqualTo(1);
    if (backend() == EventLogBackend.MEMORY) {
      assertThat(before.location()).isEmpty();
      assertThat(before.sizeOnDisk()).isEmpty();
      return;
    }
    assertThat(before.location()).isPresent();
    Topic t = topic();
    String padding = "y".repeat(1_000);
    List<LogEvent> batch = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      batch.add(LogEvent.ofJson("k", "{\"i\":" + i + ",\"pad\":\"" + padding + i + "\"}"));
    }
    log.appendAll(t, batch);
    log.flush();
    EventLogDescription after = log.describe();
    assertThat(after.sizeOnDisk().orElseThrow())
        .isGreaterThan(before.sizeOnDisk().orElseThrow() + 1_000_000);
    assertThat(after.location()).isEqualTo(before.location());
  }

  // ------------------------------------------------------------------ streams

  @Test
  void aStreamPublishedThroughGanderReadsAsATopicAndTheReverse() {
    Optional<Gander> maybe = openGander();
    Assumptions.assumeTrue(maybe.isPresent(), "only the database backends keep topics as streams");
    Gander gander = maybe.get();
    opened.add(gander);
    EventLog log = log();

    Topic t = topic();
    Stream s = gander.stream(t.name());
    s.publish("order.created", Map.of("id", "A-1"), Map.of("source", "web"));
    List<LogEntry> read = log.readRange(t, 0, 10);
    assertThat(read).hasSize(1);
    LogEvent e = read.get(0).event();
    assertThat(e.kind()).isEqualTo("order.created");
    assertThat(e.payload().get("id").asText()).isEqualTo("A-1");
    assertThat(e.headers()).containsExactly(Map.entry("source", "web"));
    assertThat(e.occurredAt()).isEqualTo(s.read(0, 1).get(0).occurredAt());

    Instant at = Instant.parse("2020-01-01T00:00:00Z");
    LogEvent appended =
        LogEvent.ofJson("order.paid", "{\"id\":\"A-1\"}")
            .withHeader("by", "card")
            .withOccurredAt(at);
    assertThat(log.append(t, appended)).isEqualTo(2);
    Event published = s.read(1, 1).get(0);
    assertThat(published.kind()).isEqualTo("order.paid");
    assertThat(published.payload()).isEqualTo("{\"id\":\"A-1\"}");
    assertThat(published.headers())
        .containsEntry("by", "card")
        .containsEntry(LogEvent.OCCURRED_AT_HEADER, Long.toString(at.toEpochMilli()));
    assertThat(log.readRange(t, 1, 1).get(0).event()).isEqualTo(appended);

    ConsumerId c = ConsumerId.of("ledger");
    s.commit(c.name(), 1);
    assertThat(log.consumerCursor(t, c)).hasValue(1);
    log.ack(t, c, 2);
    assertThat(s.cursor(c.name())).hasValue(2);
    assertThat(log.latest(t)).hasValue(s.latest());
  }
}
