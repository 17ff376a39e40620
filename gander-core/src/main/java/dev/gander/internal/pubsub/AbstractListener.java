package dev.gander.internal.pubsub;

import dev.gander.GanderClosedException;
import dev.gander.GanderException;
import dev.gander.internal.Times;
import dev.gander.internal.spi.WakeKey;
import dev.gander.internal.wake.WakeHub;
import dev.gander.pubsub.Listener;
import dev.gander.pubsub.Notification;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every listener does the same way: waiting for its wake-up key, the callback thread, closing.
 * Subclasses say where notifications come from ({@link #fetch}).
 */
abstract class AbstractListener implements Listener {
  private static final Logger log = LoggerFactory.getLogger(AbstractListener.class);

  final PubSubRuntime rt;
  final String channel;
  private final WakeKey key;
  private volatile boolean closed;
  private volatile @Nullable Thread deliverer;

  AbstractListener(PubSubRuntime rt, String channel) {
    this.rt = rt;
    this.channel = channel;
    this.key = new WakeKey.StreamAppended(PubSubRuntime.PREFIX + channel);
  }

  /**
   * The next notification if one is here now; never waits.
   *
   * @return the notification, or {@code null}
   */
  abstract @Nullable Notification fetch();

  /** Wakes this listener's waiting thread: a notification may have come. */
  final void wake() {
    rt.hub.signal(key);
  }

  @Override
  public final String channel() {
    return channel;
  }

  @Override
  public final Optional<Notification> poll(Duration timeout) {
    if (deliverer != null) {
      throw new IllegalStateException(
          "This listener hands its notifications to its callback; poll a listener made by"
              + " listen(channel) instead");
    }
    return next(timeout);
  }

  @Override
  public final Notification take() {
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
    long deadline = Times.deadline(Times.nanos(timeout));
    try (WakeHub.Interest wake = rt.hub.interest(key)) {
      while (true) {
        long seen = wake.seq();
        Notification n = fetch();
        if (n != null) {
          return Optional.of(n);
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

  /** Starts a thread that hands each notification to {@code callback} until closed. */
  final void deliverTo(Consumer<Notification> callback) {
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

  /** Called once by {@link #close()}, before waking the waiter. */
  void closed() {}

  @Override
  public final void close() {
    if (closed) {
      return;
    }
    closed = true;
    closed();
    wake();
    Thread t = deliverer;
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
