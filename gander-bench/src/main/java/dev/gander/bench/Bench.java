package dev.gander.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.sqlite.SQLiteConfig;

/**
 * The scenario runner: {@code java -jar gander-bench/target/gander-bench.jar SCENARIO...}.
 *
 * <p>Each scenario measures Gander beside bare sqlite-jdbc doing the same work with the same
 * PRAGMAs in the same run ({@code postgres}: beside bare pgjdbc on the same server), and prints
 * both figures and their ratio. Figures are machine-dependent: compare ratios, not absolute
 * numbers, across machines.
 *
 * <p>Scenarios: {@code store}, {@code queue} (these two run when none is named), {@code wake},
 * {@code process}, {@code streams} (SQLite, then PostgreSQL when the server answers), {@code
 * streams-postgres} (the PostgreSQL part of {@code streams} alone), {@code coordination}, {@code
 * commits}, {@code postgres}.
 */
public final class Bench {
  private Bench() {}

  /**
   * Runs the named scenarios, or all of them.
   *
   * @param args scenario names; none runs every scenario
   * @throws Exception if a scenario fails
   */
  public static void main(String[] args) throws Exception {
    List<String> names = args.length == 0 ? List.of("store", "queue") : Arrays.asList(args);
    for (String name : names) {
      switch (name) {
        case "store":
          StoreScenario.run(new Table("store: single-row write transactions"));
          break;
        case "queue":
          QueueScenario.run(new Table("queue: jobs"));
          break;
        case "wake":
          WakeScenario.runWake(new Table("wake: blocked poll to job, in-process and across"));
          break;
        case "process":
          QueueScenario.runProcess(
              new Table("process: managed workers against claim(128) + ackAll, same run"));
          break;
        case "streams":
          StreamScenario.run(
              new Table("streams and pub/sub on SQLite", "bare sqlite-jdbc / floor", false));
          PgStreamScenario.run(false);
          break;
        case "streams-postgres":
          // Without a server it says so and exits 2, as postgres does.
          PgStreamScenario.run(true);
          break;
        case "coordination":
          CoordinationScenario.run(new Table("coordination: advisory locks and rate limits"));
          break;
        case "commits":
          CommitScenario.run(new Table("commits: latency of single-row commits"));
          break;
        case "postgres":
          // Checks the server before printing anything: without one it says so and exits 2.
          PostgresScenario.run("postgres: jobs on PostgreSQL");
          break;
        default:
          System.err.println(
              "unknown scenario '"
                  + name
                  + "'; known: store, queue, wake, process, streams, streams-postgres,"
                  + " coordination, commits, postgres");
          System.exit(2);
      }
    }
  }

  /**
   * The bare side of every comparison: one plain sqlite-jdbc connection with the PRAGMAs Gander
   * sets on its writer ({@code journal_mode=WAL}, {@code synchronous=NORMAL}, {@code busy_timeout},
   * {@code foreign_keys=ON}, {@code temp_store=MEMORY}).
   */
  static Connection bareConnection(Path file) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(15_000);
    config.enforceForeignKeys(true);
    config.setTempStore(SQLiteConfig.TempStore.MEMORY);
    return config.createConnection("jdbc:sqlite:" + file);
  }

  /**
   * A child JVM on this JVM's class path, its standard error passed through: {@code main}'s {@code
   * main(args)} runs in it.
   */
  static ProcessBuilder childJvm(Class<?> main, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    // The JVM's own warnings (such as a stale hsperfdata file's) go to standard error, never
    // into the lines a child prints for its parent.
    command.add("-XX:-UsePerfData");
    command.add("-Xlog:disable");
    command.add("-Xlog:all=warning:stderr");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(main.getName());
    command.addAll(Arrays.asList(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
  }

  /** Sends one message stamped with {@code System.nanoTime()}, for {@link #roundTrips}. */
  interface Send {
    void send() throws Exception;
  }

  /**
   * Times messages into a child JVM: starts {@code child}, which says {@code ready} and then prints
   * one latency (ns) per message it receives, and sends {@code warmUp + rounds} messages two
   * milliseconds apart, each after the child's reading of the last (stamps are {@code
   * System.nanoTime()}, on Linux {@code CLOCK_MONOTONIC}, shared by all processes). A child that
   * says nothing for 30 s is stopped, which fails the figure; the child is stopped at the end.
   *
   * @return the latencies of the measured rounds, in nanoseconds
   */
  static long[] roundTrips(ProcessBuilder child, String what, int warmUp, int rounds, Send send)
      throws Exception {
    Process p = child.start();
    AtomicLong lastHeard = new AtomicLong(System.nanoTime());
    Thread watchdog = watchdog(p, lastHeard, what);
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String ready = r.readLine();
      if (!"ready".equals(ready)) {
        throw new IllegalStateException(what + " did not start: " + ready);
      }
      long[] out = new long[rounds];
      for (int i = -warmUp; i < rounds; i++) {
        Thread.sleep(2);
        lastHeard.set(System.nanoTime());
        send.send();
        String line = r.readLine();
        if (line == null) {
          throw new IllegalStateException(what + " exited early");
        }
        if (i >= 0) {
          out[i] = Long.parseLong(line.trim());
        }
      }
      p.getOutputStream().close();
      p.waitFor(10, TimeUnit.SECONDS);
      return out;
    } finally {
      watchdog.interrupt();
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Starts a daemon thread that stops {@code p} (which fails the figure waiting on it) once it has
   * said nothing for 30 s since {@code lastHeard}; interrupt it when done.
   */
  static Thread watchdog(Process p, AtomicLong lastHeard, String what) {
    Thread watchdog =
        new Thread(
            () -> {
              while (p.isAlive()) {
                if (System.nanoTime() - lastHeard.get() > TimeUnit.SECONDS.toNanos(30)) {
                  System.err.println("bench: " + what + " said nothing for 30 s");
                  p.destroyForcibly();
                  return;
                }
                try {
                  Thread.sleep(500);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "bench-child-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    return watchdog;
  }

  /** In a child JVM: exits once the parent closes the child's standard input (or is gone). */
  static void exitWhenStdinCloses() {
    Thread stdinWatch =
        new Thread(
            () -> {
              try {
                while (System.in.read() >= 0) {
                  // The parent closes stdin to stop us.
                }
              } catch (IOException e) {
                // Parent gone.
              }
              System.exit(0);
            },
            "bench-stdin-watch");
    stdinWatch.setDaemon(true);
    stdinWatch.start();
  }

  /**
   * Prints one row per figure: Gander, the bare side, and the ratio; with targets, a last column
   * saying which target the figure has and whether this run met it.
   */
  static final class Table {
    private final boolean targets;

    Table(String title) {
      this(title, "bare sqlite-jdbc", false);
    }

    Table(String title, String bare, boolean targets) {
      this.targets = targets;
      System.out.println();
      System.out.println("## " + title);
      System.out.println();
      System.out.println(
          "| figure | gander | " + bare + " | ratio |" + (targets ? " target |" : ""));
      System.out.println("| --- | ---: | ---: | ---: |" + (targets ? " --- |" : ""));
    }

    void row(String figure, double gander, double bare, String unit) {
      row(figure, gander, bare, unit, "-");
    }

    void row(String figure, double gander, double bare, String unit, String target) {
      text(
          figure,
          String.format(Locale.ROOT, "%,.0f %s", gander, unit),
          String.format(Locale.ROOT, "%,.0f %s", bare, unit),
          String.format(Locale.ROOT, "%.2f", gander / bare),
          target);
    }

    void text(String figure, String gander, String bare, String ratio) {
      text(figure, gander, bare, ratio, "-");
    }

    void text(String figure, String gander, String bare, String ratio, String target) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %s | %s | %s |%s%n",
          figure,
          gander,
          bare,
          ratio,
          targets ? " " + target + " |" : "");
    }
  }
}
