package dev.gander.internal.eventlog;

import dev.gander.eventlog.EventLog;
import dev.gander.eventlog.EventLogBackend;
import dev.gander.eventlog.EventLogConfig;
import dev.gander.eventlog.LogEvent;
import dev.gander.eventlog.Topic;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A child JVM for {@link FileEventLogCrashTest}: appends to one topic of a file event log, in
 * batches of varying sizes, compacting now and then and acknowledging as it goes, and prints {@code
 * appended N} after each append returns, until it is killed.
 */
public final class FileLogChild {
  private FileLogChild() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    Topic topic = Topic.of("crash");
    try (EventLog log =
        EventLog.open(
            EventLogConfig.builder().backend(EventLogBackend.FILE).fileDir(dir).build())) {
      long next = log.latest(topic).orElse(0) + 1;
      for (int round = 0; ; round++) {
        List<LogEvent> batch = new ArrayList<>();
        for (int j = 0; j <= round % 5; j++) {
          batch.add(
              LogEvent.ofJson(
                  "tick", "{\"n\":" + next++ + ",\"pad\":\"" + "p".repeat(200) + "\"}"));
        }
        List<Long> offsets = log.appendAll(topic, batch);
        long last = offsets.get(offsets.size() - 1);
        if (round % 50 == 49) {
          log.compact(topic, last - 100);
        }
        if (round % 7 == 0) {
          log.ack(topic, dev.gander.eventlog.ConsumerId.of("c"), last);
        }
        System.out.println("appended " + last);
        System.out.flush();
      }
    }
  }
}
