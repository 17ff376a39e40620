package dev.gander.stream;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.function.BiFunction;

/**
 * An event read from a stream. Immutable; equal when every field is equal.
 *
 * <p>A value class rather than a record only because {@link #payloadAs(Class)} reads the payload
 * with the database's Jackson mapper, which is not one of its fields.
 */
public final class Event {
  private final long offset;
  private final String kind;
  private final String payload;
  private final SortedMap<String, String> headers;
  private final Instant occurredAt;
  private final BiFunction<String, Class<?>, Object> decoder;

  /**
   * Creates an event; Gander makes them, applications read them.
   *
   * @param offset its offset
   * @param kind what happened
   * @param payload its JSON
   * @param headers its headers, sorted by name
   * @param occurredAt when it was published
   * @param decoder reads the JSON as a type
   */
  public Event(
      long offset,
      String kind,
      String payload,
      SortedMap<String, String> headers,
      Instant occurredAt,
      BiFunction<String, Class<?>, Object> decoder) {
    this.offset = offset;
    this.kind = Objects.requireNonNull(kind, "kind");
    this.payload = Objects.requireNonNull(payload, "payload");
    this.headers = java.util.Collections.unmodifiableSortedMap(headers);
    this.occurredAt = Objects.requireNonNull(occurredAt, "occurredAt");
    this.decoder = Objects.requireNonNull(decoder, "decoder");
  }

  /**
   * Its offset in the stream.
   *
   * @return the offset, from 1
   */
  public long offset() {
    return offset;
  }

  /**
   * What happened.
   *
   * @return the kind given when published
   */
  public String kind() {
    return kind;
  }

  /**
   * The payload's JSON text.
   *
   * @return the JSON
   */
  public String payload() {
    return payload;
  }

  /**
   * The payload read as {@code type}.
   *
   * @param type the type
   * @param <T> the type
   * @return the value
   * @throws dev.gander.PayloadCodecException if the JSON does not fit the type
   */
  public <T> T payloadAs(Class<T> type) {
    return type.cast(decoder.apply(payload, type));
  }

  /**
   * Its headers, sorted by name.
   *
   * @return the headers, unmodifiable
   */
  public SortedMap<String, String> headers() {
    return headers;
  }

  /**
   * When it was published (the publishing transaction's time).
   *
   * @return the instant, to the millisecond
   */
  public Instant occurredAt() {
    return occurredAt;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Event)) {
      return false;
    }
    Event e = (Event) o;
    return offset == e.offset
        && kind.equals(e.kind)
        && payload.equals(e.payload)
        && headers.equals(e.headers)
        && occurredAt.equals(e.occurredAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(offset, kind, payload, headers, occurredAt);
  }

  @Override
  public String toString() {
    return "Event[offset="
        + offset
        + ", kind="
        + kind
        + ", payload="
        + payload
        + (headers.isEmpty() ? "" : ", headers=" + (Map<String, String>) headers)
        + ", occurredAt="
        + occurredAt
        + "]";
  }
}
