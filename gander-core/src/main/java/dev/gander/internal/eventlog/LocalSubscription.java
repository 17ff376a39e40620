package dev.gander.internal.eventlog;

import dev.gander.GanderClosedException;
import dev.gander.GanderException;
import dev.gander.eventlog.LogEntry;
import dev.gander.eventlog.LogSubscription;
import dev.gander.eventlog.SubscriberLaggedException;
import dev.gander.eventlog.Topic;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A subscriber of a memory or file topic. Appends are offered to a live buffer of {@code
 * queueDepth} events; when it is full the newest are dropped, and the reader, finding the next
 * offset missing from the buffer, reads it from the events the topic retains. History is read the
 * same way. So the subscriber loses nothing unless compaction removed it first, and never sees an
 * offset twice: it takes only the offset after the last it returned.
 *
 * <p>Locks: the topic's monitor is never taken while {@link #lock} is held; appenders take {@link
 * #lock} inside the topic's monitor, to offer.
 */
final class LocalSubscription implements LogSubscription {
  /** Events read from the topic's retained events at a time. */
  static final int READ_BATCH = 512;

  private static final Duration FOREVER = Duration.ofDays(36_500);

  private final LocalEventLog log;
  private final LocalTopic topic;
  private final int depth;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();

  /** Appended events not yet taken, at most {@link #depth}; guarded by {@link #lock}. */
  private final ArrayDeque<LogEntry> live = new ArrayDeque<>();

  /** Guarded by {@link #lock}. */
  private boolean closed;

  /** Guarded by {@link #lock}. */
  private boolean logClosed;

  /** Events read from the retained ones, not yet returned; the reader's thread only. */
  private final ArrayDeque<LogEntry> pending = new ArrayDeque<>();

  /** The offset of the last event returned; the reader's thread only. */
  private long position;

  LocalSubscription(LocalEventLog log, LocalTopic topic, long after, int depth) {
    this.log = log;
    this.topic = topic;
    this.position = after;
    this.depth = depth;
  }

  /** Offers appended events, in offset order; called inside the topic's monitor. */
  void offer(List<LogEntry> entries) {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      for (LogEntry e : entries) {
        if (live.size() >= depth) {
          break; // the reader finds the gap and reads these from the topic
        }
        live.addLast(e);
      }
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The log closed: a waiting reader throws. */
  void logClosed() {
    lock.lock();
    try {
      logClosed = true;
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Topic topic() {
    return topic.topic;
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public Optional<LogEntry> poll() {
    return next(Duration.ZERO);
  }

  @Override
  public Optional<LogEntry> next(Duration timeout) {
    long deadline = deadline(timeout);
    checkOpen();
    while (true) {
      if (!pending.isEmpty()) {
        return Optional.of(take(pending.removeFirst()));
      }
      LogEntry e = fromLive();
      if (e != null) {
        return Optional.of(take(e));
      }
      readRetained();
      if (!pending.isEmpty()) {
        continue;
      }
      lock.lock();
      try {
        while (live.isEmpty()) {
          if (closed) {
            return Optional.empty();
          }
          if (logClosed) {
            throw new GanderClosedException(
                "The event log closed while waiting for events of topic '" + topic.topic + "'");
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return Optional.empty();
          }
          arrived.awaitNanos(left);
        }
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        throw new GanderException(
            "Interrupted while waiting for events of topic '" + topic.topic + "'", ex);
      } finally {
        lock.unlock();
      }
    }
  }

  /** The {@link System#nanoTime()} by which a wait of {@code timeout} ends. */
  private static long deadline(Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
    }
    // A century is forever here, and keeps the sum below from overflowing.
    long nanos = timeout.compareTo(FOREVER) > 0 ? FOREVER.toNanos() : timeout.toNanos();
    return System.nanoTime() + nanos;
  }

  private LogEntry take(LogEntry e) {
    position = e.offset();
    return e;
  }

  /** The next event from the live buffer, if it holds the one after {@link #position}. */
  private @Nullable LogEntry fromLive() {
    lock.lock();
    try {
      while (!live.isEmpty() && live.peekFirst().offset() <= position) {
        live.removeFirst(); // read from the retained events already
      }
      LogEntry head = live.peekFirst();
      if (head != null && head.offset() == position + 1 && head.offset() > topic.compactedMark) {
        return live.removeFirst();
      }
      return null;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Reads the next batch after {@link #position} from the retained events. If events after it were
   * compacted away, moves past them and throws, once, naming them.
   */
  private void readRetained() {
    List<LogEntry> rows;
    long compactedThrough;
    long latest;
    synchronized (topic) {
      log.checkOpen();
      rows = topic.read(position, READ_BATCH);
      compactedThrough = topic.compactedThrough();
      latest = topic.latest();
    }
    long after = position;
    if (compactedThrough > after && (rows.isEmpty() || rows.get(0).offset() != after + 1)) {
      long lastMissed =
          rows.isEmpty() ? Math.min(compactedThrough, latest) : rows.get(0).offset() - 1;
      if (lastMissed > after) {
        position = lastMissed;
        pending.addAll(rows);
        throw new SubscriberLaggedException(topic.topic, after + 1, lastMissed);
      }
    }
    pending.addAll(rows);
  }

  private void checkOpen() {
    lock.lock();
    try {
      if (closed) {
        throw new GanderClosedException(
            "The subscription to topic '" + topic.topic + "' is closed");
      }
      if (logClosed) {
        throw new GanderClosedException(
            "The event log of the subscription to topic '" + topic.topic + "' is closed");
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      live.clear();
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
    topic.subscribers.remove(this);
  }

  @Override
  public String toString() {
    return "LogSubscription[" + topic.topic + ", at " + position + "]";
  }
}
