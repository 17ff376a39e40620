package dev.gander.bench;

import dev.gander.Gander;
import dev.gander.queue.Job;
import dev.gander.queue.Queue;
import dev.gander.queue.QueueOptions;
import dev.gander.queue.Worker;
import dev.gander.queue.WorkerOptions;
import dev.gander.sqlite.WakeMode;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The queue figures of DESIGN §4. Each throughput figure runs the same statements through bare
 * sqlite-jdbc (one connection, the same PRAGMAs, the same schema, prepared once) and through
 * Gander's public API, in the same run.
 *
 * <p>The bare side gets Gander's schema by opening (and closing) the file with Gander first, so
 * both sides write the same table with the same indexes; what the ratio shows is Gander's own
 * overhead: JSON encoding, the writer thread, group commit, leases and wake-up bookkeeping. The
 * bare side is {@link SqliteBareJobs}; the wake-up and idle figures are {@link WakeScenario}'s.
 */
final class QueueScenario {
  /** A job's payload: its number, and for wake-up figures the sender's {@code nanoTime}. */
  record Email(String to, long n) {}

  /** Queue options without the record of succeeded jobs, to show what that record costs. */
  private static final QueueOptions NO_RECORDS =
      QueueOptions.builder().keepSucceeded(Duration.ZERO).build();

  private QueueScenario() {}

  static void run(Bench.Table table) throws Exception {
    Path dir = Files.createTempDirectory("gander-bench-queue-");

    // ---- enqueue, one thread, one commit each
    double bareInsert =
        SqliteBareJobs.bareSingleInserts(
            SqliteBareJobs.fresh(dir, "bare-insert.db"), 10_000, 30_000);
    double enqueueOne;
    double enqueueEight;
    try (Gander g = Gander.open(dir.resolve("enqueue.db"))) {
      Queue q = g.queue("bench");
      enqueueLoop(q, 0, 10_000);
      long t0 = System.nanoTime();
      enqueueLoop(q, 0, 30_000);
      enqueueOne = 30_000 / seconds(t0);
      enqueueEight = threads(8, 40_000, (t, n) -> enqueueLoop(q, t * 1_000_000L, n));
    }
    table.row("enqueue, 1 thread, one commit each", enqueueOne, bareInsert, "jobs/s");
    table.row("enqueue, 8 threads (group commit)", enqueueEight, bareInsert, "jobs/s");

    // ---- enqueueAll of 1,000
    double bareBatch =
        SqliteBareJobs.bareBatchedInserts(SqliteBareJobs.fresh(dir, "bare-batch.db"), 1_000, 100);
    double enqueueAll;
    try (Gander g = Gander.open(dir.resolve("enqueue-all.db"))) {
      Queue q = g.queue("bench");
      for (int i = 0; i < 30; i++) {
        q.enqueueAll(batch(i * 1_000L, 1_000));
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < 100; i++) {
        q.enqueueAll(batch(i * 1_000L, 1_000));
      }
      enqueueAll = 100_000 / seconds(t0);
    }
    table.row("enqueueAll of 1,000", enqueueAll, bareBatch, "jobs/s");

    // ---- claim + ack, one worker
    double bareClaim =
        SqliteBareJobs.bareClaimThenDelete(
            SqliteBareJobs.fresh(dir, "bare-claim.db"), 1, 10_000, 30_000);
    double claimOne;
    try (Gander g = Gander.open(dir.resolve("claim.db"))) {
      Queue q = g.queue("bench");
      fill(q, 40_000);
      claimLoop(q, "w", 1, 10_000);
      long t0 = System.nanoTime();
      claimLoop(q, "w", 1, 30_000);
      claimOne = 30_000 / seconds(t0);
    }
    table.row("claim + ack, 1 worker", claimOne, bareClaim, "jobs/s");
    // The same without the record of succeeded jobs (one row write less per ack).
    double claimOneNoRecord;
    try (Gander g = Gander.open(dir.resolve("claim-no-record.db"))) {
      Queue q = g.queue("bench", NO_RECORDS);
      fill(q, 40_000);
      claimLoop(q, "w", 1, 10_000);
      long t0 = System.nanoTime();
      claimLoop(q, "w", 1, 30_000);
      claimOneNoRecord = 30_000 / seconds(t0);
    }
    table.row("claim + ack, 1 worker, keepSucceeded 0", claimOneNoRecord, bareClaim, "jobs/s");

    // ---- claim + ack, 8 workers, batches of 128
    double bareClaimBatch =
        SqliteBareJobs.bareClaimThenDelete(
            SqliteBareJobs.fresh(dir, "bare-claim-batch.db"), 128, 50_000, 200_000);
    double claimEight;
    double claimEightEach;
    try (Gander g = Gander.open(dir.resolve("claim-batch.db"))) {
      Queue q = g.queue("bench");
      fill(q, 450_000);
      threads(8, 50_000, (t, n) -> claimLoop(q, "w" + t, 128, n));
      claimEight = threads(8, 200_000, (t, n) -> claimLoop(q, "w" + t, 128, n));
      claimEightEach = threads(8, 200_000, (t, n) -> claimAckEach(q, "w" + t, 128, n));
    }
    double claimEightNoRecord;
    try (Gander g = Gander.open(dir.resolve("claim-batch-no-record.db"))) {
      Queue q = g.queue("bench", NO_RECORDS);
      fill(q, 250_000);
      threads(8, 50_000, (t, n) -> claimLoop(q, "w" + t, 128, n));
      claimEightNoRecord = threads(8, 200_000, (t, n) -> claimLoop(q, "w" + t, 128, n));
    }
    table.row("claim(128) + ackAll, 8 workers", claimEight, bareClaimBatch, "jobs/s");
    table.row(
        "claim(128) + ackAll, 8 workers, keepSucceeded 0",
        claimEightNoRecord,
        bareClaimBatch,
        "jobs/s");
    table.row("claim(128) + ack each, 8 workers", claimEightEach, bareClaimBatch, "jobs/s");

    // ---- managed workers: queue.process with eight threads and a handler that does nothing
    double managed;
    try (Gander g = Gander.open(dir.resolve("managed.db"))) {
      Queue q = g.queue("bench");
      fill(q, 130_000); // the warm-up worker may take a few more than it counts
      managed = processed(q, 20_000); // warm-up
      managed = processed(q, 100_000);
    }
    table.row("process(), 8 threads, empty handler", managed, bareClaim, "jobs/s");

    WakeScenario.wake(table, dir);

    // ---- idle CPU with 8 blocked workers
    double idleBaseline = WakeScenario.idleCpu(null, null);
    for (WakeMode mode : List.of(WakeMode.FILE_EVENTS, WakeMode.POLLING)) {
      double idle = WakeScenario.idleCpu(dir.resolve("idle-" + mode + ".db"), mode);
      table.text(
          "idle CPU, 8 blocked pollers, " + mode.name().toLowerCase(java.util.Locale.ROOT),
          percent(idle),
          percent(idleBaseline) + " (JVM, no Gander)",
          "-");
    }
    double idleWorkers = WakeScenario.idleCpu(dir.resolve("idle-workers.db"), WakeMode.AUTO, true);
    table.text(
        "idle CPU, 8 idle managed workers, auto",
        percent(idleWorkers),
        percent(idleBaseline) + " (JVM, no Gander)",
        "-");

    // ---- heap with 1M queued jobs
    long heap = heapWithQueuedJobs(dir.resolve("heap.db"), 1_000_000);
    table.text("heap retained with 1M queued jobs", mib(heap), "-", "-");
  }

  /**
   * Managed workers against the batched claim loop they are measured by, alone: {@code java -jar
   * gander-bench.jar process}. Three rounds each, interleaved, so that both see the same machine.
   */
  static void runProcess(Bench.Table table) throws Exception {
    Path dir = Files.createTempDirectory("gander-bench-process-");
    double bestBatched = 0;
    double bestManaged = 0;
    for (int round = 0; round < 3; round++) {
      try (Gander g = Gander.open(dir.resolve("batched-" + round + ".db"))) {
        Queue q = g.queue("bench");
        fill(q, 250_000);
        threads(8, 50_000, (t, n) -> claimLoop(q, "w" + t, 128, n));
        bestBatched =
            Math.max(bestBatched, threads(8, 200_000, (t, n) -> claimLoop(q, "w" + t, 128, n)));
      }
      try (Gander g = Gander.open(dir.resolve("managed-" + round + ".db"))) {
        Queue q = g.queue("bench");
        fill(q, 230_000);
        processed(q, 20_000);
        bestManaged = Math.max(bestManaged, processed(q, 200_000));
      }
    }
    table.row("claim(128) + ackAll, 8 workers (best of 3)", bestBatched, bestBatched, "jobs/s");
    table.row(
        "process(), 8 threads, empty handler (best of 3)", bestManaged, bestBatched, "jobs/s");
  }

  // ------------------------------------------------------------------- gander loops

  private static void enqueueLoop(Queue q, long from, int n) {
    for (int i = 0; i < n; i++) {
      q.enqueue(new Email("user@example.com", from + i));
    }
  }

  private static List<Email> batch(long from, int n) {
    List<Email> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new Email("user@example.com", from + i));
    }
    return out;
  }

  private static void fill(Queue q, int n) {
    for (int i = 0; i < n; i += 10_000) {
      q.enqueueAll(batch(i, Math.min(10_000, n - i)));
    }
  }

  /** Claims and settles {@code n} jobs, {@code size} per claim, the batch acked together. */
  private static void claimLoop(Queue q, String worker, int size, int n) {
    int done = 0;
    while (done < n) {
      if (size == 1) {
        Job job = q.claim(worker).orElseThrow(() -> new IllegalStateException("queue ran dry"));
        job.ack();
        done++;
      } else {
        List<Job> jobs = q.claim(worker, Math.min(size, n - done));
        if (jobs.isEmpty()) {
          throw new IllegalStateException("queue ran dry");
        }
        q.ackAll(jobs);
        done += jobs.size();
      }
    }
  }

  /** Runs a managed worker until it has processed {@code n} jobs; returns jobs per second. */
  static double processed(Queue q, int n) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(n);
    long t0 = System.nanoTime();
    try (Worker w =
        q.process(
            job -> {
              done.countDown();
              return null;
            },
            WorkerOptions.builder().concurrency(8).build())) {
      done.await();
      // A job counts once its ack committed, which the worker's settler does in batches.
      while (w.processed() < n) {
        Thread.sleep(0, 100_000);
      }
      return n / seconds(t0);
    }
  }

  /** Claims {@code size} at a time and acks each job on its own (group-committed). */
  private static void claimAckEach(Queue q, String worker, int size, int n) {
    int done = 0;
    while (done < n) {
      List<Job> jobs = q.claim(worker, Math.min(size, n - done));
      if (jobs.isEmpty()) {
        throw new IllegalStateException("queue ran dry");
      }
      for (Job job : jobs) {
        job.ack();
      }
      done += jobs.size();
    }
  }

  interface Part {
    void run(int thread, int n) throws Exception;
  }

  /** Runs {@code total} operations split over {@code threads}; returns operations per second. */
  private static double threads(int threads, int total, Part part) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      int per = total / threads;
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  part.run(id, per);
                  return null;
                }));
      }
      long t0 = System.nanoTime();
      start.countDown();
      for (Future<?> f : futures) {
        f.get();
      }
      return (double) per * threads / seconds(t0);
    } finally {
      pool.shutdown();
    }
  }

  // ----------------------------------------------------------------------- heap

  /** Heap still in use (after GC) with {@code n} jobs queued, minus the heap before. */
  private static long heapWithQueuedJobs(Path file, int n) throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    try (Gander g = Gander.open(file)) {
      Queue q = g.queue("heap");
      q.enqueue(new Email("warm", 0));
      long before = usedAfterGc(memory);
      fill(q, n);
      if (q.stats().ready() < n) {
        throw new IllegalStateException("expected " + n + " queued jobs");
      }
      return usedAfterGc(memory) - before;
    }
  }

  private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }

  // ----------------------------------------------------------------------- format

  static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  static String latency(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return String.format(
        java.util.Locale.ROOT,
        "p50 %.3f ms, p99 %.3f ms, max %.3f ms",
        sorted[sorted.length / 2] / 1e6,
        sorted[(int) (sorted.length * 0.99)] / 1e6,
        sorted[sorted.length - 1] / 1e6);
  }

  /** The {@code n} slowest rounds, as "round: ms", slowest first. */
  static String slowest(long[] nanos, int n) {
    Integer[] rounds = new Integer[nanos.length];
    for (int i = 0; i < rounds.length; i++) {
      rounds[i] = i;
    }
    Arrays.sort(rounds, (a, b) -> Long.compare(nanos[b], nanos[a]));
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(n, rounds.length); i++) {
      out.append(i == 0 ? "" : ", ")
          .append(
              String.format(
                  java.util.Locale.ROOT, "%d: %.1f ms", rounds[i], nanos[rounds[i]] / 1e6));
    }
    return out.toString();
  }

  private static String percent(double fraction) {
    return String.format(java.util.Locale.ROOT, "%.2f %% of a core", fraction * 100);
  }

  private static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
