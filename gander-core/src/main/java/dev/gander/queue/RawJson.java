package dev.gander.queue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.gander.PayloadCodecException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * JSON text to store as it is, instead of serialising a value: {@code
 * queue.enqueue(RawJson.of("{\"to\":\"alice@example.com\"}"))}.
 *
 * <p>The text must be exactly one JSON value (an object, array, string, number, {@code true},
 * {@code false} or {@code null}), optionally surrounded by whitespace. It is checked when the
 * {@code RawJson} is made, so every instance holds well-formed JSON.
 *
 * @param json the JSON text
 */
public record RawJson(String json) {
  /**
   * Checks the text.
   *
   * @param json the JSON text: exactly one JSON value
   * @throws PayloadCodecException if the text is empty, only whitespace, not well-formed JSON, or
   *     has anything after its first value (such as {@code {"a":1} trailing} or {@code [1] [2]})
   */
  public RawJson {
    Objects.requireNonNull(json, "json");
    checkOneValue(json);
  }

  /**
   * Wraps JSON text.
   *
   * @param json the text: exactly one JSON value
   * @return the wrapper
   * @throws PayloadCodecException if the text is not exactly one well-formed JSON value
   */
  public static RawJson of(String json) {
    return new RawJson(json);
  }

  @Override
  public String toString() {
    return json;
  }

  /** Plain JSON as RFC 8259 has it, for checking raw text; thread-safe once configured. */
  private static final JsonFactory STRICT = new JsonFactory();

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
  private static void checkOneValue(String json) {
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
}
