package dev.gander.internal.pubsub;

import dev.gander.internal.Names;
import dev.gander.internal.queue.JsonCodec;
import dev.gander.internal.spi.Backend;
import dev.gander.internal.spi.ChangeNotifier;
import dev.gander.internal.spi.StreamOps;
import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.TxRunner;
import dev.gander.internal.spi.TxWork;
import dev.gander.internal.spi.WakeKey;
import dev.gander.internal.wake.WakeHub;
import dev.gander.pubsub.Listener;
import dev.gander.pubsub.Notification;
import dev.gander.store.Transaction;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Ephemeral pub/sub on any backend. A channel is a short-lived stream of its own, under a name no
 * application stream can have ({@link #PREFIX} and the channel): sending appends to it in the
 * sender's transaction, so a notification exists only if that commits, and it reaches listeners in
 * this process at once and in others through the backend's notifier, like any append. Offsets give
 * each channel one order, the order of commit. Listeners start after the channel's last offset, so
 * they see only what is sent after they started. Notifications older than the retention are deleted
 * now and then by a sender.
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
  final BiFunction<String, Class<?>, Object> decoder;
  private final long retentionMs;
  private final Object pruneLock = new Object();
  private long nextPruneAt;

  /**
   * Creates the runtime; starts nothing.
   *
   * @param backend the open database
   * @param codec JSON
   * @param clock time of sending
   * @param hub in-process waiters
   * @param notifier carries sends to listeners here and in other processes
   * @param retention how long a notification is kept for listeners that read slowly
   */
  public PubSubRuntime(
      Backend backend,
      JsonCodec codec,
      Clock clock,
      WakeHub hub,
      ChangeNotifier notifier,
      Duration retention) {
    this.tx = backend.transactions();
    this.ops = backend.streams();
    this.codec = codec;
    this.clock = clock;
    this.hub = hub;
    this.notifier = notifier;
    this.retentionMs = Math.max(1, retention.toMillis());
    this.decoder = (json, type) -> codec.decode(json, type, "notification payload");
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
    TxWork<Void> work =
        t -> {
          long now = clock.millis();
          ops.append(t, stream, List.of(new StreamOps.NewEvent("n", json, "{}", now)));
          notifier.changed(t, new WakeKey.StreamAppended(stream));
          pruneIfDue(t, now);
          return null;
        };
    if (caller == null) {
      tx.runWrite(work);
    } else {
      tx.runWrite(caller, work);
    }
  }

  /** Deletes old notifications of every channel, at most every quarter of the retention. */
  private void pruneIfDue(Tx t, long now) throws SQLException {
    synchronized (pruneLock) {
      if (now < nextPruneAt) {
        return;
      }
      nextPruneAt = now + Math.max(1, retentionMs / 4);
    }
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
    String stream = PREFIX + channel;
    long after = tx.runRead(t -> ops.head(t, stream)).latest();
    ListenerImpl listener = new ListenerImpl(this, channel, stream, after);
    notifier.start();
    if (callback != null) {
      listener.deliverTo(callback);
    }
    return listener;
  }

  Notification notification(String channel, StreamOps.StoredEvent e) {
    return new Notification(channel, e.payload(), Instant.ofEpochMilli(e.occurredAt()), decoder);
  }

  void checkOpen() {
    if (tx.isClosed()) {
      throw tx.closedException();
    }
  }
}
