package dev.gander.queue;

import dev.gander.PayloadCodecException;
import dev.gander.internal.queue.JsonCodec;
import java.util.Objects;

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
    JsonCodec.checkOneValue(json);
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
}
