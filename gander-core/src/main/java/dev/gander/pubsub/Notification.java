package dev.gander.pubsub;

import java.time.Instant;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * A notification received by a {@link Listener}. Immutable; equal when every field is equal.
 *
 * <p>A value class rather than a record only because {@link #payloadAs(Class)} reads the payload
 * with the database's Jackson mapper, which is not one of its fields.
 */
public final class Notification {
  private final String channel;
  private final String payload;
  private final Instant sentAt;
  private final BiFunction<String, Class<?>, Object> decoder;

  /**
   * Creates a notification; Gander makes them, applications read them.
   *
   * @param channel its channel
   * @param payload its JSON
   * @param sentAt when its sender's transaction wrote it
   * @param decoder reads the JSON as a type
   */
  public Notification(
      String channel,
      String payload,
      Instant sentAt,
      BiFunction<String, Class<?>, Object> decoder) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.payload = Objects.requireNonNull(payload, "payload");
    this.sentAt = Objects.requireNonNull(sentAt, "sentAt");
    this.decoder = Objects.requireNonNull(decoder, "decoder");
  }

  /**
   * Its channel.
   *
   * @return the channel's name
   */
  public String channel() {
    return channel;
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
   * When it was sent (its transaction's time).
   *
   * @return the instant, to the millisecond
   */
  public Instant sentAt() {
    return sentAt;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Notification)) {
      return false;
    }
    Notification n = (Notification) o;
    return channel.equals(n.channel) && payload.equals(n.payload) && sentAt.equals(n.sentAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(channel, payload, sentAt);
  }

  @Override
  public String toString() {
    return "Notification[channel=" + channel + ", payload=" + payload + ", sentAt=" + sentAt + "]";
  }
}
