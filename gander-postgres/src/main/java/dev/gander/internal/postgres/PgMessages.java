package dev.gander.internal.postgres;

import dev.gander.internal.spi.MessageBus.Message;
import dev.gander.internal.text.Utf8;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pub/sub messages as {@code NOTIFY} payloads: {@code m:<sender>:<n>:<sentAt>:<channel> <json>} for
 * one carried inline, {@code r:<sender>:<n>:<sentAt>:<channel> <offset>} for one stored in its
 * channel's stream because it is too large. Channel names cannot hold a space, so the first space
 * ends the channel.
 *
 * <p>{@code sender} names this Gander instance, so that it can drop its own messages when the
 * server echoes them (it delivered them to its own listeners at commit). {@code n} counts the
 * instance's messages: the server folds identical payloads of one transaction into one, and two
 * identical notifications sent in one transaction must both arrive.
 */
final class PgMessages {
  /** PostgreSQL refuses a payload of 8,000 bytes or more. */
  static final int MAX_PAYLOAD_BYTES = 7_999;

  /** The longest header there can be, without the channel. */
  static final int HEADER_BYTES = 2 + 13 + 1 + 13 + 1 + 20 + 1 + 1;

  private final String sender;
  private final AtomicLong sent = new AtomicLong();

  PgMessages() {
    this.sender = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
  }

  /**
   * Whether a payload is a message rather than a wake-up key.
   *
   * @param payload a notification's payload
   * @return {@code true} for a message
   */
  static boolean isMessage(String payload) {
    return payload.length() > 2
        && payload.charAt(1) == ':'
        && (payload.charAt(0) == 'm' || payload.charAt(0) == 'r');
  }

  /** Whether a message of {@code json} on {@code channel} fits one payload. */
  boolean fits(String channel, String json) {
    // The header is ASCII: "m:", sender and count (13 characters each at most), sentAt (20),
    // three colons, the channel and a space.
    int header = HEADER_BYTES + channel.length();
    return header + Utf8.length(json) <= MAX_PAYLOAD_BYTES;
  }

  /**
   * The payload that carries {@code m}.
   *
   * @param m the message
   * @return the payload
   */
  String encode(Message m) {
    String body = m.json() != null ? m.json() : Long.toString(m.offset());
    return (m.json() != null ? "m:" : "r:")
        + sender
        + ':'
        + Long.toString(sent.incrementAndGet(), 36)
        + ':'
        + m.sentAt()
        + ':'
        + m.channel()
        + ' '
        + body;
  }

  /**
   * The message a payload carries, unless this instance sent it.
   *
   * @param payload a payload that {@link #isMessage} accepts
   * @return the message; empty for this instance's own, or for one this version cannot read
   */
  Optional<Message> decode(String payload) {
    int senderEnd = payload.indexOf(':', 2);
    int countEnd = senderEnd < 0 ? -1 : payload.indexOf(':', senderEnd + 1);
    int sentEnd = countEnd < 0 ? -1 : payload.indexOf(':', countEnd + 1);
    int channelEnd = sentEnd < 0 ? -1 : payload.indexOf(' ', sentEnd + 1);
    if (channelEnd < 0) {
      return Optional.empty();
    }
    if (senderEnd - 2 == sender.length() && payload.startsWith(sender, 2)) {
      return Optional.empty(); // ours, delivered here at commit
    }
    try {
      long sentAt = Long.parseLong(payload, countEnd + 1, sentEnd, 10);
      String channel = payload.substring(sentEnd + 1, channelEnd);
      String body = payload.substring(channelEnd + 1);
      return Optional.of(
          payload.charAt(0) == 'm'
              ? new Message(channel, sentAt, body, 0)
              : new Message(channel, sentAt, null, Long.parseLong(body)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
