package dev.gander.internal.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.Gander;
import dev.gander.GanderClosedException;
import dev.gander.InvalidNameException;
import dev.gander.PayloadCodecException;
import dev.gander.PayloadTooLargeException;
import dev.gander.queue.RawJson;
import dev.gander.stream.CompactReport;
import dev.gander.stream.ConsumerInfo;
import dev.gander.stream.ConsumerLaggedException;
import dev.gander.stream.Event;
import dev.gander.stream.OutgoingEvent;
import dev.gander.stream.Stream;
import dev.gander.stream.StreamRetention;
import dev.gander.stream.Subscription;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * The stream's semantics through the public API only, which every backend must keep: gap-free
 * offsets from 1, publishing atomically with the application's transaction, consumers' committed
 * offsets, history then live with no gap and no duplicate, wake-up across two instances, slow
 * subscribers, compaction and what a subscriber is told about it.
 *
 * <p>A backend's subclass opens one {@link Gander} for the class ({@link #gander()}) and, on
 * demand, a second instance on the same database ({@link #openAnother()}). Every test works in
 * streams of its own.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class StreamContract {
  /** A payload. */
  public record Order(String id, int cents) {}

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

  /**
   * Opens a second instance on the same database whose background retention runs every {@code
   * period}; the test closes it.
   *
   * @param period the retention period
   * @return a new instance
   */
  protected abstract Gander openWithRetentionPeriod(Duration period);

  private String prefix;
  private int streams;
  private ExecutorService pool;

  @BeforeEach
  void nameStreams(TestInfo info) {
    String method = info.getTestMethod().orElseThrow().getName();
    prefix =
        (method.length() > 60 ? method.substring(0, 60) : method)
            + "-"
            + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
    streams = 0;
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stopThreads() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  private Stream stream() {
    return gander().stream(prefix + "-" + (++streams));
  }

  private static List<Long> offsets(List<Event> events) {
    return events.stream().map(Event::offset).collect(Collectors.toList());
  }

  // ------------------------------------------------------------------ publish

  @Test
  void offsetsStartAtOneAndFollowEachOtherAndEventsKeepWhatWasPublished() {
    Stream s = stream();
    assertThat(s.latest()).isZero();
    Instant before = Instant.now().minusSeconds(5);
    assertThat(s.publish("order.created", new Order("a", 100))).isEqualTo(1);
    assertThat(s.publish("order.paid", new Order("a", 100), Map.of("z", "last", "a", "first")))
        .isEqualTo(2);
    assertThat(s.publishAll("order.created", List.of(new Order("b", 1), new Order("c", 2))))
        .containsExactly(3L, 4L);
    assertThat(s.latest()).isEqualTo(4);

    List<Event> events = s.read(0, 10);
    assertThat(offsets(events)).containsExactly(1L, 2L, 3L, 4L);
    Event paid = events.get(1);
    assertThat(paid.kind()).isEqualTo("order.paid");
    assertThat(paid.payloadAs(Order.class)).isEqualTo(new Order("a", 100));
    assertThat(paid.headers().keySet()).containsExactly("a", "z");
    assertThat(paid.headers()).containsEntry("z", "last");
    assertThat(events.get(0).headers()).isEmpty();
    assertThat(paid.occurredAt()).isAfter(before).isBefore(Instant.now().plusSeconds(5));
    assertThat(s.read(2, 1)).extracting(Event::offset).containsExactly(3L);
    assertThat(s.read(4, 10)).isEmpty();
    assertThat(gander().stream(s.name()).read(0, 10)).isEqualTo(events);
  }

  @Test
  void aRolledBackPublishLeavesNoGapAndARefusedBatchWritesNothing() {
    Stream s = stream();
    s.publish("k", 1);
    assertThatThrownBy(
            () ->
                gander()
                    .inTransaction(
                        tx -> {
                          s.publish(tx, "k", 2);
                          throw new IllegalStateException("business rule");
                        }))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> s.publishAll("k", List.of("ok", "x".repeat(1_100_000))))
        .isInstanceOf(PayloadTooLargeException.class);
    assertThat(s.latest()).isEqualTo(1);
    assertThat(s.publish("k", 3)).isEqualTo(2);
    long inTx = gander().transactionResult(tx -> s.publish(tx, "k", 4));
    assertThat(inTx).isEqualTo(3);
    assertThat(s.read(0, 10)).extracting(e -> e.payloadAs(Integer.class)).containsExactly(1, 3, 4);
  }

  @Test
  void eventsOfDifferentKindsAndHeadersPublishInOneGoAllOrNone() {
    Stream s = stream();
    List<Long> offsets =
        s.publishEvents(
            List.of(
                OutgoingEvent.of("order.created", new Order("a", 100)),
                OutgoingEvent.of("order.paid", 100, Map.of("z", "2", "a", "1"))));
    assertThat(offsets).containsExactly(1L, 2L);
    List<Event> read = s.read(0, 10);
    assertThat(read).extracting(Event::kind).containsExactly("order.created", "order.paid");
    assertThat(read.get(1).headers()).containsExactly(Map.entry("a", "1"), Map.entry("z", "2"));
    assertThat(read.get(0).payloadAs(Order.class)).isEqualTo(new Order("a", 100));

    assertThatThrownBy(
            () ->
                s.publishEvents(
                    List.of(OutgoingEvent.of("ok", 1), OutgoingEvent.of("bad kind!", 2))))
        .isInstanceOf(InvalidNameException.class);
    assertThatThrownBy(
            () ->
                gander()
                    .inTransaction(
                        tx -> {
                          s.publishEvents(tx, List.of(OutgoingEvent.of("k", 3)));
                          throw new IllegalStateException("business rule");
                        }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(s.latest()).as("nothing of the refused or rolled-back batches").isEqualTo(2);
    assertThat(s.publishEvents(List.of())).isEmpty();
  }

  /** A payload Jackson cannot write: its one property throws. */
  public static final class Unwritable {
    /**
     * Throws.
     *
     * @return never
     */
    public int getBoom() {
      throw new IllegalStateException("boom");
    }
  }

  @Test
  void aPayloadThatCannotBeWrittenOrReadAsAskedIsACodecErrorAndPublishesNothing() {
    Stream s = stream();
    s.publish("k", new Order("a", 1));
    assertThatThrownBy(() -> s.publish("k", new Unwritable()))
        .isInstanceOf(PayloadCodecException.class);
    assertThatThrownBy(() -> s.publishAll("k", List.of(new Order("b", 2), new Unwritable())))
        .isInstanceOf(PayloadCodecException.class);
    assertThat(s.latest()).as("nothing of either call was published").isEqualTo(1);
    Event e = s.read(0, 10).get(0);
    assertThatThrownBy(() -> e.payloadAs(Integer.class)).isInstanceOf(PayloadCodecException.class);
    assertThat(e.payloadAs(Order.class)).isEqualTo(new Order("a", 1));
  }

  @Test
  void textThatUtf8CannotHoldIsRefusedAndAWholeEmojiIsKept() {
    Stream s = stream();
    String emoji = "order \uD83D\uDCE6 shipped";
    String cut = emoji.substring(0, 7); // ends with the first half of the emoji
    assertThatThrownBy(() -> s.publish("k", cut))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("lone UTF-16 surrogate")
        .hasMessageContaining("\\uD83D");
    assertThatThrownBy(() -> s.publish("k", "x", Map.of("note", "\uDCE6")))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("headers");
    assertThatThrownBy(() -> s.publishAll("k", List.of("fine", cut)))
        .isInstanceOf(PayloadCodecException.class);
    assertThat(s.latest()).as("nothing of any call was published").isZero();

    s.publish("k", emoji, Map.of("note", "\uD83D\uDCE6"));
    Event e = s.read(0, 1).get(0);
    assertThat(e.payloadAs(String.class)).isEqualTo(emoji);
    assertThat(e.headers()).containsEntry("note", "\uD83D\uDCE6");
  }

  @Test
  void namesAndKindsFollowTheQueueNameRule() {
    assertThatThrownBy(() -> gander().stream("")).isInstanceOf(InvalidNameException.class);
    assertThatThrownBy(() -> gander().stream("has space")).isInstanceOf(InvalidNameException.class);
    Stream s = stream();
    assertThatThrownBy(() -> s.publish("bad kind!", 1)).isInstanceOf(InvalidNameException.class);
    assertThatThrownBy(() -> s.subscribe("bad consumer")).isInstanceOf(InvalidNameException.class);
    assertThatThrownBy(() -> s.commit("", 0)).isInstanceOf(InvalidNameException.class);
    assertThat(s.latest()).isZero();
    assertThat(s.publish("k", RawJson.of("{\"raw\":true}"))).isEqualTo(1);
    assertThat(s.read(0, 1).get(0).payload()).isEqualTo("{\"raw\":true}");
  }

  // ---------------------------------------------------------------- consumers

  @Test
  void aSubscriptionResumesAfterTheCommittedOffsetWhichOnlyMovesForward() {
    Stream s = stream();
    for (int i = 1; i <= 5; i++) {
      s.publish("k", i);
    }
    try (Subscription sub = s.subscribe("mailer")) {
      assertThat(sub.position()).isZero();
      assertThat(sub.poll().orElseThrow().offset()).isEqualTo(1);
      assertThat(sub.next(Duration.ZERO).orElseThrow().offset()).isEqualTo(2);
      assertThat(sub.commit(2)).isEqualTo(2);
      assertThat(sub.position()).isEqualTo(2);
    }
    assertThat(s.cursor("mailer")).hasValue(2);
    assertThat(s.commit("mailer", 1)).isEqualTo(2); // never backwards
    assertThat(s.cursor("mailer")).hasValue(2);
    assertThatThrownBy(() -> s.commit("mailer", 6)).isInstanceOf(IllegalArgumentException.class);
    try (Subscription sub = s.subscribe("mailer")) {
      assertThat(sub.poll().orElseThrow().offset()).isEqualTo(3);
    }
    try (Subscription sub = s.subscribe("auditor", 4)) {
      assertThat(sub.poll().orElseThrow().offset()).isEqualTo(5);
      assertThat(sub.poll()).isEmpty();
    }
    assertThat(s.cursor("auditor")).isEmpty();
    List<ConsumerInfo> consumers = s.consumers();
    assertThat(consumers).extracting(ConsumerInfo::name).containsExactly("mailer");
    assertThat(consumers.get(0).lag()).isEqualTo(3);
    assertThat(s.removeConsumer("mailer")).isTrue();
    assertThat(s.cursor("mailer")).isEmpty();
  }

  @Test
  void anOffsetCommittedInTheApplicationsTransactionCountsOnlyIfItCommits() {
    Stream s = stream();
    s.publishAll("k", List.of(1, 2, 3));
    assertThatThrownBy(
            () ->
                gander()
                    .inTransaction(
                        tx -> {
                          s.commit(tx, "billing", 3);
                          throw new IllegalStateException("processing failed");
                        }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(s.cursor("billing")).isEmpty();
    gander().inTransaction(tx -> s.commit(tx, "billing", 2));
    assertThat(s.cursor("billing")).hasValue(2);
  }

  // ------------------------------------------------------------ history, live

  @Test
  void historyThenLiveWithNoGapAndNoDuplicateWhileAPublisherRuns() throws Exception {
    Stream s = stream();
    for (int i = 0; i < 300; i++) {
      s.publish("k", i);
    }
    int total = 2_000;
    Future<?> publisher =
        pool.submit(
            () -> {
              for (int i = 300; i < total; i++) {
                if (i % 2 == 0) {
                  s.publish("k", i);
                } else {
                  s.publishAll("k", List.of(i));
                }
              }
              return null;
            });
    List<Long> seen = new ArrayList<>();
    try (Subscription sub = s.subscribe("reader")) {
      while (seen.size() < total) {
        Optional<Event> e = sub.next(Duration.ofSeconds(30));
        assertThat(e).as("event after %d", seen.size()).isPresent();
        assertThat(e.get().payloadAs(Integer.class)).isEqualTo(seen.size());
        seen.add(e.get().offset());
      }
      publisher.get(60, TimeUnit.SECONDS);
      assertThat(sub.poll()).isEmpty();
    }
    for (int i = 0; i < total; i++) {
      assertThat(seen.get(i)).isEqualTo(i + 1L);
    }
  }

  @Test
  void aWaitingSubscriberIsWokenByAPublishOfAnotherInstance() throws Exception {
    Stream s = stream();
    try (Gander other = openAnother();
        Subscription sub = s.subscribe("waiter")) {
      assertThat(sub.next(Duration.ofMillis(50))).isEmpty();
      Future<Optional<Event>> waiting =
          Blocked.submit(pool, () -> sub.next(Duration.ofSeconds(60)));
      other.stream(s.name()).publish("k", "hello");
      Optional<Event> got = waiting.get(30, TimeUnit.SECONDS);
      assertThat(got).isPresent();
      assertThat(got.get().payloadAs(String.class)).isEqualTo("hello");
    }
  }

  /**
   * Subscribers waiting in the publishing process are handed the events of its commits without a
   * read; this holds them to what a read gives: every event once, in offset order, equal in every
   * field to what storage holds, from concurrent publishers in every publishing form, a batch
   * larger than a subscriber takes by hand among them.
   */
  @Test
  void liveSubscribersInThePublishingProcessGetEveryEventOnceInOrderAsStored() throws Exception {
    liveSubscribersGetEveryEventOnceInOrderAsStored(gander());
  }

  /**
   * The same with the publishers on another instance, whose commits reach the subscribers as
   * another process's would (through the commit watcher on SQLite, {@code NOTIFY} on PostgreSQL).
   */
  @Test
  void liveSubscribersOfAnotherInstanceGetEveryEventOnceInOrderAsStored() throws Exception {
    try (Gander other = openAnother()) {
      liveSubscribersGetEveryEventOnceInOrderAsStored(other);
    }
  }

  private void liveSubscribersGetEveryEventOnceInOrderAsStored(Gander publishing) throws Exception {
    Stream s = stream();
    Stream target = publishing.stream(s.name());
    int publishers = 4;
    int each = 150;
    int big = 700;
    int total = publishers * each + big;
    List<Future<List<Event>>> subscribers = new ArrayList<>();
    for (int r = 0; r < 3; r++) {
      String consumer = "live-" + r;
      subscribers.add(
          pool.submit(
              () -> {
                List<Event> got = new ArrayList<>();
                try (Subscription sub = s.subscribe(consumer)) {
                  while (got.size() < total) {
                    Optional<Event> e = sub.next(Duration.ofSeconds(30));
                    assertThat(e).as("%s after %d events", consumer, got.size()).isPresent();
                    got.add(e.get());
                  }
                  assertThat(sub.poll()).isEmpty();
                }
                return got;
              }));
    }
    List<Future<?>> writers = new ArrayList<>();
    for (int p = 0; p < publishers; p++) {
      int publisher = p;
      writers.add(
          pool.submit(
              () -> {
                for (int i = 0; i < each; i++) {
                  Order o = new Order(publisher + "-" + i, i);
                  switch (i % 3) {
                    case 0:
                      target.publish("placed", o, Map.of("from", "p" + publisher, "i", "" + i));
                      break;
                    case 1:
                      target.publishAll("listed", List.of(o));
                      break;
                    default:
                      publishing.inTransaction(tx -> target.publish(tx, "in-tx", o));
                  }
                  if (publisher == 0 && i == each / 2) {
                    target.publishAll("bulk", Collections.nCopies(big, o));
                  }
                }
                return null;
              }));
    }
    for (Future<?> w : writers) {
      w.get(60, TimeUnit.SECONDS);
    }
    List<Event> stored = new ArrayList<>();
    while (stored.size() < total) {
      List<Event> page = s.read(stored.size(), 500);
      assertThat(page).isNotEmpty();
      stored.addAll(page);
    }
    assertThat(offsets(stored)).isEqualTo(offsets(s.read(0, total + 1)));
    for (Future<List<Event>> sub : subscribers) {
      List<Event> got = sub.get(60, TimeUnit.SECONDS);
      for (int i = 0; i < total; i++) {
        if (!got.get(i).equals(stored.get(i))) {
          assertThat(got.get(i)).as("event %d", i + 1).isEqualTo(stored.get(i));
        }
      }
    }
  }

  @Test
  void aWaitingSubscriberNeverSeesAPublishThatRolledBack() throws Exception {
    Stream s = stream();
    try (Subscription sub = s.subscribe("waiter")) {
      Future<Optional<Event>> waiting =
          Blocked.submit(pool, () -> sub.next(Duration.ofSeconds(60)));
      assertThatThrownBy(
              () ->
                  gander()
                      .inTransaction(
                          tx -> {
                            s.publish(tx, "k", "rolled back");
                            throw new IllegalStateException("business rule");
                          }))
          .isInstanceOf(IllegalStateException.class);
      long offset = s.publish("k", "kept");
      assertThat(offset).isEqualTo(1);
      Event got = waiting.get(30, TimeUnit.SECONDS).orElseThrow();
      assertThat(got.offset()).isEqualTo(1);
      assertThat(got.payloadAs(String.class)).isEqualTo("kept");
      assertThat(sub.poll()).isEmpty();
    }
  }

  @Test
  void concurrentPublishersOnTwoInstancesGetDistinctGapFreeOffsets() throws Exception {
    Stream s = stream();
    try (Gander other = openAnother()) {
      Stream t = other.stream(s.name());
      List<Future<List<Long>>> publishers = new ArrayList<>();
      for (int p = 0; p < 4; p++) {
        Stream target = p % 2 == 0 ? s : t;
        publishers.add(
            pool.submit(
                () -> {
                  List<Long> mine = new ArrayList<>();
                  for (int i = 0; i < 100; i++) {
                    mine.add(target.publish("k", i));
                  }
                  return mine;
                }));
      }
      List<Long> all = new ArrayList<>();
      for (Future<List<Long>> f : publishers) {
        List<Long> mine = f.get(60, TimeUnit.SECONDS);
        assertThat(mine).isSorted();
        all.addAll(mine);
      }
      Collections.sort(all);
      for (int i = 0; i < all.size(); i++) {
        assertThat(all.get(i)).isEqualTo(i + 1L);
      }
      assertThat(offsets(s.read(0, 1_000))).isEqualTo(all);
    }
  }

  @Test
  void aSubscriberThatSleepsWhile100000EventsAreAppendedLosesNone() throws Exception {
    Stream s = stream();
    int total = 100_000;
    try (Subscription sub = s.subscribe("slow")) {
      assertThat(sub.poll()).isEmpty();
      // Appended by another thread while this subscriber does not read at all.
      Future<?> publisher =
          pool.submit(
              () -> {
                List<Integer> payloads = new ArrayList<>(1_000);
                for (int batch = 0; batch < total / 1_000; batch++) {
                  payloads.clear();
                  for (int i = 0; i < 1_000; i++) {
                    payloads.add(batch * 1_000 + i);
                  }
                  s.publishAll("k", payloads);
                }
                return null;
              });
      publisher.get(120, TimeUnit.SECONDS);
      for (int i = 0; i < total; i++) {
        Event e = sub.poll().orElseThrow();
        assertThat(e.offset()).isEqualTo(i + 1L);
        if (e.payloadAs(Integer.class) != i) {
          assertThat(e.payloadAs(Integer.class)).isEqualTo(i);
        }
      }
      assertThat(sub.poll()).isEmpty();
    }
  }

  @Test
  void aConsumerResumesAfterItsCommittedOffsetInAnInstanceOpenedAfresh() {
    String name = prefix + "-reopen";
    try (Gander first = openAnother()) {
      Stream s = first.stream(name);
      s.publishAll("k", List.of(1, 2, 3, 4));
      try (Subscription sub = s.subscribe("billing")) {
        sub.commit(sub.poll().orElseThrow().offset());
        sub.commit(sub.poll().orElseThrow().offset());
      }
    }
    try (Gander second = openAnother();
        Subscription sub = second.stream(name).subscribe("billing")) {
      assertThat(sub.position()).isEqualTo(2);
      assertThat(sub.poll().orElseThrow().payloadAs(Integer.class)).isEqualTo(3);
    }
  }

  @Test
  void theStreamViewYieldsEventsInOrder() {
    Stream s = stream();
    s.publishAll("k", List.of(10, 20, 30));
    try (Subscription sub = s.subscribe("view")) {
      assertThat(sub.stream().limit(3).map(e -> e.payloadAs(Integer.class)))
          .containsExactly(10, 20, 30);
    }
  }

  @Test
  void closingASubscriptionReleasesItsWaiterAndRefusesFurtherReads() throws Exception {
    Stream s = stream();
    Subscription sub = s.subscribe("closer");
    Future<Optional<Event>> waiting = Blocked.submit(pool, () -> sub.next(Duration.ofSeconds(60)));
    sub.close();
    assertThat(waiting.get(30, TimeUnit.SECONDS)).isEmpty();
    assertThatThrownBy(sub::poll).isInstanceOf(GanderClosedException.class);
    sub.close(); // idempotent
  }

  // ---------------------------------------------------------------- compaction

  @Test
  void compactionKeepsWhatAConsumerHasNotCommittedUnlessForced() {
    Stream s = stream();
    for (int i = 1; i <= 10; i++) {
      s.publish("k", i);
    }
    s.commit("slow", 4);
    CompactReport kept = s.compact(8);
    assertThat(kept.removed()).isEqualTo(4);
    assertThat(kept.remaining()).isEqualTo(6);
    assertThat(kept.latest()).isEqualTo(10);
    assertThat(offsets(s.read(0, 100))).containsExactly(5L, 6L, 7L, 8L, 9L, 10L);

    try (Subscription sub = s.subscribe("slow")) {
      CompactReport forced = s.forceCompact(7);
      assertThat(forced.removed()).isEqualTo(3);
      assertThat(forced.remaining()).isEqualTo(3);
      assertThatThrownBy(sub::poll)
          .isInstanceOfSatisfying(
              ConsumerLaggedException.class,
              e -> {
                assertThat(e.firstMissed()).isEqualTo(5);
                assertThat(e.lastMissed()).isEqualTo(7);
              });
      assertThat(sub.poll().orElseThrow().offset()).isEqualTo(8);
    }
    assertThat(s.latest()).isEqualTo(10);
    assertThat(s.publish("k", 11)).isEqualTo(11);
    CompactReport all = s.forceCompact(Long.MAX_VALUE);
    assertThat(all.removed()).isEqualTo(4);
    assertThat(all.remaining()).isZero();
    assertThat(all.latest()).isEqualTo(11);
    assertThat(s.publish("k", 12)).isEqualTo(12);
  }

  // ---------------------------------------------------------------- retention

  @Test
  void retentionByCountKeepsTheNewestAndNeverPassesAConsumer() {
    Stream s = stream();
    assertThat(s.retention()).isEqualTo(StreamRetention.forever());
    for (int i = 1; i <= 10; i++) {
      s.publish("k", i);
    }
    s.setRetention(StreamRetention.maxCount(3));
    assertThat(s.retention()).isEqualTo(StreamRetention.maxCount(3));
    s.commit("reader", 5);
    CompactReport held = s.applyRetention();
    assertThat(held.removed()).isEqualTo(5);
    assertThat(offsets(s.read(0, 100))).containsExactly(6L, 7L, 8L, 9L, 10L);
    s.commit("reader", 10);
    CompactReport applied = s.applyRetention();
    assertThat(applied.removed()).isEqualTo(2);
    assertThat(applied.remaining()).isEqualTo(3);
    assertThat(applied.latest()).isEqualTo(10);
    assertThat(offsets(s.read(0, 100))).containsExactly(8L, 9L, 10L);
    s.setRetention(StreamRetention.forever());
    assertThat(s.applyRetention().removed()).isZero();
    assertThatThrownBy(() -> StreamRetention.maxCount(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamRetention.maxAge(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void retentionByAgeRemovesOlderEventsAndTheBackgroundTaskAppliesIt() throws Exception {
    Stream s = stream();
    s.publishAll("k", List.of(1, 2, 3));
    Thread.sleep(300);
    s.publish("k", 4);
    s.setRetention(StreamRetention.maxAge(Duration.ofMillis(200)).andMaxCount(1_000));
    assertThat(s.retention().maxAge()).hasValue(Duration.ofMillis(200));
    assertThat(s.applyRetention().removed()).isEqualTo(3);
    assertThat(offsets(s.read(0, 100))).containsExactly(4L);

    Stream t = stream();
    t.publishAll("k", List.of(1, 2, 3, 4, 5));
    t.setRetention(StreamRetention.maxCount(2));
    try (Gander other = openWithRetentionPeriod(Duration.ofMillis(50));
        Subscription sub = other.stream(t.name()).subscribe("starter", 5)) {
      // The subscription starts the other instance's retention task, which applies the rule.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (t.read(0, 100).size() > 2 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(offsets(t.read(0, 100))).containsExactly(4L, 5L);
      assertThat(sub.poll()).isEmpty();
    }
  }

  // ---------------------------------------------------------------- closing

  @Test
  void aSubscriberWaitingWhenTheDatabaseClosesIsToldSo() throws Exception {
    Gander other = openAnother();
    Stream s = other.stream(prefix + "-closing");
    Subscription sub = s.subscribe("waiter");
    Future<Optional<Event>> waiting = Blocked.submit(pool, () -> sub.next(Duration.ofSeconds(60)));
    other.close();
    assertThatThrownBy(() -> waiting.get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(GanderClosedException.class);
    assertThatThrownBy(() -> s.publish("k", 1)).isInstanceOf(GanderClosedException.class);
  }
}
