package dev.gander.stream;

import dev.gander.store.Transaction;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * A durable, append-only log of events; get one with {@link dev.gander.Gander#stream(String)}.
 * Handles are cheap and thread-safe; two handles of one name are the same stream.
 *
 * <p>Offsets are 1, 2, 3 … per stream, assigned at commit and gap-free: a reader never sees offset
 * 5 while 4 is uncommitted, whichever process published them. Each consumer (a name, following the
 * queue-name rule) has a committed offset that only moves forward.
 */
public interface Stream {
  /**
   * The stream's name.
   *
   * @return the name
   */
  String name();

  /**
   * Appends an event in a transaction of its own.
   *
   * @param kind what happened, such as {@code order.created}: 1 to 128 characters
   * @param payload any value Jackson can serialise, or {@link dev.gander.queue.RawJson}
   * @return its offset
   * @throws dev.gander.PayloadTooLargeException if its JSON is over the limit; nothing is written
   * @throws dev.gander.PayloadCodecException if it cannot be serialised; nothing is written
   */
  long publish(String kind, @Nullable Object payload);

  /**
   * Appends an event with headers in a transaction of its own.
   *
   * @param kind what happened
   * @param payload the payload
   * @param headers string headers, kept sorted by name
   * @return its offset
   */
  long publish(String kind, @Nullable Object payload, Map<String, String> headers);

  /**
   * Appends an event in the caller's transaction: it exists only if that commits.
   *
   * @param tx the transaction, from {@link dev.gander.Gander#inTransaction}
   * @param kind what happened
   * @param payload the payload
   * @return its offset, valid once the transaction commits
   */
  long publish(Transaction tx, String kind, @Nullable Object payload);

  /**
   * Appends an event with headers in the caller's transaction.
   *
   * @param tx the transaction
   * @param kind what happened
   * @param payload the payload
   * @param headers string headers
   * @return its offset, valid once the transaction commits
   */
  long publish(Transaction tx, String kind, @Nullable Object payload, Map<String, String> headers);

  /**
   * Appends events of one kind in one transaction: all or none.
   *
   * @param kind what happened
   * @param payloads the payloads, in order
   * @return their offsets, consecutive, in order
   */
  List<Long> publishAll(String kind, List<?> payloads);

  /**
   * Appends events of one kind in the caller's transaction.
   *
   * @param tx the transaction
   * @param kind what happened
   * @param payloads the payloads, in order
   * @return their offsets, valid once the transaction commits
   */
  List<Long> publishAll(Transaction tx, String kind, List<?> payloads);

  /**
   * Appends events of any kinds and headers in one transaction, all or none, as one append (on
   * PostgreSQL one statement).
   *
   * @param events the events, in order
   * @return their offsets, consecutive, in order
   * @throws dev.gander.InvalidNameException if a kind breaks the name rule; nothing is published
   */
  List<Long> publishEvents(List<OutgoingEvent> events);

  /**
   * Appends events of any kinds and headers in the caller's transaction.
   *
   * @param tx the transaction
   * @param events the events, in order
   * @return their offsets, valid once the transaction commits
   */
  List<Long> publishEvents(Transaction tx, List<OutgoingEvent> events);

  /**
   * Subscribes as {@code consumer}, resuming after its committed offset (from the start if it has
   * none). The subscription does not commit by itself: call {@link Subscription#commit(long)}.
   *
   * @param consumer the consumer's name
   * @return the subscription; close it when done
   */
  Subscription subscribe(String consumer);

  /**
   * Subscribes as {@code consumer} from an offset of the caller's choosing, whatever it committed.
   *
   * @param consumer the consumer's name
   * @param after the offset after which to start (0: from the start)
   * @return the subscription
   */
  Subscription subscribe(String consumer, long after);

  /**
   * Commits a consumer's offset: it resumes after it. Only moves forward; an offset at or below the
   * committed one changes nothing.
   *
   * @param consumer the consumer
   * @param offset the last offset it processed
   * @return the committed offset afterwards
   * @throws IllegalArgumentException if {@code offset} is negative or past {@link #latest()}
   */
  long commit(String consumer, long offset);

  /**
   * Commits a consumer's offset in the caller's transaction, atomically with the processing it did
   * there.
   *
   * @param tx the transaction
   * @param consumer the consumer
   * @param offset the last offset it processed
   * @return the committed offset afterwards, valid once the transaction commits
   */
  long commit(Transaction tx, String consumer, long offset);

  /**
   * Reads up to {@code limit} events with offsets after {@code after}, in order.
   *
   * @param after the offset after which to read (0: from the start)
   * @param limit the most events to return, at least 1
   * @return the events; fewer than {@code limit} at the end of the stream
   */
  List<Event> read(long after, int limit);

  /**
   * The last offset published.
   *
   * @return the offset, 0 if nothing was published
   */
  long latest();

  /**
   * A consumer's committed offset.
   *
   * @param consumer the consumer
   * @return the offset, or empty if it never committed
   */
  OptionalLong cursor(String consumer);

  /**
   * The consumers that committed an offset, by name, with how far behind they are.
   *
   * @return the consumers
   */
  List<ConsumerInfo> consumers();

  /**
   * Forgets a consumer's committed offset, so that it no longer holds back compaction.
   *
   * @param consumer the consumer
   * @return whether it had one
   */
  boolean removeConsumer(String consumer);

  /**
   * Sets how long this stream keeps its events. Stored with the stream: every process that
   * subscribes to a stream applies the rules of all streams in the background (see {@link
   * dev.gander.Gander.Builder#retentionPeriod}), and {@link #applyRetention()} applies this one at
   * once.
   *
   * @param retention the rule; {@link StreamRetention#forever()} removes the limits
   */
  void setRetention(StreamRetention retention);

  /**
   * This stream's retention rule.
   *
   * @return the rule; {@link StreamRetention#forever()} if none was set
   */
  StreamRetention retention();

  /**
   * Applies this stream's retention rule now, as {@link #compact(long)} would: never past a
   * consumer's committed offset.
   *
   * @return what was removed and what is left
   */
  CompactReport applyRetention();

  /**
   * Deletes the events with offsets up to and including {@code before}, but never one that a
   * consumer with a committed offset has not yet committed past: the compaction stops at the lowest
   * committed offset.
   *
   * @param before the last offset that may be deleted
   * @return what was removed and what is left
   */
  CompactReport compact(long before);

  /**
   * Deletes the events with offsets up to and including {@code before}, whether or not consumers
   * have committed past them. A subscriber that had not read them is told with {@link
   * ConsumerLaggedException}.
   *
   * @param before the last offset to delete
   * @return what was removed and what is left
   */
  CompactReport forceCompact(long before);
}
