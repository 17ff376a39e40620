package dev.gander.internal.spi;

import java.sql.SQLException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Pub/sub messages that a backend carries itself, with no table in between: PostgreSQL's {@code
 * NOTIFY} payloads. A backend without such a carrier (SQLite) offers none, and pub/sub keeps its
 * notifications in a short-lived stream instead.
 *
 * <p>A message sent in a transaction reaches every other process subscribed on the same database
 * when the transaction commits, never if it rolls back, in commit order. The sending process does
 * not receive its own messages back: pub/sub hands them to its own listeners after the commit.
 * Messages sent while a subscriber's connection was down are lost to it.
 */
public interface MessageBus {
  /**
   * One notification as it travels: its JSON inline, or the offset of the row that holds it in the
   * channel's stream when it is too large for the carrier.
   *
   * @param channel the channel
   * @param sentAt when it was sent, in epoch milliseconds of the backend's clock
   * @param json the payload, or {@code null} when it travels by reference
   * @param offset the row's offset in the channel's stream when {@code json} is {@code null}, else
   *     0
   */
  record Message(String channel, long sentAt, @Nullable String json, long offset) {}

  /**
   * Whether a payload travels inline on this channel.
   *
   * @param channel the channel
   * @param json the payload
   * @return {@code false} if it is too large and must be stored and sent by reference
   */
  boolean fits(String channel, String json);

  /**
   * Sends a message with {@code tx}: delivered to the other processes when it commits.
   *
   * @param tx the sending transaction
   * @param message the message
   * @throws SQLException if the backend refuses it
   */
  void send(Tx tx, Message message) throws SQLException;

  /**
   * Hands every message of other processes to {@code sink} from now on, on one thread in the order
   * received; returns once listening, so nothing committed after it returns is missed. The sink
   * must be quick. Only one sink; a second call replaces it.
   *
   * @param sink where messages go
   * @throws dev.gander.GanderException if listening could not start
   */
  void subscribe(Consumer<Message> sink);
}
