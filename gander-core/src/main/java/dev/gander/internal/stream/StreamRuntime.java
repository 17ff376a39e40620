package dev.gander.internal.stream;

import dev.gander.internal.Names;
import dev.gander.internal.queue.JsonCodec;
import dev.gander.internal.spi.Backend;
import dev.gander.internal.spi.ChangeNotifier;
import dev.gander.internal.spi.StreamOps;
import dev.gander.internal.spi.TxRunner;
import dev.gander.internal.wake.WakeHub;
import dev.gander.stream.Event;
import dev.gander.stream.Stream;
import java.time.Clock;
import java.time.Instant;
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
  final BiFunction<String, Class<?>, Object> decoder;

  /**
   * Creates the runtime; starts nothing.
   *
   * @param backend the open database
   * @param codec JSON
   * @param clock time for events' timestamps
   * @param hub in-process waiters
   * @param notifier carries appends to waiters here and in other processes
   */
  public StreamRuntime(
      Backend backend, JsonCodec codec, Clock clock, WakeHub hub, ChangeNotifier notifier) {
    this.backend = backend;
    this.tx = backend.transactions();
    this.ops = backend.streams();
    this.codec = codec;
    this.clock = clock;
    this.hub = hub;
    this.notifier = notifier;
    this.decoder = (json, type) -> codec.decode(json, type, "event payload");
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

  long now() {
    return clock.millis();
  }
}
