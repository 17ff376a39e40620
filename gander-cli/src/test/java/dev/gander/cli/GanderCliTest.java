package dev.gander.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GanderCliTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return GanderCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void demoCreatesTheDatabaseAndDescribesIt() {
    Path db = dir.resolve("demo.db");

    assertThat(run("demo", "--db", db.toString(), "--jobs", "300")).isEqualTo(0);

    assertThat(Files.exists(db)).isTrue();
    assertThat(out.toString())
        .contains("Creating a new Gander database")
        .containsPattern("backend\\s+sqlite")
        .containsPattern("location\\s+" + Pattern.quote(db.toString()))
        .containsPattern("schema version\\s+6")
        .containsPattern("journal mode\\s+wal")
        .containsPattern("synchronous\\s+normal")
        .containsPattern("page size\\s+4096 bytes")
        .contains("size on disk")
        .contains("Enqueued 300 jobs in one transaction")
        .contains("Processed 300 jobs")
        .contains(
            "job 7 failed on attempt 1 (SMTP 451), was retried after a backoff:"
                + " sent to user7@example.com")
        .contains("job 207 failed on attempt 1")
        .contains("Result of job 301: sent to ceo@example.com")
        .contains("Queue now: 0 ready, 0 scheduled, 0 running, 1 dead")
        .containsPattern(
            "Dead letter: job 13 after 1 attempt\\(s\\), reason failed: .*does not exist")
        .contains("Published 5 events to stream 'demo-orders' at offsets 1..5")
        .contains("Consumer 'demo-mailer' read 3 events and committed offset 3, then stopped")
        .contains("Restarted, it resumed at offset 4 (order.created of order 4)")
        .containsPattern("Notified channel 'demo-cache' 20 times: .* round trip [0-9.]+ ms")
        .containsPattern(
            "worker-1 took lock 'demo-report' \\(fencing token 1\\); worker-2 could not: held")
        .containsPattern(
            "waiting worker-2 was woken and took it [0-9.]+ ms later, with fencing token 2")
        .contains("Rate limit 'demo-smtp' (5 per second): 5 of 8 calls allowed, 3 refused")
        .contains(
            "Scheduled task 'demo-tick' (every second) fired 3 jobs into 'demo-ticks' while this"
                + " process led: leader")
        .as("the demo shows errors, not stack traces")
        .doesNotContain("\tat ");
  }

  @Test
  void aSecondDemoOnTheSameFileGoesOnWhereTheFirstLeftTheStream() {
    Path db = dir.resolve("again.db");
    assertThat(run("demo", "--db", db.toString(), "--jobs", "10")).isEqualTo(0);
    out.getBuffer().setLength(0);
    assertThat(run("demo", "--db", db.toString(), "--jobs", "10")).isEqualTo(0);
    assertThat(out.toString())
        .contains("Opening the Gander database")
        .contains("at offsets 6..10")
        .contains("committed offset 8")
        .contains("resumed at offset 9");
  }

  @Test
  void infoDescribesAnExistingDatabaseReadOnly() {
    Path db = dir.resolve("app.db");
    assertThat(run("demo", "--db", db.toString(), "--jobs", "10")).isEqualTo(0);
    out.getBuffer().setLength(0);

    assertThat(run("info", db.toString())).isEqualTo(0);

    assertThat(out.toString())
        .containsPattern("opened\\s+read-only")
        .containsPattern("backend\\s+sqlite")
        .containsPattern("location\\s+" + Pattern.quote(db.toString()))
        .containsPattern("journal mode\\s+wal")
        .containsPattern("page size\\s+4096 bytes");
  }

  @Test
  void streamsListsStreamsWithConsumersAndAppliesRetention() {
    Path db = dir.resolve("streams.db");
    try (dev.gander.Gander g = dev.gander.Gander.open(db)) {
      dev.gander.stream.Stream s = g.stream("orders");
      for (int i = 0; i < 10; i++) {
        s.publish("order.created", i);
      }
      s.commit("mailer", 9);
      s.setRetention(dev.gander.stream.StreamRetention.maxCount(4));
      g.notify("cache", "not a stream");
    }
    assertThat(run("streams", db.toString())).isEqualTo(0);
    assertThat(out.toString())
        .contains("orders: latest offset 10, retention max count 4")
        .contains("consumer mailer at 9, 1 behind")
        .doesNotContain("cache")
        .doesNotContain("removed");
    out.getBuffer().setLength(0);
    assertThat(run("streams", db.toString(), "--apply-retention")).isEqualTo(0);
    assertThat(out.toString()).contains("retention removed 6 event(s), 4 left");
    try (dev.gander.Gander g = dev.gander.Gander.open(db)) {
      assertThat(g.stream("orders").read(0, 100)).hasSize(4);
    }
    assertThat(run("streams", dir.resolve("missing.db").toString())).isNotZero();
    assertThat(err.toString()).contains("No database at");
  }

  @Test
  void infoOnAFileThatIsNotADatabaseFailsWithAClearMessage() throws Exception {
    Path notDb = dir.resolve("notes.db");
    Files.writeString(notDb, "these are my notes, not a database\n".repeat(100));

    assertThat(run("info", notDb.toString())).isEqualTo(1);

    assertThat(err.toString()).contains("is not a SQLite database");
    assertThat(Files.readString(notDb)).startsWith("these are my notes");
  }

  @Test
  void noArgumentsIsAUsageErrorWithTheUsageOnStandardError() {
    assertThat(run()).isEqualTo(2);

    assertThat(err.toString())
        .contains("Missing required subcommand")
        .contains("Usage: gander")
        .contains("demo")
        .contains("info");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void helpPrintsTheUsageAndSucceeds() {
    assertThat(run("--help")).isEqualTo(0);
    assertThat(out.toString()).contains("Usage: gander").contains("demo").contains("info");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void demoHelpPrintsTheDemosUsageWithoutRunningIt() {
    assertThat(run("demo", "--help")).isEqualTo(0);

    assertThat(out.toString())
        .contains("Usage: gander demo")
        .contains("--db=FILE")
        .contains("--jobs=N")
        .contains("--workers=N")
        .doesNotContain("Enqueued");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void infoHelpPrintsTheInfoUsage() {
    assertThat(run("info", "-h")).isEqualTo(0);

    assertThat(out.toString()).contains("Usage: gander info").contains("FILE");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void demoReportsTheSizeThatInfoReportsAndSaysTheFileIsKept() {
    Path db = dir.resolve("sized.db");
    assertThat(run("demo", "--db", db.toString(), "--jobs", "2000")).isEqualTo(0);
    String demo = out.toString();
    out.getBuffer().setLength(0);
    assertThat(run("info", db.toString())).isEqualTo(0);
    String info = out.toString();

    String demoSize = group(demo, "Database " + Pattern.quote(db.toString()) + " is (.+) on disk");
    String infoSize = group(info, "size on disk\\s+(.+)");
    assertThat(demoSize).isEqualTo(infoSize).matches("[0-9.]+ (B|KiB|MiB)");
    // Measured after close: the -wal was checkpointed into the file and is empty or gone.
    Path wal = Path.of(db + "-wal");
    assertThat(!Files.exists(wal) || size(wal) == 0).as("empty or no -wal").isTrue();
    assertThat(demo)
        .contains("Closed cleanly")
        .contains("The database was kept at " + db + ".")
        .contains("gander info " + db)
        .doesNotContain("temporary directory");
  }

  @Test
  void demoWithoutDbSaysItKeepsItsTemporaryFileAndWhere() throws IOException {
    assertThat(run("demo", "--jobs", "10")).isEqualTo(0);

    Path kept = Path.of(group(out.toString(), "Database (.+) is .+ on disk"));
    try {
      assertThat(kept).exists().hasFileName("demo.db");
      assertThat(out.toString())
          .contains("Creating a new Gander database")
          .contains(
              "The database was kept, in a new temporary directory: delete "
                  + kept.getParent()
                  + " when done.")
          .contains("gander info " + kept);
    } finally {
      deleteTree(kept.getParent());
    }
  }

  private static String group(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as("output has /%s/:%n%s", regex, text).isTrue();
    return m.group(1).strip();
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
