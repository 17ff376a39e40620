package dev.gander.internal.stream;

import dev.gander.internal.Names;
import dev.gander.internal.Times;
import dev.gander.internal.spi.StreamOps;
import dev.gander.internal.spi.StreamOps.NewEvent;
import dev.gander.internal.spi.TxWork;
import dev.gander.internal.spi.WakeKey;
import dev.gander.store.Transaction;
import dev.gander.stream.CompactReport;
import dev.gander.stream.ConsumerInfo;
import dev.gander.stream.Event;
import dev.gander.stream.OutgoingEvent;
import dev.gander.stream.Stream;
import dev.gander.stream.StreamRetention;
import dev.gander.stream.Subscription;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** A stream on any backend: validation, encoding and the rules; the SQL is the backend's. */
final class StreamHandle implements Stream {
  private static final String RAISE = "split the event";

  private final StreamRuntime rt;
  private final String name;
  private final WakeKey.StreamAppended key;

  StreamHandle(StreamRuntime rt, String name) {
    this.rt = rt;
    this.name = name;
    this.key = new WakeKey.StreamAppended(name);
  }

  @Override
  public String name() {
    return name;
  }

  WakeKey.StreamAppended key() {
    return key;
  }

  StreamRuntime runtime() {
    return rt;
  }

  // ---------------------------------------------------------------- publish

  @Override
  public long publish(String kind, @Nullable Object payload) {
    return append(null, List.of(encode(kind, payload, Map.of()))).get(0);
  }

  @Override
  public long publish(String kind, @Nullable Object payload, Map<String, String> headers) {
    return append(null, List.of(encode(kind, payload, headers))).get(0);
  }

  @Override
  public long publish(Transaction tx, String kind, @Nullable Object payload) {
    Objects.requireNonNull(tx, "tx");
    return append(tx, List.of(encode(kind, payload, Map.of()))).get(0);
  }

  @Override
  public long publish(
      Transaction tx, String kind, @Nullable Object payload, Map<String, String> headers) {
    Objects.requireNonNull(tx, "tx");
    return append(tx, List.of(encode(kind, payload, headers))).get(0);
  }

  @Override
  public List<Long> publishAll(String kind, List<?> payloads) {
    return append(null, encodeAll(kind, payloads));
  }

  @Override
  public List<Long> publishAll(Transaction tx, String kind, List<?> payloads) {
    Objects.requireNonNull(tx, "tx");
    return append(tx, encodeAll(kind, payloads));
  }

  @Override
  public List<Long> publishEvents(List<OutgoingEvent> events) {
    return append(null, encodeEach(events));
  }

  @Override
  public List<Long> publishEvents(Transaction tx, List<OutgoingEvent> events) {
    Objects.requireNonNull(tx, "tx");
    return append(tx, encodeEach(events));
  }

  private List<Encoded> encodeEach(List<OutgoingEvent> events) {
    rt.checkOpen();
    Objects.requireNonNull(events, "events");
    List<Encoded> out = new ArrayList<>(events.size());
    for (OutgoingEvent e : events) {
      out.add(encode(e.kind(), e.payload(), e.headers()));
    }
    return out;
  }

  /** An event ready to append, its time to be taken in the transaction. */
  private record Encoded(String kind, String payload, String headers) {}

  private List<Encoded> encodeAll(String kind, List<?> payloads) {
    Objects.requireNonNull(payloads, "payloads");
    List<Encoded> out = new ArrayList<>(payloads.size());
    for (Object p : payloads) {
      out.add(encode(kind, p, Map.of()));
    }
    return out;
  }

  private Encoded encode(String kind, @Nullable Object payload, Map<String, String> headers) {
    rt.checkOpen();
    Names.check("event kind", Objects.requireNonNull(kind, "kind"));
    Objects.requireNonNull(headers, "headers");
    TreeMap<String, String> sorted = new TreeMap<>();
    for (Map.Entry<String, String> h : headers.entrySet()) {
      if (h.getKey() == null || h.getKey().isEmpty() || h.getValue() == null) {
        throw new IllegalArgumentException(
            "Header names must be non-empty and values non-null; got "
                + h.getKey()
                + "="
                + h.getValue());
      }
      sorted.put(h.getKey(), h.getValue());
    }
    String json = rt.codec.encode(payload, StreamRuntime.MAX_PAYLOAD_BYTES, "event payload", RAISE);
    String headerJson =
        sorted.isEmpty()
            ? "{}"
            : rt.codec.encode(sorted, StreamRuntime.MAX_PAYLOAD_BYTES, "event headers", RAISE);
    return new Encoded(kind, json, headerJson);
  }

  private List<Long> append(@Nullable Transaction caller, List<Encoded> events) {
    if (events.isEmpty()) {
      rt.checkOpen();
      return List.of();
    }
    TxWork<Long> work =
        t -> {
          long now = rt.now();
          List<NewEvent> rows = new ArrayList<>(events.size());
          for (Encoded e : events) {
            rows.add(new NewEvent(e.kind(), e.payload(), e.headers(), now));
          }
          long first = rt.ops.append(t, name, rows);
          long last = first + rows.size() - 1;
          t.afterCommit(
              () -> {
                rt.checker.appended(key, last);
                rt.handOff.appended(name, first, rows);
              });
          rt.notifier.changed(t, key);
          return first;
        };
    long first = caller == null ? rt.tx.runWrite(work) : rt.tx.runWrite(caller, work);
    List<Long> offsets = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      offsets.add(first + i);
    }
    return offsets;
  }

  // ---------------------------------------------------------------- consume

  @Override
  public Subscription subscribe(String consumer) {
    rt.checkOpen();
    Names.check("consumer", consumer);
    long after = rt.tx.runRead(t -> rt.ops.cursor(t, name, consumer)).orElse(0);
    return new SubscriptionImpl(this, consumer, after);
  }

  @Override
  public Subscription subscribe(String consumer, long after) {
    rt.checkOpen();
    Names.check("consumer", consumer);
    if (after < 0) {
      throw new IllegalArgumentException("after must not be negative, was " + after);
    }
    return new SubscriptionImpl(this, consumer, after);
  }

  @Override
  public long commit(String consumer, long offset) {
    return commitAs(null, consumer, offset);
  }

  @Override
  public long commit(Transaction tx, String consumer, long offset) {
    Objects.requireNonNull(tx, "tx");
    return commitAs(tx, consumer, offset);
  }

  long commitAs(@Nullable Transaction caller, String consumer, long offset) {
    rt.checkOpen();
    Names.check("consumer", consumer);
    if (offset < 0) {
      throw new IllegalArgumentException("offset must not be negative, was " + offset);
    }
    TxWork<Long> work =
        t -> {
          long latest = rt.ops.head(t, name).latest();
          if (offset > latest) {
            throw new IllegalArgumentException(
                "Cannot commit offset "
                    + offset
                    + " for consumer '"
                    + consumer
                    + "': stream '"
                    + name
                    + "' ends at "
                    + latest);
          }
          return rt.ops.commit(t, name, consumer, offset, rt.now());
        };
    return caller == null ? rt.tx.runWrite(work) : rt.tx.runWrite(caller, work);
  }

  // ---------------------------------------------------------------- read

  @Override
  public List<Event> read(long after, int limit) {
    rt.checkOpen();
    if (after < 0) {
      throw new IllegalArgumentException("after must not be negative, was " + after);
    }
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    List<StreamOps.StoredEvent> rows = rt.tx.runRead(t -> rt.ops.read(t, name, after, limit));
    List<Event> out = new ArrayList<>(rows.size());
    for (StreamOps.StoredEvent e : rows) {
      out.add(rt.event(e));
    }
    return out;
  }

  @Override
  public long latest() {
    rt.checkOpen();
    return rt.tx.runRead(t -> rt.ops.head(t, name)).latest();
  }

  @Override
  public OptionalLong cursor(String consumer) {
    rt.checkOpen();
    Names.check("consumer", consumer);
    return rt.tx.runRead(t -> rt.ops.cursor(t, name, consumer));
  }

  @Override
  public List<ConsumerInfo> consumers() {
    rt.checkOpen();
    return rt.tx.runRead(
        t -> {
          long latest = rt.ops.head(t, name).latest();
          List<ConsumerInfo> out = new ArrayList<>();
          for (StreamOps.Cursor c : rt.ops.consumers(t, name)) {
            out.add(
                new ConsumerInfo(
                    c.name(),
                    c.offset(),
                    Math.max(0, latest - c.offset()),
                    Instant.ofEpochMilli(c.updatedAt())));
          }
          return out;
        });
  }

  @Override
  public boolean removeConsumer(String consumer) {
    rt.checkOpen();
    Names.check("consumer", consumer);
    return rt.tx.runWrite(t -> rt.ops.removeConsumer(t, name, consumer));
  }

  // ---------------------------------------------------------------- retention

  @Override
  public void setRetention(StreamRetention retention) {
    rt.checkOpen();
    Objects.requireNonNull(retention, "retention");
    StreamOps.Retention rule =
        new StreamOps.Retention(
            name,
            retention.maxAge().map(d -> Math.max(1, Times.millis(d))).orElse(0L),
            retention.maxCount().orElse(0));
    rt.tx.runWrite(
        t -> {
          rt.ops.setRetention(t, rule);
          return null;
        });
    rt.retention.ensureStarted();
  }

  @Override
  public StreamRetention retention() {
    rt.checkOpen();
    return toRetention(rt.tx.runRead(t -> rt.ops.head(t, name)));
  }

  static StreamRetention toRetention(StreamOps.Head head) {
    StreamRetention r = StreamRetention.forever();
    if (head.keepMillis() > 0) {
      r = r.andMaxAge(Duration.ofMillis(head.keepMillis()));
    }
    if (head.keepCount() > 0) {
      r = r.andMaxCount(head.keepCount());
    }
    return r;
  }

  @Override
  public CompactReport applyRetention() {
    rt.checkOpen();
    return rt.applyRetention(name);
  }

  // ---------------------------------------------------------------- compact

  @Override
  public CompactReport compact(long before) {
    return compact(before, false);
  }

  @Override
  public CompactReport forceCompact(long before) {
    return compact(before, true);
  }

  CompactReport compact(long before, boolean force) {
    rt.checkOpen();
    if (before < 0) {
      throw new IllegalArgumentException("before must not be negative, was " + before);
    }
    return rt.compact(name, force, (t, head) -> before);
  }

  @Override
  public String toString() {
    return "Stream[" + name + "]";
  }
}
