package dev.gander.queue;

import java.util.Objects;

/**
 * JSON text to store as it is, instead of serialising a value: {@code
 * queue.enqueue(RawJson.of("{\"to\":\"alice@example.com\"}"))}. The text is checked to be one
 * well-formed JSON value when it is enqueued.
 *
 * @param json the JSON text
 */
public record RawJson(String json) {
  /** Rejects null. */
  public RawJson {
    Objects.requireNonNull(json, "json");
  }

  /**
   * Wraps JSON text.
   *
   * @param json the text
   * @return the wrapper
   */
  public static RawJson of(String json) {
    return new RawJson(json);
  }

  @Override
  public String toString() {
    return json;
  }
}
