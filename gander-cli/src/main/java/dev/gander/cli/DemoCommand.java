package dev.gander.cli;

import dev.gander.Gander;
import dev.gander.lock.Lock;
import dev.gander.pubsub.Listener;
import dev.gander.queue.DeadLetter;
import dev.gander.queue.EnqueueOptions;
import dev.gander.queue.Job;
import dev.gander.queue.JobId;
import dev.gander.queue.NonRetryableException;
import dev.gander.queue.Queue;
import dev.gander.queue.QueueOptions;
import dev.gander.queue.QueueStats;
import dev.gander.queue.Worker;
import dev.gander.queue.WorkerOptions;
import dev.gander.ratelimit.RateLimitDecision;
import dev.gander.schedule.ScheduledTask;
import dev.gander.schedule.SchedulerRunner;
import dev.gander.stream.Event;
import dev.gander.stream.Stream;
import dev.gander.stream.Subscription;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gander demo}: the main job flow on an embedded SQLite file. Enqueues a batch of "email"
 * jobs, runs a worker pool over them (some fail once and are retried, one is dead-lettered), and
 * prints what happened.
 */
@Command(
    name = "demo",
    description = "Run a job flow on an embedded SQLite file and show what happened.")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Option(
      names = "--db",
      paramLabel = "FILE",
      description = "database file to use (default: a new file in a temporary directory)")
  Path db;

  @Option(
      names = "--jobs",
      paramLabel = "N",
      defaultValue = "5000",
      description = "how many jobs to enqueue (default: ${DEFAULT-VALUE})")
  int jobs;

  @Option(
      names = "--workers",
      paramLabel = "N",
      defaultValue = "4",
      description = "worker threads (default: ${DEFAULT-VALUE})")
  int workers;

  /** A demo job: an email to send. */
  record Email(int n, String to) {}

  @Override
  public Integer call() throws Exception {
    if (jobs < 1 || workers < 1) {
      throw new IllegalArgumentException("--jobs and --workers must be at least 1");
    }
    PrintWriter out = spec.commandLine().getOut();
    Path file = db != null ? db : newTemporaryFile();
    boolean existed = Files.exists(file);
    out.printf("%s Gander database%n", existed ? "Opening the" : "Creating a new");
    try (Gander gander = Gander.open(file)) {
      Describe.print(out, gander.store().info());
      out.println();

      Queue emails =
          gander.queue(
              "demo-emails",
              QueueOptions.builder()
                  .maxAttempts(3)
                  .backoffBase(Duration.ofMillis(20))
                  .backoffCap(Duration.ofMillis(200))
                  .build());
      emails.purgeAllDead();
      List<Email> batch = new ArrayList<>(jobs);
      for (int i = 1; i <= jobs; i++) {
        batch.add(new Email(i, "user" + i + "@example.com"));
      }
      long t0 = System.nanoTime();
      List<JobId> ids = emails.enqueueAll(batch);
      double enqueueMs = (System.nanoTime() - t0) / 1e6;
      out.printf(
          Locale.ROOT,
          "Enqueued %,d jobs in one transaction in %.0f ms (ids %s..%s)%n",
          ids.size(),
          enqueueMs,
          ids.get(0),
          ids.get(ids.size() - 1));
      JobId urgent =
          emails.enqueue(
              new Email(0, "ceo@example.com"), EnqueueOptions.builder().priority(10).build());
      out.printf("Enqueued job %s with priority 10: it runs first%n", urgent);

      int total = jobs + 1;
      Set<JobId> retried = new ConcurrentSkipListSet<>();
      Progress progress = new Progress(out, total);
      long t1 = System.nanoTime();
      Worker worker =
          emails.process(
              job -> {
                Email e = job.payloadAs(Email.class);
                if (e.n() == 13) {
                  throw new NonRetryableException("mailbox " + e.to() + " does not exist");
                }
                if (e.n() % 100 == 7 && job.attempt() == 1) {
                  retried.add(job.id());
                  throw new IllegalStateException("SMTP 451: try again later");
                }
                return "sent to " + e.to();
              },
              WorkerOptions.builder().concurrency(workers).workerId("demo").build());
      try {
        while (true) {
          QueueStats s = emails.stats();
          long settled = total - s.ready() - s.scheduled() - s.running();
          progress.show(settled);
          if (settled >= total) {
            break;
          }
          Thread.sleep(100);
        }
        progress.done();
        // Wait for every handler: the last ack can be committed a moment before it is counted.
        worker.close();
        double seconds = (System.nanoTime() - t1) / 1e9;
        out.printf(
            Locale.ROOT,
            "Processed %,d jobs in %.2f s: %,.0f jobs/s with %d worker threads%n",
            worker.processed(),
            seconds,
            worker.processed() / seconds,
            workers);
        out.printf(
            "Failed attempts: %d (retried with backoff, or dead-lettered)%n", worker.failed());
      } finally {
        worker.close();
      }
      int shown = 0;
      for (JobId id : retried) {
        if (shown++ == 3) {
          out.printf("  ... and %d more retried jobs%n", retried.size() - 3);
          break;
        }
        String r = gander.results().get(id).map(v -> v.as(String.class)).orElse("(no result)");
        out.printf(
            "  job %s failed on attempt 1 (SMTP 451), was retried after a backoff: %s%n", id, r);
      }
      String result =
          gander.results().get(urgent).map(r -> r.as(String.class)).orElse("(no result)");
      out.printf("Result of job %s: %s%n", urgent, result);
      QueueStats end = emails.stats();
      out.printf(
          "Queue now: %d ready, %d scheduled, %d running, %d dead%n",
          end.ready(), end.scheduled(), end.running(), end.dead());
      for (DeadLetter d : emails.deadLetters(10)) {
        out.printf(
            "Dead letter: job %s after %d attempt(s), reason %s: %s%n",
            d.id(), d.attempts(), d.reason(), firstLine(d.lastError().orElse("")));
      }
      out.println();
      streamDemo(out, gander);
      notifyDemo(out, gander);
      lockDemo(out, gander);
      rateLimitDemo(out, gander);
      scheduleDemo(out, gander);
    }
    out.println();
    out.println("Closed cleanly (WAL checkpointed).");
    // Measured after close, as `gander info` measures it: the -wal is checkpointed by then.
    out.printf("Database %s is %s on disk%n", file, Describe.size(Describe.read(file)));
    if (db == null) {
      out.printf(
          "The database was kept, in a new temporary directory: delete %s when done."
              + " Use --db FILE to choose the file.%n",
          file.getParent());
    } else {
      out.printf("The database was kept at %s.%n", file);
    }
    out.printf("Describe it again with: gander info %s%n", file);
    return 0;
  }

  /** An order event of the stream part. */
  record Order(int n, String status) {}

  /** Publishes to a stream, reads part of it as a consumer, "restarts" it, and resumes. */
  private static void streamDemo(PrintWriter out, Gander gander) {
    Stream orders = gander.stream("demo-orders");
    long before = orders.latest();
    List<Order> created = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      created.add(new Order(i, "created"));
    }
    List<Long> offsets = orders.publishAll("order.created", created);
    out.printf(
        "Published %d events to stream 'demo-orders' at offsets %d..%d%n",
        offsets.size(), offsets.get(0), offsets.get(offsets.size() - 1));
    long committed;
    try (Subscription mailer = orders.subscribe("demo-mailer", before)) {
      Event e = null;
      for (int i = 0; i < 3; i++) {
        e = mailer.poll().orElseThrow();
      }
      committed = mailer.commit(e.offset());
      out.printf(
          "Consumer 'demo-mailer' read 3 events and committed offset %d, then stopped%n",
          committed);
    }
    try (Subscription mailer = orders.subscribe("demo-mailer")) {
      Event next = mailer.poll().orElseThrow();
      out.printf(
          "Restarted, it resumed at offset %d (%s of order %d), with no gap and no repeat%n",
          next.offset(), next.kind(), next.payloadAs(Order.class).n());
      mailer.commit(orders.latest());
    }
  }

  /** Sends one notification to a listener of the same database and reports the round trip. */
  private static void notifyDemo(PrintWriter out, Gander gander) {
    try (Listener listener = gander.listen("demo-cache")) {
      long best = Long.MAX_VALUE;
      for (int i = 0; i < 20; i++) {
        long t0 = System.nanoTime();
        gander.notify("demo-cache", "evict user:" + i);
        listener.poll(Duration.ofSeconds(5)).orElseThrow();
        best = Math.min(best, System.nanoTime() - t0);
      }
      out.printf(
          Locale.ROOT,
          "Notified channel 'demo-cache' 20 times: a listener received each, fastest round trip"
              + " %.2f ms (commit, wake-up, read)%n",
          best / 1e6);
    }
  }

  /** One worker holds a lock; another waits for it and is woken by the release. */
  private static void lockDemo(PrintWriter out, Gander gander) throws InterruptedException {
    Lock first = gander.tryLock("demo-report", "worker-1", Duration.ofSeconds(30)).orElseThrow();
    out.printf(
        "worker-1 took lock 'demo-report' (fencing token %d); worker-2 could not: %s%n",
        first.fencingToken(),
        gander.tryLock("demo-report", "worker-2", Duration.ofSeconds(30)).isEmpty()
            ? "held"
            : "free?");
    long[] wokenAfter = new long[1];
    long[] releasedAt = new long[1];
    Lock[] second = new Lock[1];
    Thread worker2 =
        new Thread(
            () -> {
              second[0] =
                  gander
                      .lock(
                          "demo-report", "worker-2", Duration.ofSeconds(30), Duration.ofSeconds(10))
                      .orElseThrow();
              wokenAfter[0] = System.nanoTime() - releasedAt[0];
            },
            "demo-worker-2");
    worker2.start();
    Thread.sleep(100);
    releasedAt[0] = System.nanoTime();
    first.release();
    worker2.join();
    try (Lock lock = second[0]) {
      out.printf(
          Locale.ROOT,
          "worker-1 released it; waiting worker-2 was woken and took it %.2f ms later,"
              + " with fencing token %d%n",
          wokenAfter[0] / 1e6,
          lock.fencingToken());
    }
  }

  /** Eight calls against a limit of five per second: five go through. */
  private static void rateLimitDemo(PrintWriter out, Gander gander) throws InterruptedException {
    // Start at a fresh one-second window, so that a second demo run counts from zero too.
    Thread.sleep(1000 - System.currentTimeMillis() % 1000);
    int allowed = 0;
    RateLimitDecision last = null;
    for (int i = 0; i < 8; i++) {
      last = gander.rateLimit("demo-smtp", 5, Duration.ofSeconds(1));
      if (last.allowed()) {
        allowed++;
      }
    }
    out.printf(
        "Rate limit 'demo-smtp' (5 per second): %d of 8 calls allowed, %d refused; the window"
            + " resets at %s%n",
        allowed, 8 - allowed, last.resetAt());
  }

  /** A task every second, fired into a queue by this process's runner while it leads. */
  private static void scheduleDemo(PrintWriter out, Gander gander) throws InterruptedException {
    Queue ticks = gander.queue("demo-ticks");
    ticks.purgeAllDead();
    // Jobs left by an earlier run of the demo on this file.
    for (Optional<Job> left = ticks.claim("demo-drain");
        left.isPresent();
        left = ticks.claim("demo-drain")) {
      left.get().ack();
    }
    gander
        .scheduler()
        .add(
            ScheduledTask.builder("demo-tick", "demo-ticks", "* * * * * *")
                .payload("tick")
                .build());
    List<String> fired = new ArrayList<>();
    try (SchedulerRunner runner = gander.scheduler().start("demo")) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (fired.size() < 3 && System.nanoTime() < deadline) {
        Optional<Job> job = ticks.poll("demo-ticker", Duration.ofSeconds(2));
        if (job.isPresent()) {
          long late = System.currentTimeMillis() - job.get().enqueuedAt().toEpochMilli();
          fired.add(job.get().enqueuedAt().toString() + " (picked up " + late + " ms later)");
          job.get().ack();
        }
      }
      out.printf(
          "Scheduled task 'demo-tick' (every second) fired %d jobs into 'demo-ticks' while this"
              + " process led: %s%n",
          fired.size(), runner.isLeader() ? "leader" : "not leader");
      for (String f : fired) {
        out.printf("  enqueued at %s%n", f);
      }
    } finally {
      gander.scheduler().remove("demo-tick");
    }
  }

  private static Path newTemporaryFile() {
    try {
      return Files.createTempDirectory("gander-demo-").resolve("demo.db");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the demo", e);
    }
  }

  /** A progress bar on a terminal; a line per quarter elsewhere (CI logs). */
  private static final class Progress {
    private static final int WIDTH = 40;
    private final PrintWriter out;
    private final long total;
    private final boolean terminal = System.console() != null;
    private int lastQuarter = -1;

    Progress(PrintWriter out, long total) {
      this.out = out;
      this.total = total;
    }

    void show(long done) {
      long clamped = Math.min(done, total);
      if (terminal) {
        int filled = (int) (WIDTH * clamped / total);
        out.printf(
            Locale.ROOT,
            "\r[%s%s] %,d/%,d",
            "#".repeat(filled),
            " ".repeat(WIDTH - filled),
            clamped,
            total);
        out.flush();
      } else {
        int quarter = (int) (4 * clamped / total);
        if (quarter > lastQuarter) {
          lastQuarter = quarter;
          out.printf(Locale.ROOT, "progress: %,d/%,d jobs settled%n", clamped, total);
        }
      }
    }

    void done() {
      if (terminal) {
        out.println();
      }
    }
  }

  /** The first line of a stored error: the exception and its message, not its stack trace. */
  private static String firstLine(String error) {
    int nl = error.indexOf('\n');
    return nl < 0 ? error : error.substring(0, nl);
  }
}
