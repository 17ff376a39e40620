package dev.gander.eventlog;

/**
 * The name of a consumer of a topic, which keeps a cursor with {@link EventLog#ack}: 1 to 128
 * characters from {@code A-Z a-z 0-9 . _ : -}, starting with a letter or digit (on the database
 * backends it is the stream consumer of the same name).
 *
 * @param name the name
 */
public record ConsumerId(String name) {
  /**
   * Checks the name.
   *
   * @param name the name
   * @throws dev.gander.InvalidNameException if it breaks the rule
   */
  public ConsumerId {
    NameRule.check("consumer", name);
  }

  /**
   * A consumer by name.
   *
   * @param name the name
   * @return the consumer
   * @throws dev.gander.InvalidNameException if the name breaks the rule
   */
  public static ConsumerId of(String name) {
    return new ConsumerId(name);
  }

  @Override
  public String toString() {
    return name;
  }
}
