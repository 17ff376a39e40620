package dev.gander.internal.eventlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.GanderException;
import dev.gander.eventlog.CompactReport;
import dev.gander.eventlog.ConsumerId;
import dev.gander.eventlog.EventLog;
import dev.gander.eventlog.EventLogBackend;
import dev.gander.eventlog.EventLogConfig;
import dev.gander.eventlog.LogEntry;
import dev.gander.eventlog.LogEvent;
import dev.gander.eventlog.Topic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file backend's own promises: its format, a torn last line, a damaged file, leftover temporary
 * files, atomic compaction, offsets across compaction and reopening, file names of topics whose
 * names sanitise alike, one event log per directory, cursors' files.
 */
class FileEventLogTest {
  @TempDir Path dir;

  private final Topic orders = Topic.of("orders");

  private EventLog open() {
    return EventLog.open(
        EventLogConfig.builder().backend(EventLogBackend.FILE).fileDir(dir).build());
  }

  private Path fileOf(Topic t) {
    return dir.resolve("topics").resolve(FileNames.stem(t.name()) + ".jsonl");
  }

  private static LogEvent event(int i) {
    return LogEvent.ofJson("k", "{\"i\":" + i + "}");
  }

  private static List<Long> offsets(List<LogEntry> entries) {
    return entries.stream().map(LogEntry::offset).collect(Collectors.toList());
  }

  private static List<Long> range(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().collect(Collectors.toList());
  }

  private void appendClosed(int n) {
    try (EventLog log = open()) {
      for (int i = 1; i <= n; i++) {
        log.append(orders, event(i));
      }
    }
  }

  @Test
  void eachTopicIsAFileOfJsonLinesThatKeepTheirOffsets() throws Exception {
    try (EventLog log = open()) {
      LogEvent e =
          LogEvent.ofJson("order.created", "{\"id\":\"A-1\"}")
              .withHeader("source", "web")
              .withOccurredAt(Instant.ofEpochMilli(1_700_000_000_000L));
      log.append(orders, e);
      assertThat(log.describe().location()).hasValue(dir.toAbsolutePath().normalize().toString());
    }
    assertThat(Files.readAllLines(fileOf(orders)))
        .containsExactly(
            "{\"id\":1,\"event\":{\"kind\":\"order.created\",\"payload\":{\"id\":\"A-1\"},"
                + "\"headers\":{\"source\":\"web\"},\"occurred_at_ms\":1700000000000}}");
  }

  @Test
  void aTornLastLineIsCutOffWithAWarningAndTheEventsBeforeItStay() throws Exception {
    appendClosed(3);
    Path file = fileOf(orders);
    long whole = Files.size(file);
    Files.write(
        file,
        "{\"id\":4,\"event\":{\"kind\":\"k\",\"pay".getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.APPEND);

    String warnings =
        Stderr.of(
            () -> {
              try (EventLog log = open()) {
                assertThat(offsets(log.readRange(orders, 0, 10))).containsExactly(1L, 2L, 3L);
                assertThat(log.append(orders, event(4))).isEqualTo(4);
              }
            });
    assertThat(warnings).contains("WARN").contains("torn").contains(file.toString());
    assertThat(Files.size(file)).isGreaterThan(whole);
    assertThat(Files.readString(file)).endsWith("}\n").doesNotContain("\"pay\n");

    String quiet =
        Stderr.of(
            () -> {
              try (EventLog log = open()) {
                assertThat(offsets(log.readRange(orders, 0, 10))).isEqualTo(range(1, 4));
                assertThat(log.readRange(orders, 3, 1).get(0).event().payload().get("i").asInt())
                    .isEqualTo(4);
              }
            });
    assertThat(quiet).doesNotContain("torn");
  }

  @Test
  void anUnreadableLastLineIsTornTooButADamagedLineBeforeItFailsTheTopic() throws Exception {
    appendClosed(2);
    Path file = fileOf(orders);
    Files.write(file, "\0\0\0\0\n".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
    String warnings =
        Stderr.of(
            () -> {
              try (EventLog log = open()) {
                assertThat(log.latest(orders)).hasValue(2);
              }
            });
    assertThat(warnings).contains("torn");

    List<String> lines = Files.readAllLines(file);
    Files.write(file, List.of(lines.get(0), "not json", lines.get(1)));
    try (EventLog log = open()) {
      assertThatThrownBy(() -> log.latest(orders))
          .isInstanceOf(GanderException.class)
          .hasMessageContaining("damaged at line 2")
          .hasMessageContaining(file.toString());
      Topic other = Topic.of("other");
      assertThat(log.append(other, event(1))).as("other topics still work").isEqualTo(1);
    }
  }

  @Test
  void aTemporaryFileLeftByACrashIsRemovedOnOpenAndTheFileItWasToReplaceStays() throws Exception {
    try (EventLog log = open()) {
      for (int i = 1; i <= 5; i++) {
        log.append(orders, event(i));
      }
      log.ack(orders, ConsumerId.of("mailer"), 2);
    }
    Path file = fileOf(orders);
    Path compacting = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(compacting, "{\"compacted_through\":3}\n{\"id\":4,\"ev");
    Path cursors = dir.resolve("consumers").resolve(FileNames.stem(orders.name()));
    Path cursorTemp = cursors.resolve(FileNames.stem("mailer") + ".json.tmp");
    Files.writeString(cursorTemp, "{\"cursor\":");

    String warnings =
        Stderr.of(
            () -> {
              try (EventLog log = open()) {
                assertThat(offsets(log.readRange(orders, 0, 10))).isEqualTo(range(1, 5));
                assertThat(log.consumerCursor(orders, ConsumerId.of("mailer"))).hasValue(2);
              }
            });
    assertThat(compacting).doesNotExist();
    assertThat(cursorTemp).doesNotExist();
    assertThat(warnings).contains("Removed " + compacting).contains("Removed " + cursorTemp);
  }

  @Test
  void compactionReplacesTheFileWholeAndOffsetsSurviveItAndReopening() throws Exception {
    Path file = fileOf(orders);
    try (EventLog log = open()) {
      for (int i = 1; i <= 10; i++) {
        log.append(orders, event(i));
      }
      long before = Files.size(file);
      CompactReport r = log.compact(orders, 4);
      assertThat(r.checkpointed()).isTrue();
      assertThat(Files.size(file)).isLessThan(before);
      List<String> lines = Files.readAllLines(file);
      assertThat(lines.get(0)).isEqualTo("{\"compacted_through\":4}");
      assertThat(lines).hasSize(7);
      assertThat(lines.get(1)).startsWith("{\"id\":5,");
      assertThat(offsets(log.readRange(orders, 0, 100))).isEqualTo(range(5, 10));
      assertThat(log.append(orders, event(11))).isEqualTo(11);
      assertThat(offsets(log.readRange(orders, 9, 100))).containsExactly(10L, 11L);
    }
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertThat(files).containsExactly(file);
    }
    try (EventLog log = open()) {
      assertThat(offsets(log.readRange(orders, 0, 100))).isEqualTo(range(5, 11));
      log.compact(orders, 11);
    }
    assertThat(Files.readAllLines(file)).containsExactly("{\"compacted_through\":11}");
    try (EventLog log = open()) {
      assertThat(log.latest(orders)).hasValue(11);
      assertThat(log.readRange(orders, 0, 10)).isEmpty();
      assertThat(log.append(orders, event(12))).isEqualTo(12);
    }
  }

  @Test
  void topicsWhoseNamesSanitiseAlikeNeverShareAFile() throws Exception {
    List<Topic> alike =
        List.of(Topic.of("a:b"), Topic.of("a_b"), Topic.of("Orders"), Topic.of("orders"));
    try (EventLog log = open()) {
      for (int i = 0; i < alike.size(); i++) {
        for (int j = 0; j <= i; j++) {
          log.append(alike.get(i), event(i));
        }
      }
    }
    assertThat(fileOf(alike.get(0)).getFileName().toString()).startsWith("a_b-");
    assertThat(fileOf(alike.get(0))).isNotEqualTo(fileOf(alike.get(1)));
    try (Stream<Path> files = Files.list(dir.resolve("topics"))) {
      assertThat(files.map(p -> p.getFileName().toString().toLowerCase()).distinct().count())
          .as("distinct even where case is ignored")
          .isEqualTo(4);
    }
    try (EventLog log = open()) {
      for (int i = 0; i < alike.size(); i++) {
        int topic = i;
        assertThat(log.latest(alike.get(i))).hasValue(i + 1);
        assertThat(log.readRange(alike.get(i), 0, 10))
            .allSatisfy(e -> assertThat(e.event().payload().get("i").asInt()).isEqualTo(topic));
      }
    }
  }

  @Test
  void oneEventLogAtATimeOpensADirectory() {
    try (EventLog first = open()) {
      assertThatThrownBy(this::open)
          .isInstanceOf(GanderException.class)
          .hasMessageContaining("is open in another event log");
      first.append(orders, event(1));
    }
    try (EventLog again = open()) {
      assertThat(again.latest(orders)).hasValue(1);
    }
  }

  @Test
  void cursorsLiveInSmallFilesAndAnUnreadableOneCountsAsNoCursor() throws Exception {
    ConsumerId mailer = ConsumerId.of("mailer:eu");
    Path cursor =
        dir.resolve("consumers")
            .resolve(FileNames.stem(orders.name()))
            .resolve(FileNames.stem(mailer.name()) + ".json");
    try (EventLog log = open()) {
      for (int i = 1; i <= 5; i++) {
        log.append(orders, event(i));
      }
      log.ack(orders, mailer, 4);
      log.flush();
    }
    assertThat(Files.readString(cursor)).contains("\"cursor\":4").contains("\"mailer:eu\"");
    Files.writeString(cursor, "");
    String warnings =
        Stderr.of(
            () -> {
              try (EventLog log = open()) {
                assertThat(log.consumerCursor(orders, mailer)).isEmpty();
                assertThat(log.ack(orders, mailer, 1)).isEqualTo(1);
              }
            });
    assertThat(warnings).contains("cannot be read");
    try (EventLog log = open()) {
      assertThat(log.consumerCursor(orders, mailer)).hasValue(1);
    }
  }

  @Test
  void theDirectoryIsMadeIfMissingAndDescribedWithItsSize() {
    Path nested = dir.resolve("a").resolve("b");
    try (EventLog log =
        EventLog.open(
            EventLogConfig.builder().backend(EventLogBackend.FILE).fileDir(nested).build())) {
      long empty = log.describe().sizeOnDisk().orElseThrow();
      log.appendAll(orders, List.of(event(1), event(2)));
      assertThat(log.describe().sizeOnDisk().orElseThrow()).isGreaterThan(empty);
      assertThat(log.describe().queueDepth()).isEqualTo(128);
    }
    assertThat(nested.resolve("topics")).isDirectory();
  }
}
