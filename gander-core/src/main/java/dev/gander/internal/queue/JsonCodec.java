package dev.gander.internal.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gander.PayloadCodecException;
import dev.gander.PayloadTooLargeException;
import dev.gander.internal.text.Utf8;
import dev.gander.queue.RawJson;
import org.jspecify.annotations.Nullable;

/** Payloads and results to and from JSON text, through the database's Jackson mapper. */
public final class JsonCodec {
  private final ObjectMapper mapper;

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
    return encode(value, limit, what, "raise maxPayloadBytes in QueueOptions");
  }

  /**
   * Turns a value into JSON text and checks its size.
   *
   * @param value the value, or {@link RawJson}
   * @param limit the largest size in UTF-8 bytes
   * @param what "payload" or "result", for messages
   * @param raise how to raise the limit, for the message
   * @return the JSON
   */
  public String encode(@Nullable Object value, int limit, String what, String raise) {
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
    int lone = Utf8.loneSurrogate(json);
    if (lone >= 0) {
      throw new PayloadCodecException(
          "Cannot store the "
              + what
              + ": "
              + Utf8.describeLoneSurrogate(json, lone)
              + ". Nothing was written.");
    }
    int size = Utf8.length(json);
    if (size > limit) {
      throw new PayloadTooLargeException(
          "The "
              + what
              + " is "
              + size
              + " bytes of JSON, over the limit of "
              + limit
              + " bytes. Store large data elsewhere and send a reference to it, or "
              + raise
              + ". Nothing was written.");
    }
    return json;
  }

  /**
   * Reads JSON text as a value of {@code type}.
   *
   * @param json the text
   * @param type the type
   * @param what "payload" or "result", for messages
   * @param <T> the type
   * @return the value
   */
  public <T> T decode(String json, Class<T> type, String what) {
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
}
