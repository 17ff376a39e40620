package dev.gander.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gander info FILE}: describes an existing database without writing to it. */
@Command(name = "info", description = "Describe an existing Gander database (opened read-only).")
final class InfoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Parameters(index = "0", paramLabel = "FILE", description = "the database file")
  Path file;

  @Override
  public Integer call() {
    Describe.print(spec.commandLine().getOut(), Describe.read(file));
    return 0;
  }
}
