package dev.gander.internal.queue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.gander.PayloadCodecException;
import dev.gander.PayloadTooLargeException;
import dev.gander.queue.RawJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.jspecify.annotations.Nullable;

/** Payloads and results to and from JSON text, through the database's Jackson mapper. */
public final class JsonCodec {
  /** Plain JSON as RFC 8259 has it, for checking raw text; thread-safe once configured. */
  private static final JsonFactory STRICT = new JsonFactory();

  private final ObjectMapper mapper;

  /**
   * The mapper a database uses when the application gives none: Jackson's defaults, plus the
   * modules found on the class path, plus java.time ({@code Instant}, {@code LocalDate}, {@code
   * Duration}, ...) and {@code Optional}, registered explicitly so they work on the module path and
   * in shaded jars too. Dates and times are written as ISO-8601 strings ({@code
   * "2024-02-29T12:00:00Z"}), not numbers, so that the stored JSON reads the same to people, SQL
   * and other languages.
   *
   * @return a new mapper
   */
  public static ObjectMapper defaultMapper() {
    return JsonMapper.builder()
        .findAndAddModules()
        .addModule(new JavaTimeModule())
        .addModule(new Jdk8Module())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
        .build();
  }

  /**
   * Uses {@code mapper}, which is not modified.
   *
   * @param mapper the mapper
   */
  public JsonCodec(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * Turns a value into JSON text and checks its size.
   *
   * @param value the value, or {@link RawJson}
   * @param limit the largest size in UTF-8 bytes
   * @param what "payload" or "result", for messages
   * @return the JSON
   */
  String encode(@Nullable Object value, int limit, String what) {
    String json;
    if (value instanceof RawJson) {
      // Checked when the RawJson was made: every instance holds exactly one JSON value.
      json = ((RawJson) value).json();
    } else {
      try {
        json = mapper.writeValueAsString(value);
      } catch (JsonProcessingException | RuntimeException e) {
        throw new PayloadCodecException(
            "Cannot serialise the "
                + what
                + " of type "
                + (value == null ? "null" : value.getClass().getName())
                + " to JSON: "
                + e.getMessage()
                + ". Make it a value Jackson can serialise (a record, a bean, a Map), or pass"
                + " RawJson.of(text).",
            e);
      }
    }
    int size = utf8Length(json);
    if (size > limit) {
      throw new PayloadTooLargeException(
          "The "
              + what
              + " is "
              + size
              + " bytes of JSON, over the limit of "
              + limit
              + " bytes. Store large data elsewhere and enqueue a reference to it, or raise"
              + " maxPayloadBytes in QueueOptions. Nothing was written.");
    }
    return json;
  }

  /**
   * Checks that {@code json} is exactly one JSON value, such as {@code {"a":1}}, {@code [1,2]},
   * {@code "text"} or {@code null}, with nothing but whitespace around it. Strict JSON, whatever
   * the database's mapper accepts: no comments, single quotes or {@code NaN}, so that every reader
   * of the stored text can parse it.
   *
   * @param json the text
   * @throws PayloadCodecException if the text is empty, not well-formed, or has anything after its
   *     first value; the message says which and where
   */
  public static void checkOneValue(String json) {
    try (JsonParser parser = STRICT.createParser(json)) {
      JsonToken first;
      try {
        first = parser.nextToken();
        if (first != null) {
          parser.skipChildren(); // reads, and so checks, the whole value
        }
      } catch (JsonProcessingException e) {
        throw new PayloadCodecException(
            "The raw JSON is not well-formed: "
                + e.getOriginalMessage()
                + where(e.getLocation())
                + ". Give exactly one JSON value, such as {\"to\":\"alice@example.com\"}.",
            e);
      }
      if (first == null) {
        throw new PayloadCodecException(
            "The raw JSON is "
                + (json.isEmpty() ? "empty" : "only whitespace")
                + ": give exactly one JSON value, such as {} or null.");
      }
      JsonLocation end = parser.currentLocation();
      boolean more;
      try {
        more = parser.nextToken() != null;
      } catch (JsonProcessingException e) {
        more = true; // unparseable text after the value is still text after the value
      }
      if (more) {
        throw new PayloadCodecException(
            "The raw JSON has more text after its first value, which ends"
                + where(end)
                + ": found "
                + excerpt(json, end.getCharOffset())
                + ". Give exactly one JSON value (wrap several in an array).");
      }
    } catch (IOException e) {
      // A parser over a String does no I/O: this is a bug, not a bad payload.
      throw new UncheckedIOException(e);
    }
  }

  private static String excerpt(String json, long offset) {
    String rest = offset >= 0 && offset <= json.length() ? json.substring((int) offset) : json;
    rest = rest.strip();
    return '"' + (rest.length() > 20 ? rest.substring(0, 20) + "..." : rest) + '"';
  }

  private static String where(@Nullable JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return "";
    }
    return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  <T> T decode(String json, Class<T> type, String what) {
    try {
      return mapper.readValue(json, type);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new PayloadCodecException(
          "Cannot read the " + what + " as " + type.getName() + ": " + e.getMessage(), e);
    }
  }

  <T> T decode(String json, TypeReference<T> type, String what) {
    try {
      return mapper.readValue(json, type);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new PayloadCodecException(
          "Cannot read the " + what + " as " + type.getType() + ": " + e.getMessage(), e);
    }
  }

  static int utf8Length(String s) {
    int n = s.length();
    int bytes = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        if (c < 0x800) {
          bytes += 1;
        } else if (Character.isHighSurrogate(c)) {
          bytes += 2;
          i++;
        } else {
          bytes += 2;
        }
      }
    }
    return bytes;
  }
}
