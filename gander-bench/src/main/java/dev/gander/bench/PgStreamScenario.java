package dev.gander.bench;

import dev.gander.Gander;
import dev.gander.bench.Alternation.Loop;
import dev.gander.bench.StreamScenario.Order;
import dev.gander.stream.Stream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Streams and pub/sub on PostgreSQL, beside bare pgjdbc on the same server in the same run: the
 * second half of {@code java -jar gander-bench.jar streams}, or alone as {@code streams-postgres}.
 * The figures are those of {@link StreamScenario}, on the server of {@link PgServer#url()}.
 *
 * <p>Each run works in a schema of its own ({@code bench_streams_<pid>}), created by opening Gander
 * on it and dropped (with everything in it) at the end, also when the run fails. Publish runs for a
 * fixed time, the two sides taking turns as in the postgres scenario ({@link
 * Alternation#alternate}); replay and the latencies run for a fixed count, as on SQLite.
 */
final class PgStreamScenario {
  private static final int EVENTS = 500_000;

  private PgStreamScenario() {}

  /**
   * Runs the figures, or says in one line that no server answers: on standard output when {@code
   * required} is false (the PostgreSQL half of {@code streams}), else on standard error, exiting
   * with status 2 (as {@code postgres} does).
   */
  static void run(boolean required) throws Exception {
    String url = PgServer.url();
    String noServer = PgServer.noServer(url);
    if (noServer != null) {
      if (required) {
        System.err.println("streams-postgres: " + noServer);
        System.exit(2);
      }
      System.out.println();
      System.out.println("streams on PostgreSQL: skipped, " + noServer);
      return;
    }
    String schema = "bench_streams_" + ProcessHandle.current().pid();
    PgServer.inSchema(
        url,
        schema,
        "publish: " + Alternation.timing() + " per side",
        (g, admin) ->
            figures(
                new Bench.Table("streams and pub/sub on PostgreSQL", "bare pgjdbc / floor", false),
                g,
                admin,
                url,
                schema));
  }

  private static void figures(
      Bench.Table table, Gander g, Connection admin, String url, String schema) throws Exception {
    String s = '"' + schema + '"';

    // ---- publish, one commit each
    double[] publish =
        Alternation.alternate(
            1, t -> barePublish(url, s, "orders-bare"), t -> ganderPublish(g.stream("orders")));
    table.row("publish, 1 thread, one commit each", publish[1], publish[0], "events/s");

    // ---- replay: read back 500,000 events
    Stream replay = g.stream("replay");
    StreamScenario.publishAll(replay, EVENTS);
    PgServer.settle(admin, s + ".gander_events");
    double best = StreamScenario.bestReplay(replay, EVENTS);
    double bare;
    try (Connection c = PgServer.connect(url)) {
      bare =
          StreamScenario.bareReplay(
              c,
              "SELECT seq, kind, payload, headers, occurred_at FROM "
                  + s
                  + ".gander_events WHERE stream = 'replay' AND seq > ? ORDER BY seq LIMIT 512",
              EVENTS);
    }
    table.row("replay (subscription, best of 3)", best, bare, "events/s");

    // ---- live, in-process
    String events = s + ".gander_events";
    StreamScenario.latencyRow(
        table,
        "live end-to-end, in-process",
        StreamScenario.liveInProcess(g, 2_000),
        LiveFloor.inProcess(() -> PgServer.connect(url), events, 2_000));

    // ---- live and notify, across processes
    ProcessBuilder floorChild = Bench.childJvm(LiveFloor.Child.class, "postgres", schema);
    floorChild.environment().put(PgServer.URL_ENV, url);
    long[] acrossFloor = LiveFloor.across(() -> PgServer.connect(url), events, "floor", floorChild);
    StreamScenario.latencyRow(
        table, "live end-to-end, across processes", across(g, url, schema, "stream"), acrossFloor);
    StreamScenario.latencyRow(
        table, "notify → listen, across processes", across(g, url, schema, "notify"), acrossFloor);
  }

  private static Loop ganderPublish(Stream s) {
    long[] n = {0};
    return () -> {
      s.publish("order.created", new Order("A-1", 1299, n[0]++));
      return 1;
    };
  }

  /**
   * Publish by hand, one transaction per event with both statements prepared once: take the next
   * offset by updating the stream's head row ({@code UPDATE ... RETURNING}, whose row lock until
   * commit keeps offsets gap-free and visible in order, as Gander's does), insert the event row
   * with it, commit. The head row is created once beforehand; Gander's first statement is an upsert
   * instead, since publish creates the stream, and Gander also sends a {@code pg_notify} with its
   * commit (to wake subscribers), which bare does not.
   */
  private static Loop barePublish(String url, String s, String stream) throws Exception {
    Connection c = PgServer.connect(url);
    try {
      try (PreparedStatement create =
          c.prepareStatement(
              "INSERT INTO "
                  + s
                  + ".gander_streams (name, last_offset) VALUES (?, 0) ON CONFLICT DO NOTHING")) {
        create.setString(1, stream);
        create.executeUpdate();
      }
      c.setAutoCommit(false);
      PreparedStatement head =
          c.prepareStatement(
              "UPDATE "
                  + s
                  + ".gander_streams SET last_offset = last_offset + 1 WHERE name = ?"
                  + " RETURNING last_offset");
      PreparedStatement insert =
          c.prepareStatement(
              "INSERT INTO "
                  + s
                  + ".gander_events (stream, seq, kind, payload, headers, occurred_at)"
                  + " VALUES (?, ?, 'order.created', ?, '{}', ?)");
      long[] n = {0};
      return new Loop() {
        @Override
        public int step() throws Exception {
          head.setString(1, stream);
          long seq;
          try (ResultSet rs = head.executeQuery()) {
            rs.next();
            seq = rs.getLong(1);
          }
          insert.setString(1, stream);
          insert.setLong(2, seq);
          insert.setString(3, StreamScenario.PAYLOAD + n[0]++ + "}");
          insert.setLong(4, System.currentTimeMillis());
          insert.executeUpdate();
          c.commit();
          return 1;
        }

        @Override
        public void close() throws SQLException {
          c.close();
        }
      };
    } catch (Exception e) {
      c.close();
      throw e;
    }
  }

  /**
   * The figures across processes: a child JVM opens Gander on the same schema and subscribes (mode
   * {@code stream}) or listens (mode {@code notify}), see {@link StreamScenario#across}.
   */
  private static long[] across(Gander g, String url, String schema, String mode) throws Exception {
    ProcessBuilder child = Bench.childJvm(Child.class, schema, mode);
    // Not on the command line: the URL may hold a password.
    child.environment().put(PgServer.URL_ENV, url);
    return StreamScenario.across(g, child, mode, 1_000);
  }

  /**
   * The receiving side of {@link #across}: args are the schema and the mode; the server's URL comes
   * from {@value PgServer#URL_ENV} (else the local test server).
   */
  static final class Child {
    private Child() {}

    public static void main(String[] args) throws Exception {
      try (Gander g = Gander.builder().postgres(PgServer.url()).schema(args[0]).open()) {
        StreamScenario.Child.serve(g, args[1]);
      }
    }
  }
}
