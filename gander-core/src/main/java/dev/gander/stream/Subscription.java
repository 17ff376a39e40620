package dev.gander.stream;

import java.time.Duration;
import java.util.Optional;

/**
 * A consumer reading a stream: the events after where it started, history first and then live as
 * commits land (in this process at once, from other processes through the backend's notifier), with
 * no gap and no duplicate. Reads from storage, so it never loses an event however slowly it reads.
 * Not thread-safe: one thread reads a subscription.
 */
public interface Subscription extends AutoCloseable {
  /**
   * The consumer this subscription reads as.
   *
   * @return the consumer's name
   */
  String consumer();

  /**
   * The offset of the last event this subscription returned (where it started, before the first).
   *
   * @return the offset
   */
  long position();

  /**
   * The next event, waiting up to {@code timeout} for one to be published.
   *
   * @param timeout the longest wait; zero does not wait
   * @return the event, or empty if none came in time
   * @throws ConsumerLaggedException if the next events were compacted away before this read them;
   *     the subscription then goes on after them
   * @throws dev.gander.GanderClosedException if the subscription or the database is closed
   */
  Optional<Event> next(Duration timeout);

  /**
   * The next event if one is there now, without waiting.
   *
   * @return the event, or empty
   */
  Optional<Event> poll();

  /**
   * The events as a lazy, sequential, endless {@link java.util.stream.Stream}: each element waits
   * for the next event. It ends when the subscription is closed (from another thread).
   *
   * @return the stream view
   */
  java.util.stream.Stream<Event> stream();

  /**
   * Commits the consumer's offset: after a restart, a subscription resumes after it.
   *
   * @param offset the last offset processed
   * @return the committed offset afterwards (it only moves forward)
   */
  long commit(long offset);

  /** Stops the subscription; a thread waiting in {@link #next} returns empty. Idempotent. */
  @Override
  void close();
}
