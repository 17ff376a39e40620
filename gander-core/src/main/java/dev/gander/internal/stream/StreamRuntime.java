package dev.gander.internal.stream;

import dev.gander.internal.Names;
import dev.gander.internal.queue.JsonCodec;
import dev.gander.internal.spi.Backend;
import dev.gander.internal.spi.ChangeNotifier;
import dev.gander.internal.spi.StreamOps;
import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.TxRunner;
import dev.gander.internal.spi.WakeKey;
import dev.gander.internal.wake.WakeHub;
import dev.gander.stream.CompactReport;
import dev.gander.stream.Event;
import dev.gander.stream.Stream;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * Everything the streams of one database share: the backend's stream operations, the codec, the
 * clock, the in-process waiters and the notifier. Backend-neutral: it never writes SQL.
 */
public final class StreamRuntime {
  /** The largest payload of an event, in bytes of UTF-8 JSON, as for queues by default. */
  static final int MAX_PAYLOAD_BYTES = 1 << 20;

  /** Events a subscription reads from storage at a time. */
  static final int READ_BATCH = 512;

  final Backend backend;
  final TxRunner tx;
  final StreamOps ops;
  final JsonCodec codec;
  final Clock clock;
  final WakeHub hub;
  final ChangeNotifier notifier;
  final StreamWakeChecker checker;
  final BiFunction<String, Class<?>, Object> decoder;
  final RetentionTask retention;
  final HandOff handOff = new HandOff();

  /**
   * Creates the runtime; starts nothing.
   *
   * @param backend the open database
   * @param codec JSON
   * @param clock time for events' timestamps
   * @param hub in-process waiters
   * @param notifier carries appends to waiters here and in other processes
   * @param checker told of this process's appends, so the commit watcher does not wake twice
   * @param retentionPeriod how often the background task applies every stream's retention
   */
  public StreamRuntime(
      Backend backend,
      JsonCodec codec,
      Clock clock,
      WakeHub hub,
      ChangeNotifier notifier,
      StreamWakeChecker checker,
      Duration retentionPeriod) {
    this.backend = backend;
    this.tx = backend.transactions();
    this.ops = backend.streams();
    this.codec = codec;
    this.clock = clock;
    this.hub = hub;
    this.notifier = notifier;
    this.checker = checker;
    this.decoder = (json, type) -> codec.decode(json, type, "event payload");
    this.retention = new RetentionTask(this, backend.name(), retentionPeriod);
  }

  /** Stops the retention task. */
  public void close() {
    retention.close();
  }

  /**
   * A stream handle.
   *
   * @param name the stream's name
   * @return the handle
   * @throws dev.gander.InvalidNameException if the name breaks the rule
   */
  public Stream stream(String name) {
    return new StreamHandle(this, Names.check("stream", name));
  }

  /**
   * Every application stream, by name (not pub/sub's channels, whose names no stream can have).
   *
   * @return the handles
   */
  public List<Stream> streams() {
    List<Stream> out = new ArrayList<>();
    for (String name : tx.runRead(ops::streams)) {
      if (Names.isValid(name)) {
        out.add(new StreamHandle(this, name));
      }
    }
    return out;
  }

  void checkOpen() {
    if (tx.isClosed()) {
      throw tx.closedException();
    }
  }

  Event event(StreamOps.StoredEvent e) {
    SortedMap<String, String> headers =
        e.headers().equals("{}") ? new TreeMap<>() : decodeHeaders(e.headers());
    return new Event(
        e.offset(), e.kind(), e.payload(), headers, Instant.ofEpochMilli(e.occurredAt()), decoder);
  }

  @SuppressWarnings("unchecked")
  private SortedMap<String, String> decodeHeaders(String json) {
    return new TreeMap<String, String>(codec.decode(json, java.util.Map.class, "event headers"));
  }

  /** Where a compaction may cut, read in its transaction. */
  @FunctionalInterface
  interface Cut {
    long through(Tx t, StreamOps.Head head) throws SQLException;
  }

  /**
   * Deletes a stream's events up to where {@code cut} says, but (unless forced) never past a
   * consumer's committed offset; then gives the space back where the backend can.
   */
  CompactReport compact(String stream, boolean force, Cut cut) {
    long[] latest = new long[1];
    StreamOps.Compacted done =
        tx.runWrite(
            t -> {
              StreamOps.Head head = ops.head(t, stream);
              latest[0] = head.latest();
              long through = cut.through(t, head);
              if (!force) {
                for (StreamOps.Cursor c : ops.consumers(t, stream)) {
                  through = Math.min(through, c.offset());
                }
              }
              through = Math.max(0, Math.min(through, head.latest()));
              StreamOps.Compacted c = ops.compact(t, stream, through);
              if (c.removed() > 0) {
                // Subscribers waiting past the cut read on and learn what they missed.
                notifier.changed(t, new WakeKey.StreamAppended(stream));
              }
              return c;
            });
    boolean checkpointed = done.removed() > 0 && backend.checkpoint();
    return new CompactReport(done.removed(), done.remaining(), latest[0], checkpointed);
  }

  /** Applies a stream's retention rule now. */
  CompactReport applyRetention(String stream) {
    return compact(
        stream,
        false,
        (t, head) -> {
          long byCount = head.keepCount() > 0 ? head.latest() - head.keepCount() : 0;
          long byAge =
              head.keepMillis() > 0 ? ops.lastBefore(t, stream, now() - head.keepMillis()) : 0;
          return Math.max(byCount, byAge);
        });
  }

  long now() {
    return clock.millis();
  }
}
