package dev.gander.internal.stream;

import dev.gander.GanderClosedException;
import dev.gander.GanderException;
import dev.gander.internal.Times;
import dev.gander.internal.spi.StreamOps;
import dev.gander.internal.wake.WakeHub;
import dev.gander.stream.ConsumerLaggedException;
import dev.gander.stream.Event;
import dev.gander.stream.Subscription;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.StreamSupport;

/**
 * A subscription that reads every event from storage, in batches, after the last one it returned:
 * history and live are the same read, so there is no gap and no duplicate between them, and a slow
 * reader loses nothing. Waits between reads are woken by the commits that append to the stream.
 */
final class SubscriptionImpl implements Subscription {
  private final StreamHandle stream;
  private final StreamRuntime rt;
  private final String consumer;
  private final ArrayDeque<Event> buffer = new ArrayDeque<>();
  private final HandOff.Tap tap;
  private volatile boolean closed;

  /** The offset of the last event returned (or read into the buffer's end, see {@link #read}). */
  private long position;

  /** The offset after which the next read from storage starts. */
  private long readAfter;

  SubscriptionImpl(StreamHandle stream, String consumer, long after) {
    this.stream = stream;
    this.rt = stream.runtime();
    this.consumer = consumer;
    this.position = after;
    this.readAfter = after;
    this.tap = rt.handOff.new Tap(stream.name());
    // Appends by other processes reach this one through the notifier; a consuming process
    // applies the streams' retention.
    rt.notifier.start();
    rt.retention.ensureStarted();
  }

  @Override
  public String consumer() {
    return consumer;
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public Optional<Event> poll() {
    return next(Duration.ZERO);
  }

  @Override
  public Optional<Event> next(Duration timeout) {
    Times.notNegative(timeout, "timeout");
    checkOpen();
    if (!buffer.isEmpty()) {
      return Optional.of(take());
    }
    long deadline = Times.deadline(Times.nanos(timeout));
    try (WakeHub.Interest wake = rt.hub.interest(stream.key())) {
      while (true) {
        long seen = wake.seq();
        read();
        if (!buffer.isEmpty()) {
          return Optional.of(take());
        }
        if (closed) {
          return Optional.empty();
        }
        if (rt.hub.isClosed()) {
          throw new GanderClosedException(
              "The database closed while waiting for events of stream '" + stream.name() + "'");
        }
        long left = Times.nanosLeft(deadline);
        if (left <= 0) {
          return Optional.empty();
        }
        // Commits of this process hand their events over while this waits (see HandOff).
        tap.open(readAfter + 1);
        try {
          // The cap: a reader that missed a wake-up (it cannot, but a bound costs one read a
          // second) still finds what was appended.
          wake.await(seen, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new GanderException(
              "Interrupted while waiting for events of stream '" + stream.name() + "'", e);
        } finally {
          enqueue(tap.close());
        }
        if (!buffer.isEmpty()) {
          return Optional.of(take());
        }
      }
    }
  }

  private Event take() {
    Event e = buffer.removeFirst();
    position = e.offset();
    return e;
  }

  /**
   * Reads the next batch after {@link #readAfter} into the buffer. If events after it were
   * compacted away, moves past them and throws, once, naming them.
   */
  private void read() {
    long after = readAfter;
    // One statement (on PostgreSQL one round trip). The head, which says whether events were
    // compacted away, is read only when the rows do not go on from where this one left off, in a
    // statement of its own: a head read after the rows' snapshot may only show more compaction,
    // never less, and the missed range is computed from the rows.
    List<StreamOps.StoredEvent> rows =
        rt.tx.runOneStatementRead(
            t -> rt.ops.read(t, stream.name(), after, StreamRuntime.READ_BATCH));
    StreamOps.Head h =
        rows.isEmpty() || rows.get(0).offset() != after + 1
            ? rt.tx.runOneStatementRead(t -> rt.ops.head(t, stream.name()))
            : null;
    if (h != null && h.compactedThrough() > after) {
      long lastMissed =
          rows.isEmpty() ? Math.min(h.compactedThrough(), h.latest()) : rows.get(0).offset() - 1;
      if (lastMissed > after) {
        readAfter = lastMissed;
        position = lastMissed;
        enqueue(rows);
        throw new ConsumerLaggedException(stream.name(), consumer, after + 1, lastMissed);
      }
    }
    enqueue(rows);
  }

  private void enqueue(List<StreamOps.StoredEvent> rows) {
    for (StreamOps.StoredEvent row : rows) {
      buffer.addLast(rt.event(row));
      readAfter = row.offset();
    }
  }

  @Override
  public java.util.stream.Stream<Event> stream() {
    checkOpen();
    Spliterator<Event> events =
        new Spliterators.AbstractSpliterator<Event>(
            Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL) {
          @Override
          public boolean tryAdvance(Consumer<? super Event> action) {
            while (!closed) {
              Optional<Event> e;
              try {
                e = next(Duration.ofSeconds(1));
              } catch (GanderClosedException ex) {
                if (closed) {
                  return false; // closed by another thread between two waits
                }
                throw ex;
              }
              if (e.isPresent()) {
                action.accept(e.get());
                return true;
              }
            }
            return false;
          }
        };
    return StreamSupport.stream(events, false);
  }

  @Override
  public long commit(long offset) {
    checkOpen();
    return stream.commitAs(null, consumer, offset);
  }

  private void checkOpen() {
    if (closed) {
      throw new GanderClosedException(
          "The subscription of '" + consumer + "' to stream '" + stream.name() + "' is closed");
    }
    rt.checkOpen();
  }

  @Override
  public void close() {
    closed = true;
    // Wake this subscription's waiting thread, if any, so that it returns.
    rt.hub.signal(stream.key());
  }

  @Override
  public String toString() {
    return "Subscription[" + stream.name() + ", " + consumer + ", at " + position + "]";
  }
}
