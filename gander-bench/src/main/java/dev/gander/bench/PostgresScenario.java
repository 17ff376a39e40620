package dev.gander.bench;

import dev.gander.Gander;
import dev.gander.bench.Alternation.Loop;
import dev.gander.bench.Alternation.LoopFactory;
import dev.gander.bench.PgBareJobs.Sql;
import dev.gander.queue.Job;
import dev.gander.queue.Queue;
import dev.gander.queue.QueueOptions;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The PostgreSQL figures: Gander's PostgreSQL backend through its public API beside bare pgjdbc
 * doing the same work on the same server, in the same run, on the same tables.
 *
 * <p>Each run works in a schema of its own ({@code bench_<pid>}), created by opening Gander on it
 * and dropped (with everything in it) at the end, also when the run fails. Before each figure the
 * job tables are emptied ({@code TRUNCATE}), the queue filled where the figure claims (one
 * server-side {@code INSERT ... SELECT} of the rows Gander would write), analysed and checkpointed.
 * The bare side prepares Gander's own statements (those of {@code PgJobs}) once per connection;
 * single-statement transactions run in autocommit, as one would write them by hand.
 *
 * <p>Throughput figures run for a fixed time rather than a fixed count, since a server's speed
 * varies far more between machines than a file's. The sides of a figure share one table (and, for
 * claims, one queue) and take turns: each warms up, then they run in {@value Alternation#SLICES}
 * rounds of a {@value Alternation#SLICES}th of the measured time each ({@value
 * Alternation#DEFAULT_MEASURE} seconds), so that load from outside (another build on a shared
 * machine, a checkpoint) falls on every side alike. Claim figures size their queue from each side's
 * warm-up pace and top it up between rounds, so that it does not run dry.
 */
final class PostgresScenario {
  private static final int WAKE_ROUNDS = 300;

  /** The targets of the issue: Gander at least this share of bare pgjdbc. */
  private static final double MIN_RATIO = 0.8;

  private static final double WAKE_P50_MS = 2;
  private static final double WAKE_P99_MS = 10;

  /** As in the SQLite scenario: acks write no record of success, so both sides delete only. */
  private static final QueueOptions NO_RECORDS =
      QueueOptions.builder().keepSucceeded(Duration.ZERO).build();

  private PostgresScenario() {}

  // ------------------------------------------------------------------------ run

  static void run(String title) throws Exception {
    String url = PgServer.url();
    String noServer = PgServer.noServer(url);
    if (noServer != null) {
      System.err.println("postgres: " + noServer);
      System.exit(2);
    }
    String schema = "bench_" + ProcessHandle.current().pid();
    Sql sql = new Sql(schema);
    PgServer.inSchema(
        url,
        schema,
        Alternation.timing() + " per figure",
        (g, admin) -> {
          Bench.Table table = new Bench.Table(title, "bare pgjdbc", true);
          figures(table, g, admin, sql, url);
        });
  }

  private static void figures(Bench.Table table, Gander g, Connection admin, Sql sql, String url)
      throws Exception {
    Queue q = g.queue(PgBareJobs.QUEUE);
    Queue qNoRecords = g.queue(PgBareJobs.QUEUE, NO_RECORDS);

    // ---- enqueue, one thread, one commit each
    PgBareJobs.reset(admin, sql, 0);
    double[] one =
        Alternation.alternate(
            1, t -> PgBareJobs.bareEnqueue(url, sql, t), t -> ganderEnqueue(q, t));
    table.row(
        "enqueue, 1 thread, one commit each", one[1], one[0], "jobs/s", atLeast(one[1] / one[0]));

    // ---- enqueue, eight threads
    PgBareJobs.reset(admin, sql, 0);
    double[] eight =
        Alternation.alternate(
            8, t -> PgBareJobs.bareEnqueue(url, sql, t), t -> ganderEnqueue(q, t));
    table.row(
        "enqueue, 8 threads (8 bare connections)",
        eight[1],
        eight[0],
        "jobs/s",
        atLeast(eight[1] / eight[0]));

    // ---- enqueueAll of 1,000
    PgBareJobs.reset(admin, sql, 0);
    double[] all =
        Alternation.alternate(
            1,
            t -> PgBareJobs.bareEnqueueBatch(url, sql, 1_000),
            t -> ganderEnqueueBatch(q, 1_000));
    table.row(
        "enqueueAll of 1,000 (bare: one JDBC batch)",
        all[1],
        all[0],
        "jobs/s",
        atLeast(all[1] / all[0]));

    // ---- claim + ack, one worker
    double[] claim =
        claimFigure(
            admin,
            sql,
            1,
            20_000,
            t -> PgBareJobs.bareClaim(url, sql, 1, t),
            t -> ganderClaim(qNoRecords, 1, t),
            t -> ganderClaim(q, 1, t));
    table.row(
        "claim + ack, 1 worker, keepSucceeded 0",
        claim[1],
        claim[0],
        "jobs/s",
        atLeast(claim[1] / claim[0]));
    table.row(
        "claim + ack, 1 worker (records of succeeded jobs kept)",
        claim[2],
        claim[0],
        "jobs/s",
        atLeast(claim[2] / claim[0]));

    // ---- claim(128) + ackAll, eight workers
    double[] batch =
        claimFigure(
            admin,
            sql,
            8,
            100_000,
            t -> PgBareJobs.bareClaim(url, sql, 128, t),
            t -> ganderClaim(qNoRecords, 128, t),
            t -> ganderClaim(q, 128, t));
    table.row(
        "claim(128) + ackAll, 8 workers, keepSucceeded 0",
        batch[1],
        batch[0],
        "jobs/s",
        atLeast(batch[1] / batch[0]));
    table.row(
        "claim(128) + ackAll, 8 workers (records kept)",
        batch[2],
        batch[0],
        "jobs/s",
        atLeast(batch[2] / batch[0]));
    double ganderBatchClaim = batch[2];

    // ---- process(), eight threads, a handler that does nothing (Gander only)
    int n = (int) Math.max(10_000, Math.min(1_000_000, ganderBatchClaim * Alternation.MEASURE));
    int warm = n / 5;
    // The warm-up worker may claim a few more than it counts.
    PgBareJobs.reset(admin, sql, warm + n + 20_000);
    QueueScenario.processed(q, warm);
    double managed = QueueScenario.processed(q, n);
    double share = managed / ganderBatchClaim;
    table.text(
        "process(), 8 threads, empty handler (records kept)",
        String.format(Locale.ROOT, "%,.0f jobs/s", managed),
        "-",
        String.format(Locale.ROOT, "%.2f × gander claim(128) + ackAll", share),
        String.format(
            Locale.ROOT,
            "≥ %.1f × gander claim(128) + ackAll (%s)",
            MIN_RATIO,
            share >= MIN_RATIO ? "met" : "**missed**"));

    // ---- wake-up
    PgBareJobs.reset(admin, sql, 0);
    long[] inProcess = PgWake.wakeInProcess(g, 1_000);
    table.text(
        "wake, in-process (enqueue call to poll return)",
        QueueScenario.latency(inProcess),
        "-",
        "-",
        "-");
    PgBareJobs.reset(admin, sql, 0);
    long[] across = PgWake.wakeAcrossProcesses(g, sql.schema, url, WAKE_ROUNDS);
    table.text(
        "wake, across processes (enqueue call to poll return in another JVM)",
        QueueScenario.latency(across) + "; slowest rounds " + QueueScenario.slowest(across, 3),
        "-",
        "-",
        wakeTarget(across));
  }

  // ---------------------------------------------------------------- the figures

  /**
   * A claim figure: every side claims from one queue, in turn. Each side first warms up alone on a
   * queue of {@code warmFill} jobs, which also tells how fast it goes; then the queue is filled for
   * twice the measured time of all sides at those paces, and the sides run in turn. Before each
   * round the queue is topped up if the fastest pace seen so far could empty it within three
   * rounds: the pace of a shared machine changes from one second to the next.
   *
   * @return each side's jobs per second
   */
  private static double[] claimFigure(
      Connection admin, Sql sql, int threads, int warmFill, LoopFactory... sides) throws Exception {
    List<List<Loop>> opened = new ArrayList<>();
    try {
      for (LoopFactory side : sides) {
        opened.add(Alternation.open(threads, side));
      }
      double perSecond = 0;
      for (List<Loop> side : opened) {
        PgBareJobs.reset(admin, sql, warmFill);
        perSecond += Alternation.run(side, Alternation.WARM).rate();
      }
      long[] filled = {
        Math.min(
            3_000_000, Math.max(warmFill, (long) (perSecond * (Alternation.MEASURE + 0.5) * 2)))
      };
      PgBareJobs.reset(admin, sql, (int) filled[0]);
      double roundSeconds = Alternation.MEASURE / Alternation.SLICES * sides.length;
      return Alternation.slices(
          opened,
          0.5 / sides.length,
          (done, fastest) -> {
            long need = (long) (fastest * roundSeconds * 3) + threads * 256L;
            if (filled[0] - done < need) {
              long more = Math.min(3_000_000, need * 3);
              PgBareJobs.fill(admin, sql, (int) more);
              filled[0] += more;
            }
          });
    } finally {
      for (List<Loop> side : opened) {
        Alternation.close(side);
      }
    }
  }

  private static Loop ganderEnqueue(Queue q, int thread) {
    long[] n = {thread * 100_000_000L};
    return () -> {
      q.enqueue(new QueueScenario.Email("user@example.com", n[0]++));
      return 1;
    };
  }

  private static Loop ganderEnqueueBatch(Queue q, int size) {
    long[] n = {0};
    return () -> {
      List<QueueScenario.Email> batch = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        batch.add(new QueueScenario.Email("user@example.com", n[0]++));
      }
      q.enqueueAll(batch);
      return size;
    };
  }

  /** Claims {@code size} jobs and acks them: {@code job.ack()} for one, {@code ackAll} for more. */
  private static Loop ganderClaim(Queue q, int size, int thread) {
    String worker = "w" + thread;
    return () -> {
      if (size == 1) {
        Optional<Job> job = q.claim(worker);
        if (job.isEmpty()) {
          return 0;
        }
        job.get().ack();
        return 1;
      }
      List<Job> jobs = q.claim(worker, size);
      if (!jobs.isEmpty()) {
        q.ackAll(jobs);
      }
      return jobs.size();
    };
  }

  // ------------------------------------------------------------------- targets

  private static String atLeast(double ratio) {
    return String.format(
        Locale.ROOT, "≥ %.1f × (%s)", MIN_RATIO, ratio >= MIN_RATIO ? "met" : "**missed**");
  }

  private static String wakeTarget(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    double p50 = sorted[sorted.length / 2] / 1e6;
    double p99 = sorted[(int) (sorted.length * 0.99)] / 1e6;
    return String.format(
        Locale.ROOT,
        "p50 ≤ %.0f ms (%s), p99 ≤ %.0f ms (%s)",
        WAKE_P50_MS,
        p50 <= WAKE_P50_MS ? "met" : "**missed**",
        WAKE_P99_MS,
        p99 <= WAKE_P99_MS ? "met" : "**missed**");
  }
}
