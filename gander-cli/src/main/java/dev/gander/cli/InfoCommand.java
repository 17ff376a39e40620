package dev.gander.cli;

import dev.gander.store.Store;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code gander info FILE}: describes an existing database without writing to it. */
@Command(name = "info", description = "Describe an existing Gander database (opened read-only).")
final class InfoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "the database file")
  Path file;

  @Override
  public Integer call() {
    try (Store store = Store.openReadOnly(file)) {
      Describe.print(spec.commandLine().getOut(), store.info());
    }
    return 0;
  }
}
