package dev.gander.eventlog;

import java.time.Duration;
import java.util.Optional;

/**
 * A reader of one topic from {@link EventLog#subscribe(Topic, long)}: the events after where it
 * started, history first and then live as they are appended, in order, with no gap and no duplicate
 * where the two meet.
 *
 * <p>A slow subscriber loses nothing on any backend. The database backends read from storage in
 * batches. The memory and file backends hand each subscriber appended events through a buffer of
 * {@link EventLogConfig#queueDepth()} events; when a subscriber does not keep up the buffer drops
 * the newest, and the subscriber reads what it missed from the events the log retains. Only events
 * compacted away before it read them are skipped, and then it is told with a {@link
 * SubscriberLaggedException}.
 *
 * <p>Not thread-safe: one thread reads a subscription. {@link #close()} may be called from any
 * thread.
 */
public interface LogSubscription extends AutoCloseable {
  /**
   * The topic this subscription reads.
   *
   * @return the topic
   */
  Topic topic();

  /**
   * The offset of the last event this subscription returned (where it started, before the first).
   *
   * @return the offset
   */
  long position();

  /**
   * The next event, waiting up to {@code timeout} for one to be appended.
   *
   * @param timeout the longest wait; zero does not wait
   * @return the event, or empty if none came in time, or if this subscription was closed from
   *     another thread while waiting
   * @throws SubscriberLaggedException if the next events were compacted away before this read them;
   *     the subscription then goes on after them
   * @throws dev.gander.GanderClosedException if this subscription or its event log is closed
   */
  Optional<LogEntry> next(Duration timeout);

  /**
   * The next event if one is there now, without waiting.
   *
   * @return the event, or empty
   * @throws SubscriberLaggedException as {@link #next(Duration)}
   * @throws dev.gander.GanderClosedException if this subscription or its event log is closed
   */
  Optional<LogEntry> poll();

  /** Stops the subscription; a thread waiting in {@link #next} returns empty. Idempotent. */
  @Override
  void close();
}
