package dev.gander.bench;

import dev.gander.Gander;
import dev.gander.lock.Lock;
import dev.gander.queue.Job;
import dev.gander.queue.Queue;
import dev.gander.schedule.ScheduledTask;
import dev.gander.schedule.SchedulerRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Advisory locks and rate limits on SQLite and, when a server answers, on PostgreSQL: {@code java
 * -jar gander-bench.jar coordination}. Throughput only: there is no bare equivalent to compare with
 * but the same upserts, which the queue and postgres scenarios already measure.
 */
final class CoordinationScenario {
  private static final long MEASURE_NANOS = TimeUnit.SECONDS.toNanos(3);

  private CoordinationScenario() {}

  static void run(Bench.Table table) throws Exception {
    Path dir = Files.createTempDirectory("gander-bench-coordination-");
    try (Gander g = Gander.open(dir.resolve("coordination.db"))) {
      figures(table, g, "SQLite");
    }
    String url = PgServer.url();
    String schema = "bench_coord_" + ProcessHandle.current().pid();
    try (Connection probe = DriverManager.getConnection(url)) {
      probe.isValid(3);
    } catch (Exception e) {
      table.text("PostgreSQL", "no server at " + url.replaceAll("[?].*", ""), "-", "-");
      return;
    }
    try (Gander g = Gander.builder().postgres(url).schema(schema).open()) {
      figures(table, g, "PostgreSQL");
    } finally {
      try (Connection c = DriverManager.getConnection(url);
          Statement st = c.createStatement()) {
        st.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
      }
    }
  }

  private static void figures(Bench.Table table, Gander g, String backend) throws Exception {
    Duration ttl = Duration.ofSeconds(30);
    table.text(
        backend + ": lock acquire + release, 1 thread",
        perSecond(1, t -> g.tryLock("solo", "bench", ttl).orElseThrow().release()),
        "-",
        "-");
    table.text(
        backend + ": lock acquire + release, 4 threads contending for one lock",
        perSecond(
            4,
            t -> {
              try (Lock lock =
                  g.lock("shared", "t" + t, ttl, Duration.ofSeconds(30)).orElseThrow()) {
                lock.fencingToken();
              }
            }),
        "-",
        "-");
    table.text(
        backend + ": rate-limit decisions, 1 thread",
        perSecond(1, t -> g.tryRateLimit("one", Integer.MAX_VALUE, Duration.ofHours(1))),
        "-",
        "-");
    table.text(
        backend + ": rate-limit decisions, 4 threads on one key",
        perSecond(4, t -> g.tryRateLimit("four", Integer.MAX_VALUE, Duration.ofHours(1))),
        "-",
        "-");
    table.text(
        backend + ": scheduler fire latency, tick to job enqueued", fireLatency(g, 15), "-", "-");
  }

  /**
   * A task every second, {@code ticks} of them: how long after its tick (a whole second) each job
   * was enqueued, by the job's own enqueue time (milliseconds).
   */
  private static String fireLatency(Gander g, int ticks) {
    Queue q = g.queue("bench-ticks");
    g.scheduler().add(ScheduledTask.builder("bench-tick", "bench-ticks", "* * * * * *").build());
    long[] late = new long[ticks];
    try (SchedulerRunner runner = g.scheduler().start("bench")) {
      int n = -2; // the first two ticks warm up
      while (n < ticks) {
        if (n == 0 && !runner.isLeader()) {
          throw new IllegalStateException("the bench's runner does not lead");
        }
        Optional<Job> job = q.poll("bench", Duration.ofSeconds(5));
        if (job.isEmpty()) {
          throw new IllegalStateException("the scheduler fired nothing for 5 s");
        }
        if (n >= 0) {
          late[n] = Math.floorMod(job.get().enqueuedAt().toEpochMilli(), 1000L);
        }
        job.get().ack();
        n++;
      }
    } finally {
      g.scheduler().remove("bench-tick");
    }
    Arrays.sort(late);
    return String.format(
        Locale.ROOT,
        "p50 %d ms, p99 %d ms (%d ticks)",
        late[ticks / 2],
        late[(int) Math.min(ticks - 1, Math.ceil(ticks * 0.99) - 1)],
        ticks);
  }

  interface Op {
    void run(int thread) throws Exception;
  }

  /** Runs {@code op} on {@code threads} threads for a second of warm-up and three measured. */
  private static String perSecond(int threads, Op op) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      AtomicLong done = new AtomicLong();
      long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      long[] measureFrom = {warmUntil};
      List<Future<?>> all = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        all.add(
            pool.submit(
                () -> {
                  while (true) {
                    long now = System.nanoTime();
                    if (now - measureFrom[0] > MEASURE_NANOS) {
                      return null;
                    }
                    op.run(id);
                    if (now >= warmUntil) {
                      done.incrementAndGet();
                    }
                  }
                }));
      }
      for (Future<?> f : all) {
        f.get();
      }
      return String.format(Locale.ROOT, "%,.0f /s", done.get() / (MEASURE_NANOS / 1e9));
    } finally {
      pool.shutdown();
    }
  }
}
