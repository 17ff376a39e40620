package dev.gander.internal.stream;

import dev.gander.internal.spi.StreamOps.NewEvent;
import dev.gander.internal.spi.StreamOps.StoredEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Gives the events a commit of this process appended straight to this process's subscriptions that
 * wait for exactly those offsets, so that a live subscriber in the publishing process returns them
 * without reading them back from storage.
 *
 * <p>Only a shortcut: the commit's wake-up signal still reaches every waiter, and a subscription
 * that was handed nothing, or events that do not follow on from where it stands, reads from storage
 * as it would have. Events are handed after their commit and carry what storage holds (the same
 * offset, kind, JSON, headers and time), so a handed event is the event a read would have returned
 * the moment the subscription woke.
 */
final class HandOff {
  /** The most events one waiting subscription takes by hand; past that it reads from storage. */
  static final int LIMIT = StreamRuntime.READ_BATCH;

  private final ConcurrentHashMap<String, Set<Tap>> waiting = new ConcurrentHashMap<>();

  /**
   * Offers a commit's events to the subscriptions of {@code stream} waiting now. Called after the
   * commit and before its wake-up signal.
   *
   * @param stream the stream
   * @param first the offset of the first event
   * @param events the events, in offset order
   */
  void appended(String stream, long first, List<NewEvent> events) {
    Set<Tap> taps = waiting.get(stream);
    if (taps == null) {
      return;
    }
    List<StoredEvent> rows = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      NewEvent e = events.get(i);
      rows.add(new StoredEvent(first + i, e.kind(), e.payload(), e.headers(), e.occurredAt()));
    }
    for (Tap tap : taps) {
      tap.offer(first, rows);
    }
  }

  /** How many streams have a waiting subscription now, for tests that memory is given back. */
  int streamsWaited() {
    return waiting.size();
  }

  /**
   * Where one subscription receives handed events while it waits. Its owner opens it right before
   * waiting and closes it right after, taking whatever was handed meanwhile.
   */
  final class Tap {
    private final String stream;

    /** The offset the owner reads next; 0 while it is not waiting. */
    private long expect;

    private @Nullable List<StoredEvent> events;

    Tap(String stream) {
      this.stream = stream;
    }

    /**
     * Starts taking events from offset {@code next} on.
     *
     * @param next the offset the owner would read next
     */
    void open(long next) {
      synchronized (this) {
        expect = next;
        events = null;
      }
      waiting.compute(
          stream,
          (k, taps) -> {
            Set<Tap> out = taps == null ? ConcurrentHashMap.newKeySet() : taps;
            out.add(this);
            return out;
          });
    }

    /**
     * Stops taking events.
     *
     * @return the events handed since {@link #open}, gap-free from its offset on; empty if none
     */
    List<StoredEvent> close() {
      waiting.computeIfPresent(
          stream, (k, taps) -> taps.remove(this) && taps.isEmpty() ? null : taps);
      synchronized (this) {
        expect = 0;
        List<StoredEvent> out = events;
        events = null;
        return out == null ? List.of() : out;
      }
    }

    private synchronized void offer(long first, List<StoredEvent> rows) {
      // Commits of one process may hand their events over in another order than they committed
      // in: what does not follow on is left to the read from storage, and so is what comes after.
      if (first != expect || (events == null ? 0 : events.size()) + rows.size() > LIMIT) {
        expect = 0;
        return;
      }
      if (events == null) {
        events = new ArrayList<>(rows.size());
      }
      events.addAll(rows);
      expect = first + rows.size();
    }
  }
}
