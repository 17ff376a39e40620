package dev.gander.internal.eventlog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gander.PayloadCodecException;
import dev.gander.PayloadTooLargeException;
import dev.gander.eventlog.LogEntry;
import dev.gander.eventlog.LogEvent;
import dev.gander.internal.text.Utf8;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Events as lines of JSON, the file backend's format, and the size rule every backend keeps.
 *
 * <p>An event line is {@code {"id":7,"event":{"kind":"k","payload":{…},"headers":{…},
 * "occurred_at_ms":1700000000000}}}, after the seed's format. A compacted file starts with {@code
 * {"compacted_through":6}}, so that the topic's offsets go on after a compaction that removed every
 * event, and across reopening.
 */
final class EventLines {
  /** The largest payload, and the largest headers, in bytes of UTF-8 JSON: the streams' limit. */
  static final int MAX_JSON_BYTES = 1 << 20;

  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final JsonFactory FACTORY = JSON.getFactory();

  private EventLines() {}

  /**
   * Refuses an event the streams would refuse, for its size or for text UTF-8 cannot hold, so that
   * every backend agrees.
   *
   * @param e the event
   * @throws PayloadTooLargeException if its payload or headers are over the limit
   * @throws PayloadCodecException if its payload or headers hold a lone surrogate
   */
  static void checkStorable(LogEvent e) {
    check(e.payloadJson(), "payload");
    if (!e.headers().isEmpty()) {
      check(headersJson(e.headers()), "headers");
    }
  }

  private static void check(String json, String what) {
    int lone = Utf8.loneSurrogate(json);
    if (lone >= 0) {
      throw new PayloadCodecException(
          "Cannot store the event's "
              + what
              + ": "
              + Utf8.describeLoneSurrogate(json, lone)
              + ". Nothing was written.");
    }
    check(Utf8.length(json), what);
  }

  private static void check(int size, String what) {
    if (size > MAX_JSON_BYTES) {
      throw new PayloadTooLargeException(
          "The event's "
              + what
              + " is "
              + size
              + " bytes of JSON, over the limit of "
              + MAX_JSON_BYTES
              + " bytes. Store large data elsewhere and append a reference to it. Nothing was"
              + " written.");
    }
  }

  /**
   * An event's line, without its newline.
   *
   * @param offset its offset
   * @param e the event
   * @return the JSON
   */
  static String line(long offset, LogEvent e) {
    StringWriter out = new StringWriter(e.payloadJson().length() + 128);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("id", offset);
      g.writeObjectFieldStart("event");
      g.writeStringField("kind", e.kind());
      g.writeFieldName("payload");
      g.writeRawValue(e.payloadJson());
      g.writeObjectFieldStart("headers");
      for (Map.Entry<String, String> h : e.headers().entrySet()) {
        g.writeStringField(h.getKey(), h.getValue());
      }
      g.writeEndObject();
      g.writeNumberField("occurred_at_ms", e.occurredAt().toEpochMilli());
      g.writeEndObject();
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex); // a StringWriter does no I/O
    }
    return out.toString();
  }

  /**
   * The first line of a compacted file.
   *
   * @param through the last offset compaction removed
   * @return the JSON
   */
  static String marker(long through) {
    return "{\"compacted_through\":" + through + "}";
  }

  /** A parsed line: an event, or the compaction marker ({@code entry} null). */
  record Line(@Nullable LogEntry entry, long compactedThrough) {}

  /**
   * Parses a line.
   *
   * @param bytes the buffer
   * @param off where the line starts
   * @param len its length, without the newline
   * @return the line
   * @throws IllegalArgumentException if it is not one of the two kinds of line
   */
  static Line parse(byte[] bytes, int off, int len) {
    JsonNode node;
    try {
      node = JSON.readTree(bytes, off, len);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does no I/O
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode through = node.get("compacted_through");
    if (through != null) {
      if (!through.canConvertToExactIntegral() || through.asLong() < 0) {
        throw new IllegalArgumentException("compacted_through is not an offset");
      }
      return new Line(null, through.asLong());
    }
    JsonNode id = node.get("id");
    JsonNode event = node.get("event");
    if (id == null || !id.canConvertToExactIntegral() || event == null || !event.isObject()) {
      throw new IllegalArgumentException("neither an event nor a compaction marker");
    }
    JsonNode kind = event.get("kind");
    JsonNode payload = event.get("payload");
    JsonNode at = event.get("occurred_at_ms");
    if (kind == null
        || !kind.isTextual()
        || payload == null
        || at == null
        || !at.isIntegralNumber()) {
      throw new IllegalArgumentException("an event without its kind, payload or time");
    }
    TreeMap<String, String> headers = new TreeMap<>();
    JsonNode h = event.get("headers");
    if (h != null && h.isObject()) {
      for (Map.Entry<String, JsonNode> f : h.properties()) {
        headers.put(f.getKey(), f.getValue().asText());
      }
    }
    LogEvent e = new LogEvent(kind.asText(), payload, headers, Instant.ofEpochMilli(at.asLong()));
    return new Line(new LogEntry(id.asLong(), e), 0);
  }

  private static String headersJson(Map<String, String> headers) {
    try {
      return JSON.writeValueAsString(headers);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
