package dev.gander.bench;

import dev.gander.Gander;
import dev.gander.pubsub.Listener;
import dev.gander.pubsub.Notification;
import dev.gander.stream.Event;
import dev.gander.stream.Stream;
import dev.gander.stream.Subscription;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Streams and pub/sub on SQLite, beside bare sqlite-jdbc on the same schema in the same run: {@code
 * java -jar gander-bench.jar streams}, which then runs {@link PgStreamScenario} (the same figures
 * on PostgreSQL) when the server answers. The helpers both share are here.
 */
final class StreamScenario {
  /**
   * Rounds run before the latency figures are measured, so that they are of compiled code: the JIT
   * compiles a path after some thousands of runs, and a few hundred left part of the measured
   * rounds interpreted in the child JVM.
   */
  static final int WARM_UP_ROUNDS = 2_000;

  static final String PAYLOAD = "{\"order\":\"A-1\",\"cents\":1299,\"n\":";

  private StreamScenario() {}

  /** An order event. */
  record Order(String order, int cents, long n) {}

  static void run(Bench.Table table) throws Exception {
    Path dir = Files.createTempDirectory("gander-bench-streams-");

    // ---- publish, one commit each
    double bareInsert = bareSingleInserts(fresh(dir, "bare-insert.db"), 10_000, 30_000);
    double publishOne;
    try (Gander g = Gander.open(dir.resolve("publish.db"))) {
      Stream s = g.stream("orders");
      publishLoop(s, 10_000);
      long t0 = System.nanoTime();
      publishLoop(s, 30_000);
      publishOne = 30_000 / seconds(t0);
    }
    table.row("publish, 1 thread, one commit each", publishOne, bareInsert, "events/s");

    // ---- replay: read back 500,000 events
    Path replayFile = dir.resolve("replay.db");
    int events = 500_000;
    try (Gander g = Gander.open(replayFile)) {
      publishAll(g.stream("orders"), events);
    }
    // Reopened, so that both sides read a settled file: closing checkpointed the WAL, which
    // otherwise the background checkpointer would be copying into the file during the replay.
    try (Gander g = Gander.open(replayFile)) {
      Stream s = g.stream("orders");
      double best = bestReplay(s, events);
      double bare;
      try (Connection c = Bench.bareConnection(g.store().path())) {
        bare =
            bareReplay(
                c,
                "SELECT seq, kind, payload, headers, occurred_at FROM gander_events"
                    + " WHERE stream = 'orders' AND seq > ? ORDER BY seq LIMIT 512",
                events);
      }
      table.row("replay (subscription, best of 3)", best, bare, "events/s");
    }

    // ---- live, in-process
    long[] live;
    try (Gander g = Gander.open(dir.resolve("live.db"))) {
      live = liveInProcess(g, 2_000);
    }
    Path floorFile = fresh(dir, "floor.db");
    long[] liveFloor =
        LiveFloor.inProcess(() -> Bench.bareConnection(floorFile), "gander_events", 2_000);
    latencyRow(table, "live end-to-end, in-process", live, liveFloor);

    // ---- live and notify, across processes
    Path across = dir.resolve("across.db");
    Gander.open(across).close();
    long[] acrossFloor =
        LiveFloor.across(
            () -> Bench.bareConnection(floorFile),
            "gander_events",
            null,
            Bench.childJvm(LiveFloor.Child.class, "sqlite", floorFile.toString()));
    latencyRow(
        table, "live end-to-end, across processes", across(across, "stream", 1_000), acrossFloor);
    latencyRow(
        table, "notify → listen, across processes", across(across, "notify", 1_000), acrossFloor);
  }

  /**
   * A latency row: Gander's percentiles, those of the same round trip by hand ({@link LiveFloor}),
   * and the ratio of the medians.
   */
  static void latencyRow(Bench.Table table, String figure, long[] gander, long[] floor) {
    table.text(
        figure,
        QueueScenario.latency(gander),
        QueueScenario.latency(floor),
        String.format(Locale.ROOT, "%.2f (p50)", median(gander) / (double) median(floor)));
  }

  private static long median(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  static void publishLoop(Stream s, int n) {
    for (int i = 0; i < n; i++) {
      s.publish("order.created", new Order("A-1", 1299, i));
    }
  }

  /** Publishes {@code events} orders to {@code s}, {@code publishAll} of 1,000 at a time. */
  static void publishAll(Stream s, int events) {
    List<Order> batch = new ArrayList<>(1_000);
    for (int b = 0; b < events / 1_000; b++) {
      batch.clear();
      for (int i = 0; i < 1_000; i++) {
        batch.add(new Order("A-1", 1299, (long) b * 1_000 + i));
      }
      s.publishAll("order.created", batch);
    }
  }

  /** The best of three replays of {@code n} events through a subscription, after one warm-up. */
  static double bestReplay(Stream s, int n) {
    replay(s, n); // warm-up
    double best = 0;
    for (int i = 0; i < 3; i++) {
      best = Math.max(best, replay(s, n));
    }
    return best;
  }

  private static double replay(Stream s, int n) {
    long t0 = System.nanoTime();
    long sum = 0;
    try (Subscription sub = s.subscribe("replayer", 0)) {
      for (int i = 0; i < n; i++) {
        Event e = sub.poll().orElseThrow(() -> new IllegalStateException("ran dry"));
        sum += e.offset() + e.payload().length();
      }
    }
    if (sum == 0) {
      throw new IllegalStateException();
    }
    return n / seconds(t0);
  }

  /**
   * A thread subscribes to stream {@code live}; this one publishes, one at a time, events stamped
   * with {@code System.nanoTime()}.
   *
   * @return each round's latency, publish call to {@code next} return, in nanoseconds, after {@link
   *     #WARM_UP_ROUNDS} rounds of warm-up
   */
  static long[] liveInProcess(Gander g, int rounds) throws Exception {
    Stream s = g.stream("live");
    BlockingQueue<Long> seen = new ArrayBlockingQueue<>(1);
    Thread reader =
        new Thread(
            () -> {
              try (Subscription sub = s.subscribe("reader", 0)) {
                while (!Thread.currentThread().isInterrupted()) {
                  Optional<Event> e;
                  try {
                    e = sub.next(Duration.ofSeconds(5));
                  } catch (RuntimeException ex) {
                    return;
                  }
                  if (e.isPresent()) {
                    seen.add(System.nanoTime() - e.get().payloadAs(Order.class).n());
                  }
                }
              }
            },
            "bench-reader");
    reader.setDaemon(true);
    reader.start();
    try {
      long[] out = new long[rounds];
      for (int i = -WARM_UP_ROUNDS; i < rounds; i++) {
        Thread.sleep(1);
        s.publish("tick", new Order("live", 0, System.nanoTime()));
        Long latency = seen.poll(10, TimeUnit.SECONDS);
        if (latency == null) {
          throw new IllegalStateException("the in-process subscriber got no event in 10 s");
        }
        if (i >= 0) {
          out[i] = latency;
        }
      }
      return out;
    } finally {
      reader.interrupt();
    }
  }

  /** A child JVM subscribes (or listens); this process publishes (or notifies) one at a time. */
  private static long[] across(Path file, String mode, int rounds) throws Exception {
    try (Gander g = Gander.open(file)) {
      return across(g, Bench.childJvm(Child.class, file.toString(), mode), mode, rounds);
    }
  }

  /**
   * Starts {@code child} (a JVM that opens Gander on the same database and calls {@link
   * Child#serve}) and publishes to stream {@code across} (mode {@code stream}) or notifies channel
   * {@code across} (mode {@code notify}) one at a time, stamped, waiting for the child's reading
   * before the next ({@link Bench#roundTrips}).
   *
   * @return each round's latency in nanoseconds, after {@link #WARM_UP_ROUNDS} rounds of warm-up
   *     (the JIT compiles the path on both sides meanwhile)
   */
  static long[] across(Gander g, ProcessBuilder child, String mode, int rounds) throws Exception {
    Stream s = g.stream("across");
    return Bench.roundTrips(
        child,
        "the " + mode + " child",
        WARM_UP_ROUNDS,
        rounds,
        () -> {
          long now = System.nanoTime();
          if (mode.equals("stream")) {
            s.publish("tick", Map.of("n", now));
          } else {
            g.notify("across", now);
          }
        });
  }

  /** The receiving side of {@link #across} on SQLite: args are the file and the mode. */
  static final class Child {
    private Child() {}

    public static void main(String[] args) throws Exception {
      try (Gander g = Gander.open(Path.of(args[0]))) {
        serve(g, args[1]);
      }
    }

    /**
     * Subscribes to stream {@code across} from its latest offset (mode {@code stream}) or listens
     * on channel {@code across} (mode {@code notify}), says {@code ready}, then prints one latency
     * (ns) per event or notification until the parent closes standard input.
     */
    static void serve(Gander g, String mode) {
      Bench.exitWhenStdinCloses();
      if (mode.equals("stream")) {
        Stream s = g.stream("across");
        try (Subscription sub = s.subscribe("child", s.latest())) {
          System.out.println("ready");
          System.out.flush();
          while (true) {
            Optional<Event> e = sub.next(Duration.ofSeconds(60));
            if (e.isPresent()) {
              long sent = Long.parseLong(e.get().payload().replaceAll("[^0-9]", ""));
              System.out.println(System.nanoTime() - sent);
              System.out.flush();
            }
          }
        }
      }
      try (Listener l = g.listen("across")) {
        System.out.println("ready");
        System.out.flush();
        while (true) {
          Optional<Notification> n = l.poll(Duration.ofSeconds(60));
          if (n.isPresent()) {
            System.out.println(System.nanoTime() - n.get().payloadAs(Long.class));
            System.out.flush();
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ bare sqlite-jdbc

  private static Path fresh(Path dir, String name) {
    Path file = dir.resolve(name);
    Gander.open(file).close();
    return file;
  }

  /** One INSERT of an event row per transaction, the statement prepared once. */
  private static double bareSingleInserts(Path file, int warmup, int measured) throws Exception {
    try (Connection c = Bench.bareConnection(file);
        PreparedStatement begin = c.prepareStatement("BEGIN IMMEDIATE");
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO gander_events (stream, seq, kind, payload, headers, occurred_at)"
                    + " VALUES ('orders', ?, 'order.created', ?, '{}', ?)");
        PreparedStatement commit = c.prepareStatement("COMMIT")) {
      long t0 = 0;
      for (int i = -warmup; i < measured; i++) {
        if (i == 0) {
          t0 = System.nanoTime();
        }
        begin.executeUpdate();
        insert.setLong(1, i + warmup + 1L);
        insert.setString(2, PAYLOAD + i + "}");
        insert.setLong(3, System.currentTimeMillis());
        insert.executeUpdate();
        commit.executeUpdate();
      }
      return measured / seconds(t0);
    }
  }

  /**
   * The bare side of replay: {@code select} (the five columns of an event, the offset first, those
   * after its one parameter, 512 at a time) paged through {@code n} rows, each column read, on one
   * plain connection; the best of four rounds, the first a warm-up in effect.
   */
  static double bareReplay(Connection c, String select, int n) throws Exception {
    try (PreparedStatement read = c.prepareStatement(select)) {
      double best = 0;
      for (int round = 0; round < 4; round++) {
        long t0 = System.nanoTime();
        long after = 0;
        long sum = 0;
        while (after < n) {
          read.setLong(1, after);
          try (ResultSet rs = read.executeQuery()) {
            while (rs.next()) {
              after = rs.getLong(1);
              sum += rs.getString(2).length() + rs.getString(3).length();
              rs.getString(4);
              rs.getLong(5);
            }
          }
        }
        if (sum == 0) {
          throw new IllegalStateException();
        }
        best = Math.max(best, n / seconds(t0));
      }
      return best;
    }
  }

  static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
