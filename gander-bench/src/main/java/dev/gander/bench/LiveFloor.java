package dev.gander.bench;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;

/**
 * The floor under the live latencies of {@link StreamScenario} and {@link PgStreamScenario}: the
 * same round trip done by hand with bare JDBC on the same backend, in the same run. A writer
 * inserts one event row stamped with {@code System.nanoTime()} and commits; a reader learns of the
 * commit the cheapest way the platform offers and reads the row back; the latency is the stamp to
 * the row in the reader's hands.
 *
 * <ul>
 *   <li>In-process: after the commit the writer hands the reader thread a token through a queue;
 *       the reader selects the rows after the last it read on its own connection.
 *   <li>Across processes on SQLite: a child JVM takes kernel file events for the database's
 *       directory ({@link WatchService}), confirms a commit by {@code PRAGMA data_version} (looking
 *       again within microseconds while it has not moved), then selects. This is the mechanism of
 *       Gander's commit watcher with nothing around it.
 *   <li>Across processes on PostgreSQL: the writer sends {@code pg_notify} in its transaction; a
 *       child JVM blocks in {@code LISTEN} and selects on each notification.
 * </ul>
 *
 * <p>Rounds are paced and warmed up as Gander's are ({@link StreamScenario#WARM_UP_ROUNDS}).
 */
final class LiveFloor {
  private static final String STREAM = "floor";

  private LiveFloor() {}

  /** Opens a bare connection to the database under test. */
  interface Opener {
    Connection open() throws SQLException;
  }

  /**
   * In-process: writer commit, queue hand-off, reader select. {@code table} names the events table
   * (schema-qualified on PostgreSQL).
   *
   * @return each round's latency in nanoseconds
   */
  static long[] inProcess(Opener opener, String table, int rounds) throws Exception {
    BlockingQueue<Long> tokens = new ArrayBlockingQueue<>(1);
    BlockingQueue<Long> seen = new ArrayBlockingQueue<>(1);
    try (Connection writer = opener.open();
        Connection reader = opener.open()) {
      long start = last(writer, table);
      PreparedStatement insert = insert(writer, table);
      Thread t =
          new Thread(
              () -> {
                try (PreparedStatement select = select(reader, table)) {
                  long after = start;
                  while (true) {
                    tokens.take();
                    after = readAfter(select, after, seen::add);
                  }
                } catch (InterruptedException | SQLException e) {
                  // Stopping.
                }
              },
              "floor-reader");
      t.setDaemon(true);
      t.start();
      try {
        writer.setAutoCommit(false);
        long[] out = new long[rounds];
        long seq = start;
        for (int i = -StreamScenario.WARM_UP_ROUNDS; i < rounds; i++) {
          Thread.sleep(1);
          write(insert, ++seq, System.nanoTime());
          writer.commit();
          tokens.add(seq);
          Long latency = seen.poll(10, TimeUnit.SECONDS);
          if (latency == null) {
            throw new IllegalStateException("the bare reader saw no row in 10 s");
          }
          if (i >= 0) {
            out[i] = latency;
          }
        }
        return out;
      } finally {
        t.interrupt();
        t.join(5_000);
        insert.close();
      }
    }
  }

  /**
   * Across processes: {@code child} (a JVM running {@link Child}) says {@code ready}, then prints
   * one latency per row; this side inserts a stamped row and commits ({@code notifyChannel} not
   * null: with a {@code pg_notify} on it in the same transaction), waiting for each reading.
   *
   * @return each round's latency in nanoseconds
   */
  static long[] across(Opener opener, String table, String notifyChannel, ProcessBuilder child)
      throws Exception {
    try (Connection writer = opener.open()) {
      long[] seq = {last(writer, table)};
      writer.setAutoCommit(false);
      try (PreparedStatement insert = insert(writer, table);
          PreparedStatement notify =
              notifyChannel == null
                  ? null
                  : writer.prepareStatement("SELECT pg_notify('" + notifyChannel + "', '')")) {
        return Bench.roundTrips(
            child,
            "the floor's child",
            StreamScenario.WARM_UP_ROUNDS,
            1_000,
            () -> {
              write(insert, ++seq[0], System.nanoTime());
              if (notify != null) {
                notify.executeQuery().close();
              }
              writer.commit();
            });
      }
    }
  }

  /** The receiving side of {@link #across}: args {@code sqlite FILE} or {@code postgres SCHEMA}. */
  static final class Child {
    private Child() {}

    public static void main(String[] args) throws Exception {
      Bench.exitWhenStdinCloses();
      if (args[0].equals("sqlite")) {
        sqlite(Path.of(args[1]));
      } else {
        postgres(args[1]);
      }
    }

    private static void sqlite(Path file) throws Exception {
      try (Connection c = Bench.bareConnection(file);
          PreparedStatement dataVersion = c.prepareStatement("PRAGMA data_version");
          PreparedStatement select = select(c, "gander_events");
          WatchService ws = FileSystems.getDefault().newWatchService()) {
        file.getParent().register(ws, StandardWatchEventKinds.ENTRY_MODIFY);
        long after = last(c, "gander_events");
        long version = version(dataVersion);
        System.out.println("ready");
        System.out.flush();
        while (true) {
          WatchKey key = ws.take();
          key.pollEvents();
          key.reset();
          drain(ws);
          // As the commit watcher does: look again at each further event of the commit's writes,
          // or after a short pause, doubling while none comes, until the commit is published.
          long pause = TimeUnit.MICROSECONDS.toNanos(20);
          long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
          while (version(dataVersion) == version && System.nanoTime() - deadline < 0) {
            WatchKey more = ws.poll(pause, TimeUnit.NANOSECONDS);
            if (more != null) {
              more.pollEvents();
              more.reset();
              drain(ws);
              pause = TimeUnit.MICROSECONDS.toNanos(20);
            } else {
              pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(1));
            }
          }
          version = version(dataVersion);
          after = readAfter(select, after, LiveFloor::print);
        }
      }
    }

    private static void drain(WatchService ws) {
      for (WatchKey k = ws.poll(); k != null; k = ws.poll()) {
        k.pollEvents();
        k.reset();
      }
    }

    private static void postgres(String schema) throws Exception {
      String table = '"' + schema + "\".gander_events";
      try (Connection c = PgServer.connect(PgServer.url());
          PreparedStatement select = select(c, table)) {
        try (Statement listen = c.createStatement()) {
          listen.execute("LISTEN floor");
        }
        long after = last(c, table);
        PGConnection pg = c.unwrap(PGConnection.class);
        System.out.println("ready");
        System.out.flush();
        while (true) {
          if (pg.getNotifications(0).length > 0) {
            after = readAfter(select, after, LiveFloor::print);
          }
        }
      }
    }
  }

  private static void print(long latency) {
    System.out.println(latency);
    System.out.flush();
  }

  interface Sink {
    void accept(long latency);
  }

  /** Reads every row after {@code after}, passing each one's latency on; the last offset read. */
  private static long readAfter(PreparedStatement select, long after, Sink sink)
      throws SQLException {
    select.setLong(1, after);
    try (ResultSet rs = select.executeQuery()) {
      while (rs.next()) {
        after = rs.getLong(1);
        String payload = rs.getString(2);
        long stamp =
            Long.parseLong(
                payload.substring(payload.indexOf(':') + 1, payload.length() - 1).trim());
        sink.accept(System.nanoTime() - stamp);
      }
    }
    return after;
  }

  private static long version(PreparedStatement dataVersion) throws SQLException {
    try (ResultSet rs = dataVersion.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The last offset of the floor's stream (0 when empty). */
  private static long last(Connection c, String table) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT COALESCE(MAX(seq), 0) FROM "
                    + table
                    + " WHERE stream = '"
                    + STREAM
                    + "'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static PreparedStatement insert(Connection c, String table) throws SQLException {
    return c.prepareStatement(
        "INSERT INTO "
            + table
            + " (stream, seq, kind, payload, headers, occurred_at)"
            + " VALUES ('"
            + STREAM
            + "', ?, 'tick', ?, '{}', 0)");
  }

  private static void write(PreparedStatement insert, long seq, long stamp) throws SQLException {
    insert.setLong(1, seq);
    insert.setString(2, "{\"n\":" + stamp + "}");
    insert.executeUpdate();
  }

  private static PreparedStatement select(Connection c, String table) throws SQLException {
    return c.prepareStatement(
        "SELECT seq, payload FROM "
            + table
            + " WHERE stream = '"
            + STREAM
            + "' AND seq > ? ORDER BY seq LIMIT 512");
  }
}
