package dev.gander.internal.postgres;

import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.WakeKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wake-up across processes on PostgreSQL with {@code LISTEN/NOTIFY}.
 *
 * <p>Sending: {@link #send(Tx, WakeKey)} runs {@code pg_notify} inside the writing transaction, so
 * the server delivers it when that transaction commits and never if it rolls back. Keys travel as
 * short strings ({@code w:<queue>}, {@code d:<queue>}, {@code e}) on the schema's channel; pub/sub
 * messages ride on the same channel in {@link PgMessages}' form. Sending starts no thread:
 * producers can notify without listening.
 *
 * <p>Listening: {@link #listen} starts one daemon thread ({@code gander-listen-<name>}) holding one
 * connection of its own (not from the pool) that {@code LISTEN}s on the channel and hands every
 * decoded key to the callback. When that connection breaks (server restart, {@code
 * pg_terminate_backend}, network), the thread reconnects with a backoff from 50 ms doubling to 5 s,
 * and once listening again calls the re-check callback: notifications sent while nobody listened
 * are gone, so every waiter must look again (as at the first {@code LISTEN}: a waiter may have
 * looked just before it). Idle, the thread wakes every 250 ms to see whether it was closed, and
 * every 15 s runs {@code SELECT 1} so a connection that died silently is noticed.
 *
 * <p>Callbacks run on the listening thread, one at a time; they must be quick (signal waiters,
 * nothing more). One that throws is logged and listening goes on. Thread-safe; {@link #close()}
 * stops the thread and closes its connection.
 */
public final class PgNotifier implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PgNotifier.class);

  /** Where the listening connection comes from: a new physical connection each call. */
  @FunctionalInterface
  public interface ConnectionSource {
    /**
     * Opens a connection.
     *
     * @return a new connection, to be closed by the caller
     * @throws SQLException if the server cannot be reached
     */
    Connection open() throws SQLException;
  }

  private static final long POLL_MS = 250;
  private static final long PROBE_NANOS = Duration.ofSeconds(15).toNanos();
  private static final long FIRST_BACKOFF_MS = 50;
  private static final long MAX_BACKOFF_MS = 5_000;

  private final PgSchema schema;
  private final ConnectionSource source;
  private final String name;
  private final Object lock = new Object();
  private @Nullable Thread thread;
  private boolean listening;
  private volatile boolean closed;

  /**
   * Creates a notifier; nothing is opened or started until {@link #listen}.
   *
   * @param schema the schema, whose channel this notifier uses
   * @param source where the listening connection comes from
   * @param name the instance's name, for the thread and the server's {@code application_name}
   */
  public PgNotifier(PgSchema schema, ConnectionSource source, String name) {
    this.schema = Objects.requireNonNull(schema, "schema");
    this.source = Objects.requireNonNull(source, "source");
    this.name = Objects.requireNonNull(name, "name");
  }

  // ------------------------------------------------------------------ sending

  /**
   * Sends a key with the transaction: delivered to every listener of this schema (this process's
   * too) when it commits, never if it rolls back. PostgreSQL folds identical notifications of one
   * transaction into one.
   *
   * @param tx the writing transaction
   * @param key what may have changed
   * @throws SQLException if the statement fails
   */
  public void send(Tx tx, WakeKey key) throws SQLException {
    send(tx, encode(key));
  }

  /**
   * Sends a payload as it is with the transaction.
   *
   * @param tx the writing transaction
   * @param payload the payload, under 8,000 bytes
   * @throws SQLException if the statement fails
   */
  public void send(Tx tx, String payload) throws SQLException {
    try (PreparedStatement ps = tx.connection().prepareStatement("SELECT pg_notify(?, ?)")) {
      ps.setString(1, schema.channel());
      ps.setString(2, payload);
      ps.executeQuery().close();
    }
  }

  /**
   * Sends several keys with the transaction in one statement.
   *
   * @param tx the writing transaction
   * @param keys what may have changed
   * @throws SQLException if the statement fails
   */
  public void send(Tx tx, Collection<? extends WakeKey> keys) throws SQLException {
    if (keys.isEmpty()) {
      return;
    }
    if (keys.size() == 1) {
      send(tx, keys.iterator().next());
      return;
    }
    Connection c = tx.connection();
    String[] encoded = keys.stream().map(PgNotifier::encode).distinct().toArray(String[]::new);
    try (PreparedStatement ps =
        c.prepareStatement("SELECT pg_notify(?, k) FROM unnest(?::text[]) AS k")) {
      ps.setString(1, schema.channel());
      ps.setArray(2, c.createArrayOf("text", encoded));
      ps.executeQuery().close();
    }
  }

  /**
   * Sends payloads with the transaction, in order, and commits it, in one round trip: the
   * notifications and a {@code COMMIT} as one multi-statement execution.
   *
   * @param tx the writing transaction
   * @param payloads encoded keys and messages, at least one
   * @throws SQLException if the statement or the commit fails
   */
  void sendAndCommit(Tx tx, List<String> payloads) throws SQLException {
    Connection c = tx.connection();
    String[] encoded = payloads.toArray(String[]::new);
    try (PreparedStatement ps =
        c.prepareStatement("SELECT pg_notify(?, k) FROM unnest(?::text[]) AS k; COMMIT")) {
      ps.setString(1, schema.channel());
      ps.setArray(2, c.createArrayOf("text", encoded));
      ps.execute();
    }
  }

  /**
   * A key as it travels in a notification's payload.
   *
   * @param key the key
   * @return its short form
   */
  static String encode(WakeKey key) {
    if (key instanceof WakeKey.QueueWork) {
      return "w:" + ((WakeKey.QueueWork) key).queue();
    }
    if (key instanceof WakeKey.QueueDrain) {
      return "d:" + ((WakeKey.QueueDrain) key).queue();
    }
    if (key instanceof WakeKey.StreamAppended) {
      return "s:" + ((WakeKey.StreamAppended) key).stream();
    }
    if (key instanceof WakeKey.LockReleased) {
      return "l:" + ((WakeKey.LockReleased) key).name();
    }
    return "e";
  }

  /**
   * The key a payload names.
   *
   * @param payload a notification's payload
   * @return the key, or empty for one this version does not know (a newer Gander's)
   */
  static Optional<WakeKey> decode(String payload) {
    if (payload.equals("e")) {
      return Optional.of(WakeKey.JobEnded.INSTANCE);
    }
    if (payload.length() > 2 && payload.charAt(1) == ':') {
      String name = payload.substring(2);
      switch (payload.charAt(0)) {
        case 'w':
          return Optional.of(new WakeKey.QueueWork(name));
        case 'd':
          return Optional.of(new WakeKey.QueueDrain(name));
        case 's':
          return Optional.of(new WakeKey.StreamAppended(name));
        case 'l':
          return Optional.of(new WakeKey.LockReleased(name));
        default:
          break;
      }
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------- listening

  /**
   * Starts listening. Once only.
   *
   * @param onWake called with each key received
   * @param onRecheck called once listening has begun, again after it resumed on a new connection,
   *     and for a key this version cannot read: waiters must re-check everything
   * @throws IllegalStateException if already listening, or closed
   */
  public void listen(Consumer<WakeKey> onWake, Runnable onRecheck) {
    listen(onWake, message -> {}, onRecheck);
  }

  /**
   * Starts listening, handing pub/sub messages (payloads that {@link PgMessages#isMessage} accepts)
   * to {@code onMessage} as they are. Once only.
   *
   * @param onWake called with each key received
   * @param onMessage called with each message's payload
   * @param onRecheck as for {@link #listen(Consumer, Runnable)}
   * @throws IllegalStateException if already listening, or closed
   */
  public void listen(Consumer<WakeKey> onWake, Consumer<String> onMessage, Runnable onRecheck) {
    Objects.requireNonNull(onWake, "onWake");
    Objects.requireNonNull(onMessage, "onMessage");
    Objects.requireNonNull(onRecheck, "onRecheck");
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("The notifier of " + name + " is closed");
      }
      if (thread != null) {
        throw new IllegalStateException("The notifier of " + name + " already listens");
      }
      Thread t = new Thread(() -> run(onWake, onMessage, onRecheck), "gander-listen-" + name);
      t.setDaemon(true);
      thread = t;
      t.start();
    }
  }

  /**
   * Whether {@link #close()} was called.
   *
   * @return {@code true} once closed
   */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Waits until the listening connection has run {@code LISTEN}: from then on, nothing committed is
   * missed. Useful after {@link #listen} and after a reconnect.
   *
   * @param timeout how long to wait at most
   * @return whether it listens
   * @throws InterruptedException if interrupted while waiting
   */
  public boolean awaitListening(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!listening && !closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        lock.wait(Math.max(1, left / 1_000_000));
      }
      return listening;
    }
  }

  private void setListening(boolean value) {
    synchronized (lock) {
      listening = value;
      lock.notifyAll();
    }
  }

  private void run(Consumer<WakeKey> onWake, Consumer<String> onMessage, Runnable onRecheck) {
    long backoff = FIRST_BACKOFF_MS;
    boolean missedSome = false;
    while (!closed) {
      Connection c = null;
      Exception failure = null;
      try {
        c = source.open();
        if (!c.getAutoCommit()) {
          c.setAutoCommit(true); // LISTEN takes effect at commit
        }
        try (Statement st = c.createStatement()) {
          st.execute("SET application_name = '" + applicationName() + "'");
          st.execute("LISTEN \"" + schema.channel() + "\"");
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        if (missedSome) {
          log.info("Listening for wake-ups of {} again; waiters re-check", name);
        }
        // From here on nothing committed is missed; what committed before (while disconnected, or
        // before the first LISTEN, after a waiter had looked) was not heard: everyone looks again.
        call(onRecheck);
        setListening(true);
        backoff = FIRST_BACKOFF_MS;
        missedSome = false;
        receive(c, pg, onWake, onMessage, onRecheck);
      } catch (SQLException | RuntimeException e) {
        failure = e;
      } finally {
        setListening(false);
        if (c != null) {
          closeListening(c);
        }
      }
      if (closed || failure == null) {
        break;
      }
      missedSome = true;
      log.warn(
          "The listening connection of {} failed ({}); reconnecting in {} ms",
          name,
          failure.toString(),
          backoff);
      if (!sleepUnlessClosed(backoff)) {
        log.warn("The listening thread of {} was interrupted: it stops listening", name);
        break;
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  private void receive(
      Connection c,
      PGConnection pg,
      Consumer<WakeKey> onWake,
      Consumer<String> onMessage,
      Runnable onRecheck)
      throws SQLException {
    long lastProbe = System.nanoTime();
    while (!closed) {
      PGNotification[] received = pg.getNotifications((int) POLL_MS);
      if (received != null && received.length > 0) {
        for (PGNotification n : received) {
          if (PgMessages.isMessage(n.getParameter())) {
            call(() -> onMessage.accept(n.getParameter()));
            continue;
          }
          Optional<WakeKey> key = decode(n.getParameter());
          if (key.isPresent()) {
            call(() -> onWake.accept(key.get()));
          } else {
            log.debug("Unknown wake-up '{}' on {}: re-checking all", n.getParameter(), name);
            call(onRecheck);
          }
        }
        lastProbe = System.nanoTime();
      } else if (System.nanoTime() - lastProbe > PROBE_NANOS) {
        try (Statement st = c.createStatement()) {
          st.execute("SELECT 1");
        }
        lastProbe = System.nanoTime();
      }
    }
  }

  private void call(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      log.error("A wake-up callback of {} failed; listening goes on", name, e);
    }
  }

  /** The connection's name on the server, as {@code pg_stat_activity} shows it. */
  String applicationName() {
    return ("gander-listen-" + schema.name()).replace("'", "");
  }

  /**
   * Stops listening on a connection that may go back to the application's pool: a pooled connection
   * left listening would queue notifications forever.
   */
  private static void closeListening(Connection c) {
    try {
      if (!c.isClosed()) {
        try (Statement st = c.createStatement()) {
          st.execute("UNLISTEN *");
          st.execute("RESET application_name");
        }
      }
    } catch (SQLException e) {
      log.debug("UNLISTEN on a closing connection failed", e);
    }
    try {
      c.close();
    } catch (SQLException e) {
      log.debug("Closing the listening connection failed", e);
    }
  }

  /**
   * Sleeps, woken early by {@link #close()}.
   *
   * @return {@code false} if the thread was interrupted: the owner of this private thread wants it
   *     gone
   */
  private boolean sleepUnlessClosed(long millis) {
    long deadline = System.nanoTime() + millis * 1_000_000;
    synchronized (lock) {
      while (!closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return true;
        }
        try {
          lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  /**
   * Stops the listening thread (within about {@value #POLL_MS} ms) and closes its connection.
   * Idempotent. An interrupt does not cut the wait short and is kept.
   */
  @Override
  public void close() {
    Thread t;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      lock.notifyAll();
      t = thread;
    }
    if (t == null || t == Thread.currentThread()) {
      return;
    }
    boolean interrupted = false;
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (t.isAlive()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        log.warn("The listening thread of {} did not stop within 5 s", name);
        break;
      }
      try {
        t.join(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
