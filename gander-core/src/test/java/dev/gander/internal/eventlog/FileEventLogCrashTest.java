package dev.gander.internal.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.eventlog.ConsumerId;
import dev.gander.eventlog.EventLog;
import dev.gander.eventlog.EventLogBackend;
import dev.gander.eventlog.EventLogConfig;
import dev.gander.eventlog.LogEntry;
import dev.gander.eventlog.Topic;
import dev.gander.internal.contract.Jvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a process appending to and compacting a file event log, three times over:
 * every append that returned is there after reopening, offsets have no gap, every event reads back
 * whole, and no temporary file stays.
 */
@Timeout(180)
class FileEventLogCrashTest {
  @TempDir Path dir;

  @Test
  void aKilledWriterLeavesEveryReturnedAppendWholeAndNoGap() throws Exception {
    Path log = dir.resolve("log");
    Topic topic = Topic.of("crash");
    long acknowledged = 0;
    for (int run = 0; run < 3; run++) {
      try (Jvm child = new Jvm("file-log-" + run, dir, FileLogChild.class, log.toString())) {
        long seen = 0;
        long target = acknowledged + 2_000;
        while (seen < target) {
          String line = child.next(60);
          assertThat(line).as(child.describe()).startsWith("appended ");
          seen = Long.parseLong(line.substring("appended ".length()));
        }
        child.process.destroyForcibly(); // SIGKILL: no close, no flush
        child.process.waitFor();
        acknowledged = seen;
      }
      try (EventLog reopened =
          EventLog.open(
              EventLogConfig.builder().backend(EventLogBackend.FILE).fileDir(log).build())) {
        long latest = reopened.latest(topic).orElseThrow();
        assertThat(latest).isGreaterThanOrEqualTo(acknowledged);
        long expected = -1;
        long after = 0;
        List<LogEntry> batch;
        while (!(batch = reopened.readRange(topic, after, 1_000)).isEmpty()) {
          for (LogEntry e : batch) {
            if (expected >= 0) {
              assertThat(e.offset()).isEqualTo(expected);
            }
            assertThat(e.event().payload().get("n").asLong()).isEqualTo(e.offset());
            expected = e.offset() + 1;
            after = e.offset();
          }
        }
        assertThat(after).isEqualTo(latest);
        assertThat(reopened.consumerCursor(topic, ConsumerId.of("c")).orElseThrow())
            .isLessThanOrEqualTo(latest);
      }
      try (Stream<Path> files = Files.walk(log)) {
        assertThat(files.filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
      }
    }
  }
}
