package dev.gander.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code gander} command. Run {@code gander --help} for its subcommands.
 *
 * <p>Exit status: 0 on success, 1 when a command fails, 2 for a usage error (including no
 * subcommand: the command itself does nothing, so picocli reports the missing subcommand and the
 * usage on standard error).
 */
@Command(
    name = "gander",
    mixinStandardHelpOptions = true,
    versionProvider = GanderCli.Version.class,
    description = "A task runtime that lives in one SQLite file.",
    subcommands = {DemoCommand.class, InfoCommand.class, StreamsCommand.class})
public final class GanderCli {
  /**
   * Runs the command line and exits with its status.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * Runs the command line without exiting, for tests and embedding.
   *
   * @param args the arguments
   * @param out where normal output goes
   * @param err where errors go
   * @return the exit status
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new GanderCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("gander: " + e.getMessage());
          return 1;
        });
    return cli.execute(args);
  }

  /** Reports the version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = GanderCli.class.getPackage().getImplementationVersion();
      return new String[] {"gander " + (v == null ? "(development build)" : v)};
    }
  }
}
