package dev.gander.cli;

import dev.gander.Gander;
import dev.gander.store.StoreInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code gander demo}: opens (creating) a database on an embedded SQLite file and shows it. */
@Command(
    name = "demo",
    description = "Open (creating) a Gander database and show what was opened.")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--db",
      paramLabel = "FILE",
      description = "database file to use (default: a new file in a temporary directory)")
  Path db;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Path file = db != null ? db : newTemporaryFile();
    boolean existed = Files.exists(file);
    out.printf("%s Gander database%n", existed ? "Opening the" : "Creating a new");
    try (Gander gander = Gander.open(file)) {
      StoreInfo info = gander.store().info();
      Describe.print(out, info);
    }
    out.println("Closed cleanly (WAL checkpointed).");
    return 0;
  }

  private static Path newTemporaryFile() {
    try {
      return Files.createTempDirectory("gander-demo-").resolve("demo.db");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the demo", e);
    }
  }
}
