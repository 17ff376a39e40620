package dev.gander.pubsub;

import java.time.Duration;
import java.util.Optional;

/**
 * Receives the notifications sent to one channel after it started listening, in send order per
 * sender; get one with {@link dev.gander.Gander#listen(String)}. Not thread-safe: one thread reads
 * a listener (the callback form reads it on a thread of its own).
 *
 * <p>Not durable: a notification that waited longer than the retention ({@code
 * Gander.builder().notificationRetention}, 60 s by default) is never handed out, and on PostgreSQL
 * the ones sent while the listening connection was reconnecting are lost to it.
 */
public interface Listener extends AutoCloseable {
  /**
   * The channel it listens to.
   *
   * @return the channel's name
   */
  String channel();

  /**
   * The next notification, waiting up to {@code timeout} for one.
   *
   * @param timeout the longest wait; zero does not wait
   * @return the notification, or empty if none came in time or the listener was closed
   * @throws dev.gander.GanderClosedException if the listener or the database is closed
   */
  Optional<Notification> poll(Duration timeout);

  /**
   * The next notification, waiting as long as it takes.
   *
   * @return the notification
   * @throws dev.gander.GanderClosedException if the listener or the database is closed meanwhile
   */
  Notification take();

  /** Stops listening; a thread waiting in {@link #poll} returns empty. Idempotent. */
  @Override
  void close();
}
