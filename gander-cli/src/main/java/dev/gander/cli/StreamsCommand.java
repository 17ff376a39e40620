package dev.gander.cli;

import dev.gander.Gander;
import dev.gander.stream.CompactReport;
import dev.gander.stream.ConsumerInfo;
import dev.gander.stream.Stream;
import dev.gander.stream.StreamRetention;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gander streams FILE [--apply-retention]}: lists the streams of a database with their
 * consumers and retention, and applies the retention rules when asked.
 */
@Command(
    name = "streams",
    description = "List the streams of a Gander database; --apply-retention applies their rules.")
final class StreamsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Option(
      names = "--apply-retention",
      description = "apply every stream's retention rule now (never past a consumer's offset)")
  boolean applyRetention;

  @Parameters(index = "0", paramLabel = "FILE", description = "the database file")
  Path file;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "No database at " + file + ": give the path of an existing Gander file");
    }
    try (Gander gander = Gander.open(file)) {
      List<Stream> streams = gander.streams();
      if (streams.isEmpty()) {
        out.println("No streams.");
        return 0;
      }
      for (Stream s : streams) {
        StreamRetention r = s.retention();
        out.printf(
            Locale.ROOT, "%s: latest offset %d, retention %s%n", s.name(), s.latest(), describe(r));
        for (ConsumerInfo c : s.consumers()) {
          out.printf(
              Locale.ROOT, "  consumer %s at %d, %d behind%n", c.name(), c.offset(), c.lag());
        }
        if (applyRetention && !r.equals(StreamRetention.forever())) {
          CompactReport done = s.applyRetention();
          out.printf(
              Locale.ROOT,
              "  retention removed %d event(s), %d left%n",
              done.removed(),
              done.remaining());
        }
      }
    }
    return 0;
  }

  private static String describe(StreamRetention r) {
    if (r.equals(StreamRetention.forever())) {
      return "none (kept for ever)";
    }
    StringBuilder b = new StringBuilder();
    r.maxAge().ifPresent(a -> b.append("max age ").append(a));
    r.maxCount()
        .ifPresent(n -> b.append(b.length() > 0 ? ", " : "").append("max count ").append(n));
    return b.toString();
  }
}
