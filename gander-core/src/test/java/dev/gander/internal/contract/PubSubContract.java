package dev.gander.internal.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.Gander;
import dev.gander.GanderClosedException;
import dev.gander.InvalidNameException;
import dev.gander.PayloadCodecException;
import dev.gander.PayloadTooLargeException;
import dev.gander.pubsub.Listener;
import dev.gander.pubsub.Notification;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * Ephemeral pub/sub through the public API, which every backend must keep: delivery to every
 * listener that listens when the notification is sent, in send order, across instances; nothing for
 * a listener that starts later; nothing for a rolled-back send; pruning of old notifications.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class PubSubContract {
  /**
   * The instance under test, open for the whole class.
   *
   * @return the instance
   */
  protected abstract Gander gander();

  /**
   * Opens a second instance on the same database; the test closes it.
   *
   * @param notificationRetention how long that instance keeps notifications
   * @return a new instance
   */
  protected abstract Gander openAnother(Duration notificationRetention);

  /**
   * The table of the streams' events as SQL names it on this backend: stored notifications are rows
   * of it, so a test can see that they are deleted.
   *
   * @return the table's name
   */
  protected abstract String eventsTable();

  private String prefix;
  private int channels;
  private ExecutorService pool;

  @BeforeEach
  void nameChannels(TestInfo info) {
    String method = info.getTestMethod().orElseThrow().getName();
    prefix =
        (method.length() > 60 ? method.substring(0, 60) : method)
            + "-"
            + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
    channels = 0;
    pool = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stopThreads() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }

  private String channel() {
    return prefix + "-" + (++channels);
  }

  private static List<String> drain(Listener l) {
    List<String> out = new ArrayList<>();
    Optional<Notification> n;
    while ((n = l.poll(Duration.ZERO)).isPresent()) {
      out.add(n.get().payloadAs(String.class));
    }
    return out;
  }

  @Test
  void everyListenerReceivesWhatIsSentAfterItStartedInOrder() {
    String ch = channel();
    gander().notify(ch, "before anyone listened");
    try (Listener a = gander().listen(ch);
        Listener b = gander().listen(ch);
        Listener other = gander().listen(channel())) {
      Instant before = Instant.now().minusSeconds(5);
      for (int i = 0; i < 5; i++) {
        gander().notify(ch, "n" + i);
      }
      Notification first = a.poll(Duration.ofSeconds(10)).orElseThrow();
      assertThat(first.channel()).isEqualTo(ch);
      assertThat(first.payloadAs(String.class)).isEqualTo("n0");
      assertThat(first.sentAt()).isAfter(before);
      assertThat(drain(a)).containsExactly("n1", "n2", "n3", "n4");
      assertThat(drain(b)).containsExactly("n0", "n1", "n2", "n3", "n4");
      assertThat(other.poll(Duration.ofMillis(50))).isEmpty();
      try (Listener late = gander().listen(ch)) {
        assertThat(late.poll(Duration.ofMillis(50))).isEmpty();
        gander().notify(ch, Map.of("k", "v"));
        assertThat(late.take().payload()).isEqualTo("{\"k\":\"v\"}");
      }
    }
  }

  @Test
  void aRolledBackSendIsNeverDeliveredAndACommittedOneIs() {
    String ch = channel();
    try (Listener l = gander().listen(ch)) {
      assertThatThrownBy(
              () ->
                  gander()
                      .inTransaction(
                          tx -> {
                            gander().notify(tx, ch, "rolled back");
                            throw new IllegalStateException("business rule");
                          }))
          .isInstanceOf(IllegalStateException.class);
      gander().inTransaction(tx -> gander().notify(tx, ch, "committed"));
      assertThat(l.poll(Duration.ofSeconds(10)).orElseThrow().payloadAs(String.class))
          .isEqualTo("committed");
      assertThat(l.poll(Duration.ofMillis(100))).isEmpty();
    }
  }

  @Test
  void aListenerOfAnotherInstanceIsWokenBySendsHere() throws Exception {
    String ch = channel();
    try (Gander other = openAnother(Duration.ofSeconds(60));
        Listener l = other.listen(ch)) {
      Future<Optional<Notification>> waiting =
          Blocked.submit(pool, () -> l.poll(Duration.ofSeconds(60)));
      String big = "x".repeat(20_000); // over PostgreSQL's 8,000-byte NOTIFY limit
      gander().notify(ch, big);
      assertThat(waiting.get(30, TimeUnit.SECONDS).orElseThrow().payloadAs(String.class))
          .isEqualTo(big);
    }
  }

  @Test
  void identicalNotificationsOfOneTransactionAllArriveInOrder() throws Exception {
    String ch = channel();
    try (Gander other = openAnother(Duration.ofSeconds(60));
        Listener there = other.listen(ch);
        Listener here = gander().listen(ch)) {
      gander()
          .inTransaction(
              tx -> {
                gander().notify(tx, ch, "same");
                gander().notify(tx, ch, "same");
                gander().notify(tx, ch, "last");
              });
      for (Listener l : List.of(here, there)) {
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          got.add(l.poll(Duration.ofSeconds(10)).orElseThrow().payloadAs(String.class));
        }
        assertThat(got).containsExactly("same", "same", "last");
        assertThat(l.poll(Duration.ofMillis(50))).isEmpty();
      }
    }
  }

  @Test
  void payloadsAroundEveryCarrierLimitArriveWholeAndInSendOrder() throws Exception {
    String ch = channel();
    // Sizes in bytes of UTF-8 around PostgreSQL's 8,000-byte NOTIFY limit, in one- and two-byte
    // characters, mixed with small ones: some travel inline, some by reference, one order.
    List<String> sent = new ArrayList<>();
    for (int bytes : new int[] {10, 7_800, 7_990, 7_999, 8_000, 8_001, 9_000, 10, 100_000}) {
      sent.add("a".repeat(bytes - 2));
      sent.add("é".repeat(bytes / 2 - 1));
    }
    try (Gander other = openAnother(Duration.ofSeconds(60));
        Listener there = other.listen(ch);
        Listener here = gander().listen(ch)) {
      for (String s : sent) {
        gander().notify(ch, s);
      }
      for (Listener l : List.of(here, there)) {
        List<String> got = new ArrayList<>();
        for (int i = 0; i < sent.size(); i++) {
          got.add(l.poll(Duration.ofSeconds(10)).orElseThrow().payloadAs(String.class));
        }
        assertThat(got).isEqualTo(sent);
      }
    }
  }

  @Test
  void sendersInTwoInstancesReachListenersInBothInSendOrderPerSender() throws Exception {
    String ch = channel();
    try (Gander other = openAnother(Duration.ofSeconds(60));
        Listener there = other.listen(ch);
        Listener here = gander().listen(ch)) {
      for (int i = 0; i < 50; i++) {
        gander().notify(ch, "here-" + i);
        other.notify(ch, "there-" + i);
      }
      for (Listener l : List.of(here, there)) {
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          got.add(l.poll(Duration.ofSeconds(10)).orElseThrow().payloadAs(String.class));
        }
        assertThat(got.stream().filter(s -> s.startsWith("here-")))
            .containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, 50).mapToObj(i -> "here-" + i).toList());
        assertThat(got.stream().filter(s -> s.startsWith("there-")))
            .containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, 50).mapToObj(i -> "there-" + i).toList());
      }
    }
  }

  @Test
  void theCallbackFormDeliversInOrderAndOutlivesACallbackThatThrows() throws Exception {
    String ch = channel();
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    try (Listener l =
        gander()
            .listen(
                ch,
                n -> {
                  String s = n.payloadAs(String.class);
                  got.add(s);
                  if (s.equals("boom")) {
                    throw new IllegalStateException("callback failed");
                  }
                })) {
      gander().notify(ch, "boom");
      gander().notify(ch, "after");
      assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("boom");
      assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("after");
      assertThatThrownBy(() -> l.poll(Duration.ZERO)).isInstanceOf(IllegalStateException.class);
    }
    gander().notify(ch, "after close");
    assertThat(got.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void notificationsOlderThanTheRetentionArePrunedAndNotDelivered() throws Exception {
    String ch = channel();
    try (Gander shortLived = openAnother(Duration.ofMillis(100));
        Listener slow = shortLived.listen(ch)) {
      shortLived.notify(ch, "old");
      Thread.sleep(400);
      shortLived.notify(ch, "new"); // prunes what is older than 100 ms
      assertThat(drain(slow)).containsExactly("new");
    }
  }

  @Test
  void storedNotificationsAreDeletedAboutARetentionLaterWithNobodySendingAfterThem()
      throws Exception {
    String ch = channel();
    // Over PostgreSQL's 8,000-byte NOTIFY limit, so that every backend stores it as a row.
    String big = "x".repeat(10_000);
    try (Gander shortLived = openAnother(Duration.ofMillis(200))) {
      shortLived.notify(ch, big);
      shortLived.notify(ch, "small");
      assertThat(stored(ch)).isPositive();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (stored(ch) > 0 && System.nanoTime() - deadline < 0) {
        Thread.sleep(20); // a bounded wait for the background prune
      }
      assertThat(stored(ch)).as("rows left with nobody sending after them").isZero();
    }
  }

  private long stored(String channel) {
    return gander()
        .store()
        .read(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "SELECT count(*) FROM " + eventsTable() + " WHERE stream = ?")) {
                ps.setString(1, "!" + channel);
                try (ResultSet rs = ps.executeQuery()) {
                  rs.next();
                  return rs.getLong(1);
                }
              }
            });
  }

  @Test
  void aListenerFurtherBehindThanTheRetentionMissesItWithNoLaterSendToPruneIt() throws Exception {
    String ch = channel();
    try (Gander shortLived = openAnother(Duration.ofMillis(100));
        Listener slow = shortLived.listen(ch)) {
      shortLived.notify(ch, "old");
      Thread.sleep(1_000); // ten times the retention, and nobody sends meanwhile
      assertThat(slow.poll(Duration.ZERO)).isEmpty();
      shortLived.notify(ch, "new");
      assertThat(slow.poll(Duration.ofSeconds(30)).map(n -> n.payloadAs(String.class)))
          .contains("new");
    }
  }

  @Test
  void aPayloadWithALoneSurrogateIsRefusedAndSendsNothing() throws Exception {
    String ch = channel();
    try (Listener l = gander().listen(ch)) {
      assertThatThrownBy(() -> gander().notify(ch, "half \uD83D"))
          .isInstanceOf(PayloadCodecException.class)
          .hasMessageContaining("lone UTF-16 surrogate");
      gander().notify(ch, "whole \uD83D\uDCE6");
      assertThat(l.poll(Duration.ofSeconds(10)).map(n -> n.payloadAs(String.class)))
          .contains("whole \uD83D\uDCE6");
      assertThat(l.poll(Duration.ofMillis(50))).isEmpty();
    }
  }

  @Test
  void aPayloadThatCannotBeWrittenIsACodecErrorAndSendsNothing() {
    String ch = channel();
    try (Listener l = gander().listen(ch)) {
      assertThatThrownBy(() -> gander().notify(ch, new StreamContract.Unwritable()))
          .isInstanceOf(PayloadCodecException.class);
      gander().notify(ch, 7);
      Notification n = l.poll(Duration.ofSeconds(30)).orElseThrow();
      assertThat(n.payloadAs(Integer.class))
          .as("the first that arrives is the good one")
          .isEqualTo(7);
      assertThatThrownBy(() -> n.payloadAs(Map.class)).isInstanceOf(PayloadCodecException.class);
    }
  }

  @Test
  void badInputIsRefusedAndSendsNothing() {
    String ch = channel();
    try (Listener l = gander().listen(ch)) {
      assertThatThrownBy(() -> gander().notify("bad channel", 1))
          .isInstanceOf(InvalidNameException.class);
      assertThatThrownBy(() -> gander().listen("")).isInstanceOf(InvalidNameException.class);
      assertThatThrownBy(() -> gander().notify(ch, "x".repeat(1_100_000)))
          .isInstanceOf(PayloadTooLargeException.class);
      assertThat(l.poll(Duration.ofMillis(50))).isEmpty();
    }
  }

  @Test
  void closingAListenerReleasesItsWaiterAndRefusesFurtherReads() throws Exception {
    Listener l = gander().listen(channel());
    Future<Optional<Notification>> waiting =
        Blocked.submit(pool, () -> l.poll(Duration.ofSeconds(60)));
    l.close();
    assertThat(waiting.get(30, TimeUnit.SECONDS)).isEmpty();
    assertThatThrownBy(() -> l.poll(Duration.ZERO)).isInstanceOf(GanderClosedException.class);
    assertThatThrownBy(l::take).isInstanceOf(GanderClosedException.class);
    l.close();
  }

  @Test
  void aListenerWaitingWhenTheDatabaseClosesIsToldSo() throws Exception {
    Gander other = openAnother(Duration.ofSeconds(60));
    Listener l = other.listen(channel());
    Future<Optional<Notification>> waiting =
        Blocked.submit(pool, () -> l.poll(Duration.ofSeconds(60)));
    other.close();
    assertThatThrownBy(() -> waiting.get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(GanderClosedException.class);
    assertThatThrownBy(() -> other.notify("x", 1)).isInstanceOf(GanderClosedException.class);
  }
}
