package dev.gander.bench;

import dev.gander.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Single-row write transactions: bare sqlite-jdbc (one connection, {@code BEGIN IMMEDIATE}, one
 * insert, {@code COMMIT}) against {@link Store#write} from one thread and from eight.
 */
final class StoreScenario {
  private static final int WARMUP = 20_000;
  private static final int MEASURED = 50_000;

  private StoreScenario() {}

  static void run(Bench.Table table) throws Exception {
    Path dir = Files.createTempDirectory("gander-bench-");
    double bare = bare(dir.resolve("bare.db"));
    double one;
    double eight;
    try (Store store = Store.open(dir.resolve("gander.db"))) {
      store.write(c -> c.createStatement().executeUpdate("CREATE TABLE t (x INTEGER)"));
      insertLoop(store, WARMUP);
      long t0 = System.nanoTime();
      insertLoop(store, MEASURED);
      one = MEASURED / ((System.nanoTime() - t0) / 1e9);
      eight = threads(store, 8);
    }
    table.row("write, 1 thread, one commit each", one, bare, "tx/s");
    table.row("write, 8 threads (group commit)", eight, bare, "writes/s");
  }

  private static double bare(Path file) throws Exception {
    try (Connection c = Bench.bareConnection(file)) {
      c.createStatement().executeUpdate("CREATE TABLE t (x INTEGER)");
      try (PreparedStatement begin = c.prepareStatement("BEGIN IMMEDIATE");
          PreparedStatement insert = c.prepareStatement("INSERT INTO t (x) VALUES (?)");
          PreparedStatement commit = c.prepareStatement("COMMIT")) {
        for (int i = 0; i < WARMUP; i++) {
          begin.executeUpdate();
          insert.setInt(1, i);
          insert.executeUpdate();
          commit.executeUpdate();
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < MEASURED; i++) {
          begin.executeUpdate();
          insert.setInt(1, i);
          insert.executeUpdate();
          commit.executeUpdate();
        }
        return MEASURED / ((System.nanoTime() - t0) / 1e9);
      }
    }
  }

  private static void insertLoop(Store store, int n) {
    for (int i = 0; i < n; i++) {
      int v = i;
      store.write(
          c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (x) VALUES (?)")) {
              ps.setInt(1, v);
              return ps.executeUpdate();
            }
          });
    }
  }

  private static double threads(Store store, int threads) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      int per = MEASURED / threads;
      long t0 = System.nanoTime();
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> insertLoop(store, per)));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      return (double) per * threads / ((System.nanoTime() - t0) / 1e9);
    } finally {
      pool.shutdown();
    }
  }
}
