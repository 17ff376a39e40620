package dev.gander.bench;

import dev.gander.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Locale;

/**
 * The latency of single-row commits, one after another from one thread: its tail shows whether a
 * commit pays for a WAL checkpoint. Gander's {@link Store#write} beside bare sqlite-jdbc with
 * SQLite's automatic checkpoint (the default: inside the commit that takes the WAL past 1,000
 * pages). The table has an index and an {@code AUTOINCREMENT} key, so each commit writes about
 * three pages, as an enqueue does.
 */
final class CommitScenario {
  private static final int WARMUP = 2_000;
  private static final int MEASURED = 20_000;
  private static final String CREATE =
      "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, q TEXT NOT NULL, p TEXT NOT NULL,"
          + " at INTEGER NOT NULL)";
  private static final String INDEX = "CREATE INDEX t_q ON t (q, at, id)";
  private static final String INSERT = "INSERT INTO t (q, p, at) VALUES ('bench', ?, ?)";

  private CommitScenario() {}

  static void run(Bench.Table table) throws Exception {
    Path dir = Files.createTempDirectory("gander-bench-");
    long[] bare = bare(dir.resolve("bare.db"));
    long[] gander = gander(dir.resolve("gander.db"));
    table.text(
        "commit latency, 1 thread, " + MEASURED + " single-row commits",
        latency(gander),
        latency(bare),
        "-");
  }

  private static long[] bare(Path file) throws SQLException {
    try (Connection c = Bench.bareConnection(file);
        Statement st = c.createStatement()) {
      st.execute(CREATE);
      st.execute(INDEX);
      try (PreparedStatement begin = c.prepareStatement("BEGIN IMMEDIATE");
          PreparedStatement insert = c.prepareStatement(INSERT);
          PreparedStatement commit = c.prepareStatement("COMMIT")) {
        long[] out = new long[MEASURED];
        for (int i = -WARMUP; i < MEASURED; i++) {
          long t0 = System.nanoTime();
          begin.executeUpdate();
          bind(insert, i);
          insert.executeUpdate();
          commit.executeUpdate();
          if (i >= 0) {
            out[i] = System.nanoTime() - t0;
          }
        }
        return out;
      }
    }
  }

  private static long[] gander(Path file) {
    try (Store store = Store.open(file)) {
      store.write(
          c -> {
            try (Statement st = c.createStatement()) {
              st.execute(CREATE);
              st.execute(INDEX);
            }
            return null;
          });
      long[] out = new long[MEASURED];
      for (int i = -WARMUP; i < MEASURED; i++) {
        int n = i;
        long t0 = System.nanoTime();
        store.write(
            c -> {
              try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                bind(ps, n);
                return ps.executeUpdate();
              }
            });
        if (i >= 0) {
          out[i] = System.nanoTime() - t0;
        }
      }
      return out;
    }
  }

  private static void bind(PreparedStatement insert, int n) throws SQLException {
    insert.setString(1, "{\"to\":\"someone@example.com\",\"n\":" + n + "}");
    insert.setLong(2, n);
  }

  private static String latency(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    long over1ms = Arrays.stream(sorted).filter(x -> x > 1_000_000).count();
    return String.format(
        Locale.ROOT,
        "p50 %.3f, p99 %.3f, p99.9 %.3f, max %.2f ms; %d over 1 ms",
        sorted[n / 2] / 1e6,
        sorted[(int) (n * 0.99)] / 1e6,
        sorted[(int) (n * 0.999)] / 1e6,
        sorted[n - 1] / 1e6,
        over1ms);
  }
}
