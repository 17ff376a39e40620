package dev.gander.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The scenario runner: {@code java -jar gander-bench/target/gander-bench.jar SCENARIO...}.
 *
 * <p>Each scenario measures Gander beside bare sqlite-jdbc doing the same work with the same
 * PRAGMAs in the same run, and prints both figures and their ratio. Figures are machine-dependent:
 * compare ratios, not absolute numbers, across machines.
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
    List<String> names = args.length == 0 ? List.of("store") : Arrays.asList(args);
    for (String name : names) {
      switch (name) {
        case "store":
          StoreScenario.run(new Table("store: single-row write transactions"));
          break;
        default:
          System.err.println("unknown scenario '" + name + "'; known: store");
          System.exit(2);
      }
    }
  }

  /** Prints one row per figure: Gander, bare sqlite-jdbc, and the ratio. */
  static final class Table {
    Table(String title) {
      System.out.println();
      System.out.println("## " + title);
      System.out.println();
      System.out.println("| figure | gander | bare sqlite-jdbc | ratio |");
      System.out.println("| --- | ---: | ---: | ---: |");
    }

    void row(String figure, double gander, double bare, String unit) {
      System.out.printf(
          Locale.ROOT,
          "| %s | %,.0f %s | %,.0f %s | %.2f |%n",
          figure,
          gander,
          unit,
          bare,
          unit,
          gander / bare);
    }
  }
}
