package dev.gander.internal.pubsub;

import dev.gander.internal.Names;
import dev.gander.internal.queue.JsonCodec;
import dev.gander.internal.spi.Backend;
import dev.gander.internal.spi.ChangeNotifier;
import dev.gander.internal.spi.MessageBus;
import dev.gander.internal.spi.MessageBus.Message;
import dev.gander.internal.spi.StreamOps;
import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.TxRunner;
import dev.gander.internal.spi.TxWork;
import dev.gander.internal.spi.WakeKey;
import dev.gander.internal.stream.StreamWakeChecker;
import dev.gander.internal.wake.WakeHub;
import dev.gander.pubsub.Listener;
import dev.gander.pubsub.Notification;
import dev.gander.store.Transaction;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Ephemeral pub/sub on any backend, in one of two ways.
 *
 * <p>Where the backend carries messages itself ({@link MessageBus}, PostgreSQL's {@code NOTIFY}), a
 * notification is a message sent with the sender's transaction: other processes receive it when it
 * commits, never on rollback; this process's listeners get it right after the commit, from here.
 * Each listener queues what it receives in memory ({@link BusListener}). A payload too large for
 * the carrier is stored in the channel's stream (below) and its offset sent instead.
 *
 * <p>Elsewhere (SQLite), a channel is a short-lived stream of its own, under a name no application
 * stream can have ({@link #PREFIX} and the channel): sending appends to it in the sender's
 * transaction, so a notification exists only if that commits, and it reaches listeners in this
 * process at once and in others through the backend's notifier, like any append. Offsets give each
 * channel one order, the order of commit. Listeners start after the channel's last offset, so they
 * see only what is sent after they started ({@link TableListener}).
 *
 * <p>Either way, stored notifications older than the retention are deleted by the sending process
 * ({@link Pruner}) about a retention after they were sent, and never handed to a listener.
 */
public final class PubSubRuntime {
  /** Marks a channel's stream: stream names start with a letter or digit, so none collides. */
  static final String PREFIX = "!";

  /** The largest payload, in bytes of UTF-8 JSON. */
  static final int MAX_PAYLOAD_BYTES = 1 << 20;

  final TxRunner tx;
  final StreamOps ops;
  final JsonCodec codec;
  final Clock clock;
  final WakeHub hub;
  final ChangeNotifier notifier;
  final StreamWakeChecker checker;
  final BiFunction<String, Class<?>, Object> decoder;
  private final long retentionMs;
  private final @Nullable MessageBus bus;
  private final ConcurrentHashMap<String, CopyOnWriteArrayList<BusListener>> listeners =
      new ConcurrentHashMap<>();
  private final Pruner pruner;

  /**
   * Creates the runtime; starts nothing.
   *
   * @param backend the open database
   * @param codec JSON
   * @param clock time of sending
   * @param hub in-process waiters
   * @param notifier carries sends to listeners here and in other processes
   * @param checker told of this process's sends to a channel's stream
   * @param retention how long a notification is kept for listeners that read slowly
   */
  public PubSubRuntime(
      Backend backend,
      JsonCodec codec,
      Clock clock,
      WakeHub hub,
      ChangeNotifier notifier,
      StreamWakeChecker checker,
      Duration retention) {
    this.tx = backend.transactions();
    this.ops = backend.streams();
    this.codec = codec;
    this.clock = clock;
    this.hub = hub;
    this.notifier = notifier;
    this.checker = checker;
    this.retentionMs = Math.max(1, retention.toMillis());
    this.pruner = new Pruner(this::prune, backend.name(), retentionMs);
    this.decoder = (json, type) -> codec.decode(json, type, "notification payload");
    this.bus = notifier.messages();
  }

  /**
   * Sends a notification, in the caller's transaction if given.
   *
   * @param caller the application's transaction, or null for one of its own
   * @param channel the channel
   * @param payload the payload
   */
  public void send(@Nullable Transaction caller, String channel, @Nullable Object payload) {
    checkOpen();
    Names.check("channel", channel);
    String json =
        codec.encode(
            payload, MAX_PAYLOAD_BYTES, "notification payload", "send a reference to the data");
    String stream = PREFIX + channel;
    MessageBus carrier = bus;
    TxWork<Void> work =
        t -> {
          long now = clock.millis();
          if (carrier == null) {
            long offset =
                ops.append(t, stream, List.of(new StreamOps.NewEvent("n", json, "{}", now)));
            WakeKey.StreamAppended key = new WakeKey.StreamAppended(stream);
            t.afterCommit(() -> checker.appended(key, offset));
            t.afterCommit(pruner::sent);
            notifier.changed(t, key);
            return null;
          }
          if (carrier.fits(channel, json)) {
            carrier.send(t, new Message(channel, now, json, 0));
          } else {
            long offset =
                ops.append(t, stream, List.of(new StreamOps.NewEvent("n", json, "{}", now)));
            carrier.send(t, new Message(channel, now, null, offset));
            t.afterCommit(pruner::sent);
          }
          Message local = new Message(channel, now, json, 0);
          t.afterCommit(() -> deliver(local));
          return null;
        };
    if (caller == null) {
      tx.runWrite(work);
    } else {
      tx.runWrite(caller, work);
    }
  }

  /** Deletes the notifications older than the retention, of every channel, in a write. */
  private void prune() {
    tx.runWrite(
        t -> {
          prune(t, clock.millis());
          return null;
        });
  }

  private void prune(Tx t, long now) throws SQLException {
    for (String stream : ops.streams(t)) {
      if (stream.startsWith(PREFIX)) {
        long through = ops.lastBefore(t, stream, now - retentionMs);
        if (through > 0) {
          ops.compact(t, stream, through);
        }
      }
    }
  }

  /**
   * Starts listening to a channel.
   *
   * @param channel the channel
   * @param callback called with each notification on a thread of the listener's, or null to read
   *     with {@link Listener#poll}
   * @return the listener
   */
  public Listener listen(String channel, @Nullable Consumer<Notification> callback) {
    checkOpen();
    Names.check("channel", channel);
    AbstractListener listener;
    if (bus == null) {
      String stream = PREFIX + channel;
      long after = tx.runRead(t -> ops.head(t, stream)).latest();
      listener = new TableListener(this, channel, after);
      notifier.start();
    } else {
      BusListener l = new BusListener(this, channel, TimeUnit.MILLISECONDS.toNanos(retentionMs));
      listeners.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(l);
      try {
        // Returns once the backend listens (at once when it already does): what commits from
        // here on reaches this listener.
        bus.subscribe(this::deliver);
      } catch (RuntimeException e) {
        unregister(l);
        throw e;
      }
      listener = l;
    }
    if (callback != null) {
      listener.deliverTo(callback);
    }
    return listener;
  }

  /** Hands a message to this process's listeners of its channel. */
  private void deliver(Message m) {
    List<BusListener> those = listeners.get(m.channel());
    if (those != null) {
      for (BusListener l : those) {
        l.offer(m);
      }
    }
  }

  void unregister(BusListener l) {
    listeners.computeIfPresent(
        l.channel(), (c, those) -> those.remove(l) && those.isEmpty() ? null : those);
  }

  /** How long a notification is kept for listeners, in milliseconds. */
  long retentionMs() {
    return retentionMs;
  }

  Notification notification(String channel, StreamOps.StoredEvent e) {
    return new Notification(channel, e.payload(), Instant.ofEpochMilli(e.occurredAt()), decoder);
  }

  void checkOpen() {
    if (tx.isClosed()) {
      throw tx.closedException();
    }
  }

  /** Stops the pruner; the database closes next. */
  public void close() {
    pruner.close();
  }
}
