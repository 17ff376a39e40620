package dev.gander.internal.contract;

import dev.gander.Gander;
import dev.gander.LeaseLostException;
import dev.gander.queue.Job;
import dev.gander.queue.Queue;
import dev.gander.queue.QueueOptions;
import dev.gander.sqlite.SqliteOptions;
import dev.gander.sqlite.WakeMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The child programs of the multi-process queue tests, on either backend. Each opens the database
 * its TARGET names (see {@link #open(String)}), does its part, and prints one line per event on
 * stdout; it stops when its stdin is closed.
 *
 * <ul>
 *   <li>{@code produce TARGET PRODUCER COUNT}: enqueues COUNT jobs, half one by one and half in
 *       batches of 50, then prints {@code produced COUNT}.
 *   <li>{@code work TARGET THREADS SLOW_MS HANG_AFTER}: THREADS threads poll and ack (result: this
 *       process's pid and the attempt), each printing {@code acked ID KEY} after its ack returned;
 *       every job takes SLOW_MS first. Once the process has acked HANG_AFTER jobs (never if
 *       negative), a thread that claims a job prints {@code holding ID} and hangs with the lease,
 *       waiting to be killed. Prints {@code working} once started.
 *   <li>{@code flood TARGET}: enqueues batches of 100 until killed, printing {@code batch N} after
 *       each commit.
 *   <li>{@code wait TARGET MODE}: with the given SQLite wake mode, prints {@code waiting}, then for
 *       each job it receives prints {@code got KEY}.
 *   <li>{@code notify TARGET CHANNEL COUNT}: sends COUNT notifications {@code 0 … COUNT-1} to
 *       CHANNEL, one commit each, then prints {@code notified COUNT}.
 *   <li>{@code contend TARGET LOCK COUNT FILE}: COUNT times takes the lock (waiting for it), reads
 *       the number in FILE, appends {@code token N} to FILE's log ({@code FILE.log}), writes N + 1
 *       to FILE, and releases; then prints {@code contended COUNT}.
 *   <li>{@code await-lock TARGET LOCK}: prints {@code waiting}, blocks in {@code lock} for up to a
 *       minute, and prints {@code got TOKEN} (or {@code timed out}).
 *   <li>{@code hammer TARGET KEY LIMIT CALLS}: makes CALLS rate-limited calls of KEY (LIMIT per
 *       hour) and prints {@code allowed N reset FIRST LAST}, the reset times of its first and last
 *       decision.
 *   <li>{@code publish TARGET STREAM NAME COUNT}: publishes COUNT events {@code NAME:i} to STREAM,
 *       one commit each, every fifth a batch of two, then prints {@code published COUNT}.
 *   <li>{@code schedule TARGET OWNER TTL_MS}: starts a scheduler runner with that lock time to
 *       live, prints {@code running}, then {@code leader} whenever it starts to lead and {@code
 *       follower} whenever it stops; closes the runner when stdin is closed.
 * </ul>
 */
public final class QueueChild {
  /** The queue every child uses. */
  public static final String QUEUE = "shared";

  /** Its options: a short lease, so that a killed worker's jobs come back soon. */
  public static final QueueOptions OPTIONS =
      QueueOptions.builder()
          .visibilityTimeout(Duration.ofSeconds(2))
          .maxAttempts(5)
          .backoffBase(Duration.ofMillis(10))
          .build();

  /**
   * A job's payload: who made it and its number there.
   *
   * @param producer the producer's name
   * @param n the job's number at that producer
   */
  public record Item(String producer, int n) {
    /**
     * The payload's identity across processes.
     *
     * @return producer and number
     */
    public String key() {
      return producer + "-" + n;
    }
  }

  private QueueChild() {}

  /**
   * The target argument for a SQLite file.
   *
   * @param db the file
   * @return the argument
   */
  public static String sqlite(Path db) {
    return db.toString();
  }

  /**
   * The target argument for a PostgreSQL schema.
   *
   * @param url the JDBC URL
   * @param schema the schema
   * @return the argument
   */
  public static String postgres(String url, String schema) {
    return url + "|" + schema;
  }

  /**
   * Opens the target: a JDBC URL and schema joined by {@code |} is PostgreSQL (a pool of four
   * connections, so that many children fit the server's connection slots), anything else a SQLite
   * file.
   */
  static Gander open(String target, WakeMode mode) {
    int bar = target.indexOf('|');
    if (bar > 0) {
      return Gander.builder()
          .postgres(target.substring(0, bar))
          .schema(target.substring(bar + 1))
          .poolSize(4)
          .open();
    }
    return Gander.builder()
        .path(Path.of(target))
        .sqlite(SqliteOptions.builder().wakeMode(mode).build())
        .open();
  }

  /**
   * Runs one child program.
   *
   * @param args the command and its arguments, as above
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    Thread stdin =
        new Thread(
            () -> {
              try {
                while (System.in.read() >= 0) {
                  // Closing stdin is the signal to stop.
                }
              } catch (java.io.IOException e) {
                // The parent went away: stop too.
              }
              stop.set(true);
            },
            "stdin");
    stdin.setDaemon(true);
    stdin.start();
    String target = args[1];
    switch (args[0]) {
      case "produce":
        produce(target, args[2], Integer.parseInt(args[3]));
        break;
      case "work":
        work(
            target,
            Integer.parseInt(args[2]),
            Long.parseLong(args[3]),
            Integer.parseInt(args[4]),
            stop);
        break;
      case "flood":
        flood(target);
        break;
      case "wait":
        await(target, WakeMode.valueOf(args[2]), stop);
        break;
      case "notify":
        notifyAll(target, args[2], Integer.parseInt(args[3]));
        break;
      case "contend":
        contend(target, args[2], Integer.parseInt(args[3]), Path.of(args[4]));
        break;
      case "await-lock":
        awaitLock(target, args[2]);
        break;
      case "hammer":
        hammer(target, args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
        break;
      case "publish":
        publish(target, args[2], args[3], Integer.parseInt(args[4]));
        break;
      case "schedule":
        schedule(target, args[2], Long.parseLong(args[3]), stop);
        break;
      default:
        throw new IllegalArgumentException(args[0]);
    }
  }

  private static void produce(String target, String producer, int count) {
    try (Gander gander = open(target, WakeMode.AUTO)) {
      Queue q = gander.queue(QUEUE, OPTIONS);
      int n = 0;
      while (n < count / 2) {
        q.enqueue(new Item(producer, n++));
      }
      while (n < count) {
        List<Item> batch = new ArrayList<>();
        for (int i = 0; i < 50 && n < count; i++) {
          batch.add(new Item(producer, n++));
        }
        q.enqueueAll(batch);
      }
      say("produced " + n);
    }
  }

  private static void flood(String target) {
    try (Gander gander = open(target, WakeMode.AUTO)) {
      Queue q = gander.queue(QUEUE, OPTIONS);
      for (int batch = 1; ; batch++) {
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          items.add(new Item("flood" + batch, i));
        }
        q.enqueueAll(items);
        say("batch " + batch);
      }
    }
  }

  private static void work(
      String target, int threads, long slowMs, int hangAfter, AtomicBoolean stop)
      throws InterruptedException {
    long pid = ProcessHandle.current().pid();
    AtomicInteger acked = new AtomicInteger();
    try (Gander gander = open(target, WakeMode.AUTO)) {
      Queue q = gander.queue(QUEUE, OPTIONS);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String worker = "w" + pid + "-" + t;
        Thread thread =
            new Thread(() -> workLoop(q, worker, slowMs, hangAfter, acked, stop), worker);
        thread.start();
        workers.add(thread);
      }
      say("working");
      for (Thread t : workers) {
        t.join();
      }
    }
  }

  private static void workLoop(
      Queue q, String worker, long slowMs, int hangAfter, AtomicInteger acked, AtomicBoolean stop) {
    long pid = ProcessHandle.current().pid();
    while (!stop.get()) {
      Optional<Job> job = q.poll(worker, Duration.ofMillis(200));
      if (job.isEmpty()) {
        continue;
      }
      Job j = job.get();
      Item item = j.payloadAs(Item.class);
      try {
        if (hangAfter >= 0 && acked.get() >= hangAfter) {
          say("holding " + j.id());
          Thread.sleep(Long.MAX_VALUE);
        }
        if (slowMs > 0) {
          Thread.sleep(slowMs);
        }
      } catch (InterruptedException e) {
        return;
      }
      try {
        j.ack(pid + ":" + j.attempt());
        acked.incrementAndGet();
        say("acked " + j.id() + " " + item.key());
      } catch (LeaseLostException e) {
        say("lost " + j.id() + " " + item.key());
      }
    }
  }

  private static void await(String target, WakeMode mode, AtomicBoolean stop) {
    try (Gander gander = open(target, mode)) {
      Queue q = gander.queue(QUEUE, OPTIONS);
      say("waiting");
      while (!stop.get()) {
        Optional<Job> job = q.poll("waiter", Duration.ofSeconds(60));
        if (job.isPresent()) {
          job.get().ack();
          say("got " + job.get().payloadAs(Item.class).key());
        }
      }
    }
  }

  private static void notifyAll(String target, String channel, int count) {
    try (Gander gander = open(target, WakeMode.AUTO)) {
      for (int i = 0; i < count; i++) {
        gander.notify(channel, i);
      }
      say("notified " + count);
    }
  }

  private static void contend(String target, String name, int count, Path file) throws Exception {
    String owner = "pid-" + ProcessHandle.current().pid();
    Path log = Path.of(file + ".log");
    try (Gander gander = open(target, WakeMode.AUTO)) {
      for (int i = 0; i < count; i++) {
        try (dev.gander.lock.Lock lock =
            gander.lock(name, owner, Duration.ofSeconds(30), Duration.ofMinutes(2)).orElseThrow()) {
          long n = Long.parseLong(java.nio.file.Files.readString(file).trim());
          java.nio.file.Files.writeString(
              log,
              "token " + lock.fencingToken() + "\n",
              java.nio.file.StandardOpenOption.CREATE,
              java.nio.file.StandardOpenOption.APPEND);
          java.nio.file.Files.writeString(file, Long.toString(n + 1));
        }
      }
      say("contended " + count);
    }
  }

  private static void schedule(String target, String owner, long ttlMs, AtomicBoolean stop)
      throws InterruptedException {
    try (Gander gander = open(target, WakeMode.AUTO);
        dev.gander.schedule.SchedulerRunner runner =
            gander.scheduler().start(owner, Duration.ofMillis(ttlMs))) {
      say("running");
      boolean leading = false;
      while (!stop.get()) {
        if (runner.isLeader() != leading) {
          leading = !leading;
          say(leading ? "leader" : "follower");
        }
        Thread.sleep(10);
      }
    }
  }

  private static void awaitLock(String target, String name) {
    try (Gander gander = open(target, WakeMode.AUTO)) {
      say("waiting");
      Optional<dev.gander.lock.Lock> lock =
          gander.lock(name, "waiter", Duration.ofSeconds(30), Duration.ofMinutes(1));
      say(lock.map(l -> "got " + l.fencingToken()).orElse("timed out"));
      lock.ifPresent(dev.gander.lock.Lock::release);
    }
  }

  private static void hammer(String target, String key, int limit, int calls) {
    try (Gander gander = open(target, WakeMode.AUTO)) {
      int allowed = 0;
      long first = 0;
      long last = 0;
      for (int i = 0; i < calls; i++) {
        dev.gander.ratelimit.RateLimitDecision d =
            gander.rateLimit(key, limit, Duration.ofHours(1));
        if (d.allowed()) {
          allowed++;
        }
        if (i == 0) {
          first = d.resetAt().toEpochMilli();
        }
        last = d.resetAt().toEpochMilli();
      }
      say("allowed " + allowed + " reset " + first + " " + last);
    }
  }

  private static void publish(String target, String stream, String name, int count) {
    try (Gander gander = open(target, WakeMode.AUTO)) {
      dev.gander.stream.Stream s = gander.stream(stream);
      int i = 0;
      while (i < count) {
        if (i % 5 == 4 && i + 1 < count) {
          s.publishAll("tick", List.of(name + ":" + i, name + ":" + (i + 1)));
          i += 2;
        } else {
          s.publish("tick", name + ":" + i++);
        }
      }
      say("published " + count);
    }
  }

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
