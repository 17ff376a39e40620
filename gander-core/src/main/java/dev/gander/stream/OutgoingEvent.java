package dev.gander.stream;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One event to publish with {@link Stream#publishEvents}, which appends events of different kinds
 * and headers in one go. The kind and headers are checked when published, as by {@link
 * Stream#publish(String, Object, Map)}.
 *
 * @param kind what happened, a name by the queue-name rule
 * @param payload what Jackson writes as the payload ({@code RawJson} for JSON text as it is)
 * @param headers string headers; stored sorted by name
 */
public record OutgoingEvent(String kind, @Nullable Object payload, Map<String, String> headers) {
  /**
   * Checks that the kind and headers are there.
   *
   * @param kind what happened
   * @param payload the payload
   * @param headers string headers
   */
  public OutgoingEvent {
    Objects.requireNonNull(kind, "kind");
    headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
  }

  /**
   * An event without headers.
   *
   * @param kind what happened
   * @param payload the payload
   * @return the event
   */
  public static OutgoingEvent of(String kind, @Nullable Object payload) {
    return new OutgoingEvent(kind, payload, Map.of());
  }

  /**
   * An event with headers.
   *
   * @param kind what happened
   * @param payload the payload
   * @param headers string headers
   * @return the event
   */
  public static OutgoingEvent of(
      String kind, @Nullable Object payload, Map<String, String> headers) {
    return new OutgoingEvent(kind, payload, headers);
  }
}
