package dev.gander.stream;

import dev.gander.GanderException;

/**
 * A subscriber's next events were compacted away before it read them. The subscription goes on
 * after them; this says which it missed. The event log's {@link
 * dev.gander.eventlog.SubscriberLaggedException} is one too, so one {@code catch} serves both.
 */
public class ConsumerLaggedException extends GanderException {
  private static final long serialVersionUID = 1L;

  /** The first offset the consumer missed. */
  private final long firstMissed;

  /** The last offset the consumer missed. */
  private final long lastMissed;

  /**
   * Creates the exception.
   *
   * @param stream the stream
   * @param consumer the consumer
   * @param firstMissed the first offset it missed
   * @param lastMissed the last offset it missed
   */
  public ConsumerLaggedException(
      String stream, String consumer, long firstMissed, long lastMissed) {
    super(
        "Consumer '"
            + consumer
            + "' of stream '"
            + stream
            + "' missed events "
            + firstMissed
            + " to "
            + lastMissed
            + ": they were compacted away before it read them. It goes on after "
            + lastMissed
            + ". Commit offsets as you process, so that compact() keeps what you have not read,"
            + " or avoid forceCompact() past a consumer.");
    this.firstMissed = firstMissed;
    this.lastMissed = lastMissed;
  }

  /**
   * Creates the exception with a message of a subclass's own.
   *
   * @param message the message
   * @param firstMissed the first offset missed
   * @param lastMissed the last offset missed
   */
  protected ConsumerLaggedException(String message, long firstMissed, long lastMissed) {
    super(message);
    this.firstMissed = firstMissed;
    this.lastMissed = lastMissed;
  }

  /**
   * The first offset the consumer missed.
   *
   * @return the offset
   */
  public long firstMissed() {
    return firstMissed;
  }

  /**
   * The last offset the consumer missed; it goes on after this one.
   *
   * @return the offset
   */
  public long lastMissed() {
    return lastMissed;
  }
}
