package dev.gander.eventlog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gander.PayloadCodecException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An event to append to a topic, or read from one: what happened ({@link #kind()}), a JSON payload,
 * string headers sorted by name, and when it occurred. Immutable and thread-safe; equal when every
 * part is equal (the payload compared as a JSON tree, so key order and whitespace do not matter).
 *
 * <pre>{@code
 * LogEvent e = LogEvent.ofJson("order.created", "{\"id\":\"A-1\",\"cents\":1299}")
 *     .withHeader("source", "web");
 * }</pre>
 *
 * <p>Every backend gives back what was appended: the same kind, payload, headers and time (kept to
 * the millisecond, as every backend stores it). The payload is held as Jackson would read its JSON
 * text back, so that an event read from any backend equals the one appended.
 */
public final class LogEvent {
  /**
   * The header that carries {@link #occurredAt()} on the SQLite and PostgreSQL backends, whose
   * streams stamp each event with its commit time; readers of the stream see it, in epoch
   * milliseconds. An event may not set it.
   */
  public static final String OCCURRED_AT_HEADER = "gander.occurred-at";

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private final String kind;
  private final JsonNode payload;
  private final String payloadJson;
  private final SortedMap<String, String> headers;
  private final Instant occurredAt;

  /**
   * Creates an event.
   *
   * @param kind what happened, such as {@code order.created}: 1 to 128 characters from {@code A-Z
   *     a-z 0-9 . _ : -}, starting with a letter or digit
   * @param payload the payload; copied, so later changes to the node do not reach the event
   * @param headers string headers: names not empty, values not null, not {@link
   *     #OCCURRED_AT_HEADER}
   * @param occurredAt when it happened; kept to the millisecond
   * @throws dev.gander.InvalidNameException if the kind breaks the rule
   * @throws IllegalArgumentException if a header is empty, null or reserved
   * @throws PayloadCodecException if the payload is a missing node, which has no JSON
   */
  public LogEvent(String kind, JsonNode payload, Map<String, String> headers, Instant occurredAt) {
    this(kind, Canonical.of(payload), headers, occurredAt);
  }

  private LogEvent(
      String kind, Canonical payload, Map<String, String> headers, Instant occurredAt) {
    this.kind = NameRule.check("event kind", kind);
    this.payloadJson = payload.json();
    this.payload = payload.tree();
    this.headers = checkHeaders(headers);
    this.occurredAt =
        Objects.requireNonNull(occurredAt, "occurredAt").truncatedTo(ChronoUnit.MILLIS);
  }

  private LogEvent(LogEvent e, SortedMap<String, String> headers, Instant occurredAt) {
    this.kind = e.kind;
    this.payloadJson = e.payloadJson;
    this.payload = e.payload;
    this.headers = headers;
    this.occurredAt = occurredAt.truncatedTo(ChronoUnit.MILLIS);
  }

  /**
   * An event that occurred now, without headers.
   *
   * @param kind what happened
   * @param payload the payload, copied
   * @return the event
   * @throws dev.gander.InvalidNameException if the kind breaks the rule
   */
  public static LogEvent of(String kind, JsonNode payload) {
    return new LogEvent(kind, payload, Map.of(), Instant.now());
  }

  /**
   * An event that occurred now, without headers, from JSON text.
   *
   * @param kind what happened
   * @param json exactly one JSON value, such as {@code {"id":"A-1"}}
   * @return the event
   * @throws dev.gander.InvalidNameException if the kind breaks the rule
   * @throws PayloadCodecException if the text is not exactly one well-formed JSON value
   */
  public static LogEvent ofJson(String kind, String json) {
    return new LogEvent(kind, Canonical.of(json), Map.of(), Instant.now());
  }

  /**
   * This event with other headers.
   *
   * @param headers the headers, replacing these
   * @return a new event
   * @throws IllegalArgumentException if a header is empty, null or reserved
   */
  public LogEvent withHeaders(Map<String, String> headers) {
    return new LogEvent(this, checkHeaders(headers), occurredAt);
  }

  /**
   * This event with one more header (or another value for it).
   *
   * @param name the header's name, not empty
   * @param value its value
   * @return a new event
   * @throws IllegalArgumentException if the name is empty or reserved
   */
  public LogEvent withHeader(String name, String value) {
    TreeMap<String, String> more = new TreeMap<>(headers);
    more.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
    return new LogEvent(this, checkHeaders(more), occurredAt);
  }

  /**
   * This event at another time.
   *
   * @param occurredAt when it happened; kept to the millisecond
   * @return a new event
   */
  public LogEvent withOccurredAt(Instant occurredAt) {
    return new LogEvent(this, headers, Objects.requireNonNull(occurredAt, "occurredAt"));
  }

  /**
   * What happened.
   *
   * @return the kind
   */
  public String kind() {
    return kind;
  }

  /**
   * The payload, as a tree.
   *
   * @return a copy of the payload, which the caller may change
   */
  public JsonNode payload() {
    return payload.deepCopy();
  }

  /**
   * The payload as compact JSON text.
   *
   * @return the JSON
   */
  public String payloadJson() {
    return payloadJson;
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
   * When it occurred, to the millisecond.
   *
   * @return the instant
   */
  public Instant occurredAt() {
    return occurredAt;
  }

  /**
   * A payload as Jackson writes it and reads it back, so that a payload read from storage equals
   * the one appended (a {@code LongNode} 1 is read back as an {@code IntNode} 1, for instance).
   */
  private record Canonical(String json, JsonNode tree) {
    static Canonical of(JsonNode payload) {
      String json = encode(payload);
      return new Canonical(json, decode(json));
    }

    static Canonical of(String text) {
      JsonNode tree = decode(Objects.requireNonNull(text, "json"));
      return new Canonical(encode(tree), tree);
    }
  }

  private static String encode(JsonNode payload) {
    Objects.requireNonNull(payload, "payload");
    if (payload.isMissingNode()) {
      throw new PayloadCodecException(
          "A missing node has no JSON: give a value, or NullNode.getInstance() for null");
    }
    try {
      return JSON.writeValueAsString(payload);
    } catch (JsonProcessingException e) {
      throw new PayloadCodecException("Cannot write the payload as JSON: " + e.getMessage(), e);
    }
  }

  private static JsonNode decode(String json) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new PayloadCodecException(
          "The payload is not well-formed JSON: "
              + e.getOriginalMessage()
              + ". Give exactly one JSON value, such as {\"id\":\"A-1\"}.",
          e);
    }
    if (node == null || node.isMissingNode()) {
      throw new PayloadCodecException(
          "The payload is empty: give exactly one JSON value, such as {} or null.");
    }
    return node;
  }

  private static SortedMap<String, String> checkHeaders(Map<String, String> headers) {
    Objects.requireNonNull(headers, "headers");
    TreeMap<String, String> sorted = new TreeMap<>();
    for (Map.Entry<String, String> h : headers.entrySet()) {
      String name = h.getKey();
      if (name == null || name.isEmpty() || h.getValue() == null) {
        throw new IllegalArgumentException(
            "Header names must be non-empty and values non-null; got " + name + "=" + h.getValue());
      }
      if (name.equals(OCCURRED_AT_HEADER)) {
        throw new IllegalArgumentException(
            "The header "
                + OCCURRED_AT_HEADER
                + " is reserved: it carries the event's time on the database backends. Set the"
                + " time with withOccurredAt(...) and name the header otherwise.");
      }
      sorted.put(name, h.getValue());
    }
    return Collections.unmodifiableSortedMap(sorted);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof LogEvent)) {
      return false;
    }
    LogEvent e = (LogEvent) o;
    return kind.equals(e.kind)
        && payload.equals(e.payload)
        && headers.equals(e.headers)
        && occurredAt.equals(e.occurredAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, payload, headers, occurredAt);
  }

  @Override
  public String toString() {
    return "LogEvent[kind="
        + kind
        + ", payload="
        + payloadJson
        + (headers.isEmpty() ? "" : ", headers=" + headers)
        + ", occurredAt="
        + occurredAt
        + "]";
  }
}
