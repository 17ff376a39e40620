package dev.gander.eventlog;

import dev.gander.stream.ConsumerLaggedException;

/**
 * A subscriber's next events were compacted away before it read them. The subscription goes on
 * after them; this says which it missed. It is the only way a subscriber skips an event: a slow
 * subscriber otherwise loses nothing, on every backend. A {@link ConsumerLaggedException}, as a
 * stream's subscription reports the same.
 */
public class SubscriberLaggedException extends ConsumerLaggedException {
  private static final long serialVersionUID = 1L;

  /** The topic's name. */
  private final String topic;

  /**
   * Creates the exception.
   *
   * @param topic the topic
   * @param firstMissed the first offset missed
   * @param lastMissed the last offset missed
   */
  public SubscriberLaggedException(Topic topic, long firstMissed, long lastMissed) {
    super(
        "A subscriber of topic '"
            + topic.name()
            + "' missed events "
            + firstMissed
            + " to "
            + lastMissed
            + ": they were compacted away before it read them. It goes on after "
            + lastMissed
            + ". Compact only below what every subscriber has read (the lowest consumer cursor,"
            + " for instance).",
        firstMissed,
        lastMissed);
    this.topic = topic.name();
  }

  /**
   * The topic.
   *
   * @return the topic
   */
  public Topic topic() {
    return new Topic(topic);
  }
}
