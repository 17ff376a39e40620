package dev.gander.internal.eventlog;

import dev.gander.GanderClosedException;
import dev.gander.eventlog.LogEntry;
import dev.gander.eventlog.LogSubscription;
import dev.gander.eventlog.SubscriberLaggedException;
import dev.gander.eventlog.Topic;
import dev.gander.stream.ConsumerLaggedException;
import dev.gander.stream.Event;
import dev.gander.stream.Subscription;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * A subscription of the database backends: a stream's subscription, which reads from storage and so
 * never loses an event, with its events and its lag told in the event log's terms.
 */
final class StreamLogSubscription implements LogSubscription {
  private final Topic topic;
  private final Subscription sub;
  private final Set<StreamLogSubscription> registry;
  private volatile boolean logClosed;

  StreamLogSubscription(Topic topic, Subscription sub, Set<StreamLogSubscription> registry) {
    this.topic = topic;
    this.sub = sub;
    this.registry = registry;
  }

  /** The event log closed: a waiting reader is woken, and throws. */
  void logClosed() {
    logClosed = true;
    sub.close();
  }

  @Override
  public Topic topic() {
    return topic;
  }

  @Override
  public long position() {
    return sub.position();
  }

  @Override
  public Optional<LogEntry> next(Duration timeout) {
    checkLog();
    Optional<Event> e;
    try {
      e = sub.next(timeout);
    } catch (ConsumerLaggedException lagged) {
      throw new SubscriberLaggedException(topic, lagged.firstMissed(), lagged.lastMissed());
    } catch (GanderClosedException closed) {
      checkLog();
      throw closed;
    }
    if (e.isEmpty()) {
      checkLog(); // woken by the log's close, not by this subscription's
      return Optional.empty();
    }
    return Optional.of(StreamEventLog.entry(e.get()));
  }

  @Override
  public Optional<LogEntry> poll() {
    return next(Duration.ZERO);
  }

  private void checkLog() {
    if (logClosed) {
      throw new GanderClosedException(
          "The event log of the subscription to topic '" + topic.name() + "' is closed");
    }
  }

  @Override
  public void close() {
    sub.close();
    registry.remove(this);
  }

  @Override
  public String toString() {
    return "LogSubscription[" + topic.name() + ", at " + sub.position() + "]";
  }
}
