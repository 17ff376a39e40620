package dev.gander.bench;

import dev.gander.Gander;
import dev.gander.queue.Job;
import dev.gander.queue.Queue;
import dev.gander.queue.QueueOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

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
 * claims, one queue) and take turns: each warms up, then they run in {@value #SLICES} rounds of a
 * {@value #SLICES}th of the measured time each ({@value #DEFAULT_MEASURE} seconds), so that load
 * from outside (another build on a shared machine, a checkpoint) falls on every side alike. Claim
 * figures size their queue from each side's warm-up pace and top it up between rounds, so that it
 * does not run dry.
 */
final class PostgresScenario {
  /** The local test server, as gander-postgres's tests use it. */
  static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

  /** The environment variable naming another server. */
  static final String URL_ENV = "GANDER_BENCH_PG_URL";

  private static final String DEFAULT_MEASURE = "5";
  private static final double WARM =
      Double.parseDouble(System.getProperty("gander.bench.warmSeconds", "2"));
  private static final double MEASURE =
      Double.parseDouble(System.getProperty("gander.bench.measureSeconds", DEFAULT_MEASURE));
  private static final int SLICES = 10;
  private static final int WAKE_ROUNDS = 300;

  /** The targets of the issue: Gander at least this share of bare pgjdbc. */
  private static final double MIN_RATIO = 0.8;

  private static final double WAKE_P50_MS = 2;
  private static final double WAKE_P99_MS = 10;

  private static final String QUEUE = "bench";
  private static final String PAYLOAD_PREFIX = "{\"to\":\"user@example.com\",\"n\":";

  /** As in the SQLite scenario: acks write no record of success, so both sides delete only. */
  private static final QueueOptions NO_RECORDS =
      QueueOptions.builder().keepSucceeded(Duration.ZERO).build();

  /** Gander's default lease, which the bare claim grants too. */
  private static final long LEASE_MS = 30_000;

  private PostgresScenario() {}

  // -------------------------------------------------------------------- the SQL

  /** Gander's statements ({@code PgJobs}, {@code PgNotifier}) bound to one schema. */
  private static final class Sql {
    final String schema;
    final String channel;
    final String insertNoReturning;
    final String insert;
    final String notify;
    final String claim;
    final String ack;
    final String fill;

    Sql(String schema) {
      this.schema = schema;
      String s = '"' + schema + '"';
      channel = "gander:" + schema; // PgSchema.channel()
      insertNoReturning =
          "INSERT INTO "
              + s
              + ".gander_jobs (queue, payload, priority, run_at, state,"
              + " max_attempts, unique_key, expires_at, enqueued_at)"
              + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
              + " ON CONFLICT (queue, unique_key) WHERE unique_key IS NOT NULL DO NOTHING";
      insert = insertNoReturning + " RETURNING id";
      notify = "SELECT pg_notify(?, ?)";
      // The claim of PgJobs without the promotion of due scheduled jobs that Gander sends with
      // it in the same round trip (there are none here), as the SQLite scenario's bare side.
      claim =
          "WITH next AS (SELECT id FROM "
              + s
              + ".gander_jobs"
              + " WHERE queue = ? AND state = 0 AND (expires_at IS NULL OR expires_at > ?)"
              + " ORDER BY priority DESC, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED)"
              + " UPDATE "
              + s
              + ".gander_jobs j SET state = 1, attempt = j.attempt + 1,"
              + " lease_token = j.lease_token + 1, lease_until = ?, worker_id = ?, lease_ms = ?"
              + " FROM next WHERE j.id = next.id"
              + " RETURNING j.id, j.payload, j.priority, j.run_at, j.attempt, j.max_attempts,"
              + " j.lease_token, j.enqueued_at, j.last_error, j.expires_at";
      ack = "DELETE FROM " + s + ".gander_jobs WHERE id = ? AND lease_token = ? AND state = 1";
      // What Gander writes for enqueue(new Email("user@example.com", n)) with default options.
      fill =
          "INSERT INTO "
              + s
              + ".gander_jobs (queue, payload, priority, run_at, state, max_attempts,"
              + " enqueued_at) SELECT ?, '"
              + PAYLOAD_PREFIX
              + "' || i || '}', 0, now.t, 0, 3, now.t FROM generate_series(1, ?) i,"
              + " (SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS t) now";
    }
  }

  // ------------------------------------------------------------------------ run

  static void run(String title) throws Exception {
    String url = url();
    String noServer = noServer(url);
    if (noServer != null) {
      System.err.println("postgres: " + noServer);
      System.exit(2);
    }
    String schema = "bench_" + ProcessHandle.current().pid();
    Sql sql = new Sql(schema);
    inSchema(
        url,
        schema,
        timing() + " per figure",
        (g, admin) -> {
          Bench.Table table = new Bench.Table(title, "bare pgjdbc", true);
          figures(table, g, admin, sql, url);
        });
  }

  /** The warm-up and measured seconds of {@link #alternate}'s sides, for a heading. */
  static String timing() {
    return String.format(Locale.ROOT, "%.0f s warm-up, %.0f s measured", WARM, MEASURE);
  }

  /** What runs in a schema of its own: Gander opened on it, and a connection of its own. */
  interface InSchema {
    void run(Gander g, Connection admin) throws Exception;
  }

  /**
   * Runs {@code body} with Gander opened on {@code schema}, after a line naming the server, its
   * version, the schema and {@code note}. The schema is dropped first (a schema of this run's name
   * is left over from a killed run: no live process has our pid) and dropped again at the end, also
   * when the body fails or the JVM is interrupted.
   */
  static void inSchema(String url, String schema, String note, InSchema body) throws Exception {
    AtomicBoolean dropped = new AtomicBoolean();
    Thread dropOnExit = new Thread(() -> drop(url, schema, dropped), "bench-drop-schema");
    Runtime.getRuntime().addShutdownHook(dropOnExit);
    try (Connection admin = connect(url)) {
      execute(admin, "DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
      try (Gander g = Gander.builder().postgres(url).schema(schema).open()) {
        System.out.printf(
            Locale.ROOT,
            "%nPostgreSQL %s at %s, schema %s; %s%n",
            version(admin),
            withoutCredentials(url),
            schema,
            note);
        body.run(g, admin);
      }
    } finally {
      drop(url, schema, dropped);
      try {
        Runtime.getRuntime().removeShutdownHook(dropOnExit);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook finds the schema dropped.
      }
    }
  }

  private static String version(Connection admin) throws SQLException {
    try (Statement st = admin.createStatement();
        ResultSet rs = st.executeQuery("SHOW server_version")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void figures(Bench.Table table, Gander g, Connection admin, Sql sql, String url)
      throws Exception {
    Queue q = g.queue(QUEUE);
    Queue qNoRecords = g.queue(QUEUE, NO_RECORDS);

    // ---- enqueue, one thread, one commit each
    reset(admin, sql, 0);
    double[] one = alternate(1, t -> bareEnqueue(url, sql, t), t -> ganderEnqueue(q, t));
    table.row(
        "enqueue, 1 thread, one commit each", one[1], one[0], "jobs/s", atLeast(one[1] / one[0]));

    // ---- enqueue, eight threads
    reset(admin, sql, 0);
    double[] eight = alternate(8, t -> bareEnqueue(url, sql, t), t -> ganderEnqueue(q, t));
    table.row(
        "enqueue, 8 threads (8 bare connections)",
        eight[1],
        eight[0],
        "jobs/s",
        atLeast(eight[1] / eight[0]));

    // ---- enqueueAll of 1,000
    reset(admin, sql, 0);
    double[] all =
        alternate(1, t -> bareEnqueueBatch(url, sql, 1_000), t -> ganderEnqueueBatch(q, 1_000));
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
            t -> bareClaim(url, sql, 1, t),
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
            t -> bareClaim(url, sql, 128, t),
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
    int n = (int) Math.max(10_000, Math.min(1_000_000, ganderBatchClaim * MEASURE));
    int warm = n / 5;
    reset(admin, sql, warm + n + 20_000); // the warm-up worker may claim a few more than it counts
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
    reset(admin, sql, 0);
    long[] inProcess = wakeInProcess(g, 1_000);
    table.text(
        "wake, in-process (enqueue call to poll return)",
        QueueScenario.latency(inProcess),
        "-",
        "-",
        "-");
    reset(admin, sql, 0);
    long[] across = wakeAcrossProcesses(g, sql.schema, url, WAKE_ROUNDS);
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
        opened.add(open(threads, side));
      }
      double perSecond = 0;
      for (List<Loop> side : opened) {
        reset(admin, sql, warmFill);
        perSecond += run(side, WARM).rate();
      }
      long[] filled = {
        Math.min(3_000_000, Math.max(warmFill, (long) (perSecond * (MEASURE + 0.5) * 2)))
      };
      reset(admin, sql, (int) filled[0]);
      double roundSeconds = MEASURE / SLICES * sides.length;
      return slices(
          opened,
          0.5 / sides.length,
          (done, fastest) -> {
            long need = (long) (fastest * roundSeconds * 3) + threads * 256L;
            if (filled[0] - done < need) {
              long more = Math.min(3_000_000, need * 3);
              fill(admin, sql, (int) more);
              filled[0] += more;
            }
          });
    } finally {
      for (List<Loop> side : opened) {
        close(side);
      }
    }
  }

  /**
   * A figure whose sides need no queue filled: each warms up for {@link #WARM} seconds, then they
   * run in turn.
   *
   * @return each side's jobs per second
   */
  static double[] alternate(int threads, LoopFactory... sides) throws Exception {
    List<List<Loop>> opened = new ArrayList<>();
    try {
      for (LoopFactory side : sides) {
        opened.add(open(threads, side));
      }
      for (List<Loop> side : opened) {
        run(side, WARM);
      }
      return slices(opened, 0, (done, fastest) -> {});
    } finally {
      for (List<Loop> side : opened) {
        close(side);
      }
    }
  }

  /** Called before each round of {@link #slices}, outside the measured time. */
  interface BeforeRound {
    /**
     * Prepares the next round.
     *
     * @param done jobs done so far by every side, warm-up included
     * @param fastest the highest pace of one side in one run so far, jobs per second
     */
    void prepare(long done, double fastest) throws SQLException;
  }

  /**
   * Runs the sides in turn, {@link #SLICES} times for a {@link #SLICES}th of {@link #MEASURE}
   * seconds each (after a warm-up of {@code warmSeconds} each), each round starting with the next
   * side, so that load from outside (another build on the machine, a checkpoint) falls on every
   * side alike.
   *
   * @return each side's jobs per second over its slices
   */
  private static double[] slices(List<List<Loop>> sides, double warmSeconds, BeforeRound before)
      throws Exception {
    long done = 0;
    double fastest = 0;
    if (warmSeconds > 0) {
      before.prepare(done, fastest);
      for (List<Loop> side : sides) {
        Measured m = requireNotDry(run(side, warmSeconds));
        done += m.jobs();
        fastest = Math.max(fastest, m.rate());
      }
    }
    long[] jobs = new long[sides.size()];
    long[] nanos = new long[sides.size()];
    for (int r = 0; r < SLICES; r++) {
      before.prepare(done, fastest);
      for (int k = 0; k < sides.size(); k++) {
        int i = (r + k) % sides.size(); // each round starts with the next side
        Measured m = requireNotDry(run(sides.get(i), MEASURE / SLICES));
        jobs[i] += m.jobs();
        nanos[i] += m.nanos();
        done += m.jobs();
        fastest = Math.max(fastest, m.rate());
      }
    }
    double[] rates = new double[sides.size()];
    for (int i = 0; i < rates.length; i++) {
      rates[i] = jobs[i] / (nanos[i] / 1e9);
    }
    return rates;
  }

  private static Measured requireNotDry(Measured m) {
    if (m.dry()) {
      throw new IllegalStateException(
          "the queue ran dry while measuring: the fill was too small for this machine's pace");
    }
    return m;
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

  /**
   * Gander's enqueue by hand: one transaction with the insert and the notification Gander sends
   * with it ({@code pg_notify} on the schema's channel), then the commit.
   */
  private static Loop bareEnqueue(String url, Sql sql, int thread) throws SQLException {
    Connection c = connect(url);
    c.setAutoCommit(false);
    PreparedStatement insert = c.prepareStatement(sql.insert);
    PreparedStatement notify = c.prepareStatement(sql.notify);
    long[] n = {thread * 100_000_000L};
    return new Loop() {
      @Override
      public int step() throws Exception {
        bindInsert(insert, n[0]++);
        try (ResultSet rs = insert.executeQuery()) {
          rs.next();
          rs.getLong(1);
        }
        sendNotify(notify, sql);
        c.commit();
        return 1;
      }

      @Override
      public void close() throws SQLException {
        c.close();
      }
    };
  }

  /**
   * {@code enqueueAll} by hand: one transaction with Gander's insert for every job as one JDBC
   * batch (pgjdbc appends {@code RETURNING "id"} to hand back the ids), the notification, the
   * commit.
   */
  private static Loop bareEnqueueBatch(String url, Sql sql, int size) throws SQLException {
    Connection c = connect(url);
    c.setAutoCommit(false);
    PreparedStatement insert = c.prepareStatement(sql.insertNoReturning, new String[] {"id"});
    PreparedStatement notify = c.prepareStatement(sql.notify);
    long[] n = {0};
    return new Loop() {
      @Override
      public int step() throws Exception {
        for (int i = 0; i < size; i++) {
          bindInsert(insert, n[0]++);
          insert.addBatch();
        }
        insert.executeBatch();
        int ids = 0;
        try (ResultSet rs = insert.getGeneratedKeys()) {
          while (rs.next()) {
            rs.getLong(1);
            ids++;
          }
        }
        if (ids != size) {
          throw new IllegalStateException("expected " + size + " ids, got " + ids);
        }
        sendNotify(notify, sql);
        c.commit();
        return size;
      }

      @Override
      public void close() throws SQLException {
        c.close();
      }
    };
  }

  /**
   * Claim then ack by hand, two transactions: Gander's claim statement on its own (autocommit),
   * then its ack statement: on its own for one job, as one JDBC batch in one transaction for more.
   */
  private static Loop bareClaim(String url, Sql sql, int size, int thread) throws SQLException {
    Connection c = connect(url);
    PreparedStatement claim = c.prepareStatement(sql.claim);
    PreparedStatement ack = c.prepareStatement(sql.ack);
    String worker = "w" + thread;
    long[] ids = new long[size];
    long[] tokens = new long[size];
    return new Loop() {
      @Override
      public int step() throws Exception {
        long now = System.currentTimeMillis();
        claim.setString(1, QUEUE);
        claim.setLong(2, now);
        claim.setInt(3, size);
        claim.setLong(4, now + LEASE_MS);
        claim.setString(5, worker);
        claim.setLong(6, LEASE_MS);
        int got = 0;
        try (ResultSet rs = claim.executeQuery()) {
          while (rs.next()) {
            // Every column read, as Gander reads them.
            ids[got] = rs.getLong(1);
            rs.getString(2);
            rs.getInt(3);
            rs.getLong(4);
            rs.getInt(5);
            rs.getInt(6);
            tokens[got] = rs.getLong(7);
            rs.getLong(8);
            rs.getString(9);
            rs.getLong(10);
            got++;
          }
        }
        if (got == 0) {
          return 0;
        }
        if (size == 1) {
          ack.setLong(1, ids[0]);
          ack.setLong(2, tokens[0]);
          if (ack.executeUpdate() != 1) {
            throw new IllegalStateException("bare ack lost its job");
          }
          return 1;
        }
        c.setAutoCommit(false);
        for (int i = 0; i < got; i++) {
          ack.setLong(1, ids[i]);
          ack.setLong(2, tokens[i]);
          ack.addBatch();
        }
        int[] counts = ack.executeBatch();
        c.commit();
        c.setAutoCommit(true);
        for (int count : counts) {
          if (count != 1) {
            throw new IllegalStateException("bare ack lost a job");
          }
        }
        return got;
      }

      @Override
      public void close() throws SQLException {
        c.close();
      }
    };
  }

  private static void bindInsert(PreparedStatement insert, long n) throws SQLException {
    long now = System.currentTimeMillis();
    insert.setString(1, QUEUE);
    insert.setString(2, PAYLOAD_PREFIX + n + "}");
    insert.setInt(3, 0);
    insert.setLong(4, now);
    insert.setInt(5, 0);
    insert.setInt(6, 3);
    insert.setNull(7, Types.VARCHAR);
    insert.setNull(8, Types.BIGINT);
    insert.setLong(9, now);
  }

  private static void sendNotify(PreparedStatement notify, Sql sql) throws SQLException {
    notify.setString(1, sql.channel);
    notify.setString(2, "w:" + QUEUE);
    notify.executeQuery().close();
  }

  // -------------------------------------------------------------------- wake-up

  private static long[] wakeInProcess(Gander g, int rounds) throws Exception {
    Queue q = g.queue("wake_local");
    BlockingQueue<Long> seen = new ArrayBlockingQueue<>(1);
    Thread waiter =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                Optional<Job> job;
                try {
                  job = q.poll("waiter", Duration.ofSeconds(5));
                } catch (RuntimeException e) {
                  return;
                }
                if (job.isPresent()) {
                  long latency =
                      System.nanoTime() - job.get().payloadAs(QueueScenario.Email.class).n();
                  job.get().ack();
                  seen.add(latency);
                }
              }
            },
            "bench-waiter");
    waiter.setDaemon(true);
    waiter.start();
    try {
      long[] out = new long[rounds];
      for (int i = -100; i < rounds; i++) {
        Thread.sleep(1); // let the waiter block again, so each round measures a wake from sleep
        q.enqueue(new QueueScenario.Email("wake", System.nanoTime()));
        Long latency = seen.poll(10, TimeUnit.SECONDS);
        if (latency == null) {
          throw new IllegalStateException("the in-process waiter did not get a job in 10 s");
        }
        if (i >= 0) {
          out[i] = latency;
        }
      }
      return out;
    } finally {
      waiter.interrupt();
    }
  }

  /**
   * A child JVM opens Gander on the same schema and polls; this process enqueues one job at a time,
   * stamped with {@code System.nanoTime()} (on Linux {@code CLOCK_MONOTONIC}, shared by all
   * processes), and waits for the child's reading before the next.
   */
  private static long[] wakeAcrossProcesses(Gander g, String schema, String url, int rounds)
      throws Exception {
    Queue q = g.queue("wake");
    ProcessBuilder pb = Bench.childJvm(WakeChild.class, schema);
    pb.environment().put(URL_ENV, url); // not on the command line: the URL may hold a password
    Process child = pb.start();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String ready = r.readLine();
      if (!"ready".equals(ready)) {
        throw new IllegalStateException("wake child did not start: " + ready);
      }
      long[] out = new long[rounds];
      for (int i = -100; i < rounds; i++) {
        Thread.sleep(2);
        q.enqueue(new QueueScenario.Email("wake", System.nanoTime()));
        String line = r.readLine();
        if (line == null) {
          throw new IllegalStateException("wake child exited early");
        }
        long latency = Long.parseLong(line.trim());
        if (i >= 0) {
          out[i] = latency;
        }
      }
      child.getOutputStream().close();
      child.waitFor(10, TimeUnit.SECONDS);
      return out;
    } finally {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The polling side of {@link #wakeAcrossProcesses}: prints one latency (ns) per job. */
  static final class WakeChild {
    private WakeChild() {}

    public static void main(String[] args) throws Exception {
      try (Gander g = Gander.builder().postgres(url()).schema(args[0]).open()) {
        Queue q = g.queue("wake");
        Bench.exitWhenStdinCloses();
        System.out.println("ready");
        System.out.flush();
        while (true) {
          Optional<Job> job = q.poll("child", Duration.ofSeconds(30));
          if (job.isEmpty()) {
            return;
          }
          long latency = System.nanoTime() - job.get().payloadAs(QueueScenario.Email.class).n();
          System.out.println(latency);
          System.out.flush();
          job.get().ack();
        }
      }
    }
  }

  // ------------------------------------------------------------- timed loops

  /** One step of a figure's loop, on one thread. */
  interface Loop {
    /**
     * Does one unit of work.
     *
     * @return how many jobs it did; 0 when the queue is empty, which ends this thread's loop
     */
    int step() throws Exception;

    /** Releases what the loop holds (its connection). */
    default void close() throws SQLException {}
  }

  interface LoopFactory {
    Loop open(int thread) throws Exception;
  }

  private static List<Loop> open(int threads, LoopFactory loops) throws Exception {
    List<Loop> opened = new ArrayList<>(threads);
    try {
      for (int t = 0; t < threads; t++) {
        opened.add(loops.open(t));
      }
      return opened;
    } catch (Exception e) {
      close(opened);
      throw e;
    }
  }

  private static void close(List<Loop> loops) throws SQLException {
    for (Loop loop : loops) {
      loop.close();
    }
  }

  /** Jobs done in a time, and whether the loops stopped early because the queue was empty. */
  record Measured(long jobs, long nanos, boolean dry) {
    double rate() {
      return jobs / (nanos / 1e9);
    }
  }

  /**
   * Runs each loop on a thread of its own for {@code seconds}, or until every loop found its queue
   * empty.
   */
  private static Measured run(List<Loop> loops, double seconds) throws Exception {
    int threads = loops.size();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    LongAdder done = new LongAdder();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(threads);
    List<Future<?>> futures = new ArrayList<>(threads);
    try {
      for (Loop loop : loops) {
        futures.add(
            pool.submit(
                () -> {
                  try {
                    start.await();
                    while (!stop.get()) {
                      int n = loop.step();
                      if (n == 0) {
                        break;
                      }
                      done.add(n);
                    }
                  } finally {
                    finished.countDown();
                  }
                  return null;
                }));
      }
      long t0 = System.nanoTime();
      start.countDown();
      boolean dry = finished.await((long) (seconds * 1e9), TimeUnit.NANOSECONDS);
      stop.set(true);
      // Count what the loops finish after the bell too, and the time they took for it.
      finished.await();
      long t1 = System.nanoTime();
      rethrow(futures);
      return new Measured(done.sum(), t1 - t0, dry);
    } finally {
      stop.set(true);
      pool.shutdown();
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }
  }

  private static void rethrow(List<Future<?>> futures) throws Exception {
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof Exception) {
          throw (Exception) e.getCause();
        }
        throw e;
      }
    }
  }

  // ------------------------------------------------------------------- server

  static String url() {
    String env = System.getenv(URL_ENV);
    return env == null || env.isBlank() ? DEFAULT_URL : env.trim();
  }

  /** A line saying that no server answers at {@code url} and why, or {@code null} when one does. */
  static String noServer(String url) {
    String why = unreachable(url);
    return why == null
        ? null
        : "no PostgreSQL server answers at "
            + withoutCredentials(url)
            + " ("
            + why
            + "); start one or set "
            + URL_ENV;
  }

  /** Why the server cannot be used, or {@code null} when it answers. */
  private static String unreachable(String url) {
    Properties p = new Properties();
    p.setProperty("connectTimeout", "3");
    try (Connection c = DriverManager.getConnection(url, p)) {
      return c.isValid(3) ? null : "the connection did not answer";
    } catch (SQLException e) {
      return e.getMessage();
    }
  }

  static Connection connect(String url) throws SQLException {
    Properties p = new Properties();
    p.setProperty("ApplicationName", "gander-bench");
    return DriverManager.getConnection(url, p);
  }

  /**
   * Empties the job tables, fills the queue with {@code jobs} ready jobs, and leaves the server
   * with fresh statistics and a checkpoint behind it, so that each side starts alike.
   */
  private static void reset(Connection admin, Sql sql, int jobs) throws SQLException {
    String s = '"' + sql.schema + '"';
    execute(
        admin,
        "TRUNCATE " + s + ".gander_jobs, " + s + ".gander_results, " + s + ".gander_dead_jobs");
    if (jobs > 0) {
      fill(admin, sql, jobs);
    }
    settle(admin, s + ".gander_jobs");
  }

  /**
   * Analyses {@code table} (the test server runs without autovacuum: a table just filled has no
   * statistics, and a plan made without them may read the whole table per page) and checkpoints.
   */
  static void settle(Connection admin, String table) throws SQLException {
    execute(admin, "ANALYZE " + table);
    try {
      execute(admin, "CHECKPOINT");
    } catch (SQLException e) {
      // Not allowed to this user (superuser or pg_checkpoint): go on without.
    }
  }

  /** Adds {@code jobs} ready jobs to the queue. */
  private static void fill(Connection admin, Sql sql, int jobs) throws SQLException {
    try (PreparedStatement ps = admin.prepareStatement(sql.fill)) {
      ps.setString(1, QUEUE);
      ps.setInt(2, jobs);
      ps.executeUpdate();
    }
  }

  private static void execute(Connection c, String statement) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(statement);
    }
  }

  /** Drops the run's schema once, from the end of the run or from the shutdown hook. */
  private static void drop(String url, String schema, AtomicBoolean dropped) {
    if (!dropped.compareAndSet(false, true)) {
      return;
    }
    try (Connection c = connect(url)) {
      execute(c, "SET lock_timeout = '10s'");
      execute(c, "DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
    } catch (SQLException e) {
      System.err.println(
          "postgres: could not drop schema "
              + schema
              + " ("
              + e.getMessage()
              + "); drop it by hand");
    }
  }

  /** A URL without its query string or user information, for messages. */
  static String withoutCredentials(String url) {
    int q = url.indexOf('?');
    String s = q < 0 ? url : url.substring(0, q);
    int at = s.indexOf('@');
    int slashes = s.indexOf("//");
    if (at > 0 && slashes >= 0 && at > slashes) {
      s = s.substring(0, slashes + 2) + s.substring(at + 1);
    }
    return s;
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
