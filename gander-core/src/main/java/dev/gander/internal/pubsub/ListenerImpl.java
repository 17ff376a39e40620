package dev.gander.internal.pubsub;

import dev.gander.GanderClosedException;
import dev.gander.GanderException;
import dev.gander.internal.Times;
import dev.gander.internal.spi.StreamOps;
import dev.gander.internal.spi.WakeKey;
import dev.gander.internal.wake.WakeHub;
import dev.gander.pubsub.Listener;
import dev.gander.pubsub.Notification;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listener: reads its channel's notifications after the offset it started at, woken by the
 * commits that send them. Ones pruned before it read them are skipped: pub/sub is not durable.
 */
final class ListenerImpl implements Listener {
  private static final Logger log = LoggerFactory.getLogger(ListenerImpl.class);

  /** Notifications read at a time. */
  private static final int BATCH = 256;

  private final PubSubRuntime rt;
  private final String channel;
  private final String stream;
  private final WakeKey key;
  private final ArrayDeque<Notification> buffer = new ArrayDeque<>();
  private long after;
  private volatile boolean closed;
  private volatile @Nullable Thread deliverer;

  ListenerImpl(PubSubRuntime rt, String channel, String stream, long after) {
    this.rt = rt;
    this.channel = channel;
    this.stream = stream;
    this.key = new WakeKey.StreamAppended(stream);
    this.after = after;
  }

  @Override
  public String channel() {
    return channel;
  }

  @Override
  public Optional<Notification> poll(Duration timeout) {
    if (deliverer != null) {
      throw new IllegalStateException(
          "This listener hands its notifications to its callback; poll a listener made by"
              + " listen(channel) instead");
    }
    return next(timeout);
  }

  @Override
  public Notification take() {
    while (true) {
      Optional<Notification> n = poll(Duration.ofDays(1));
      if (n.isPresent()) {
        return n.get();
      }
      if (closed) {
        throw closedException();
      }
    }
  }

  private Optional<Notification> next(Duration timeout) {
    Times.notNegative(timeout, "timeout");
    checkOpen();
    if (!buffer.isEmpty()) {
      return Optional.of(buffer.removeFirst());
    }
    long deadline = Times.deadline(Times.nanos(timeout));
    try (WakeHub.Interest wake = rt.hub.interest(key)) {
      while (true) {
        long seen = wake.seq();
        read();
        if (!buffer.isEmpty()) {
          return Optional.of(buffer.removeFirst());
        }
        if (closed) {
          return Optional.empty();
        }
        if (rt.hub.isClosed()) {
          throw new GanderClosedException(
              "The database closed while listening to channel '" + channel + "'");
        }
        long left = Times.nanosLeft(deadline);
        if (left <= 0) {
          return Optional.empty();
        }
        try {
          wake.await(seen, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new GanderException("Interrupted while listening to channel '" + channel + "'", e);
        }
      }
    }
  }

  private void read() {
    long from = after;
    List<StreamOps.StoredEvent> rows = rt.tx.runRead(t -> rt.ops.read(t, stream, from, BATCH));
    for (StreamOps.StoredEvent row : rows) {
      buffer.addLast(rt.notification(channel, row));
      after = row.offset();
    }
  }

  /** Starts a thread that hands each notification to {@code callback} until closed. */
  void deliverTo(Consumer<Notification> callback) {
    Thread t =
        new Thread(
            () -> {
              while (!closed) {
                Optional<Notification> n;
                try {
                  n = next(Duration.ofSeconds(1));
                } catch (GanderClosedException e) {
                  return; // the listener or the database closed
                } catch (RuntimeException e) {
                  log.error("Listener of '{}' could not read; retrying", channel, e);
                  sleepQuietly();
                  continue;
                }
                if (n.isPresent()) {
                  try {
                    callback.accept(n.get());
                  } catch (RuntimeException e) {
                    log.error("A callback of channel '{}' threw; listening on", channel, e);
                  }
                }
              }
            },
            "gander-listener-" + channel);
    t.setDaemon(true);
    deliverer = t;
    t.start();
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw closedException();
    }
    rt.checkOpen();
  }

  private GanderClosedException closedException() {
    return new GanderClosedException("The listener of channel '" + channel + "' is closed");
  }

  @Override
  public void close() {
    closed = true;
    rt.hub.signal(key);
    Thread t = deliverer;
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "Listener[" + channel + ", after " + after + "]";
  }
}
