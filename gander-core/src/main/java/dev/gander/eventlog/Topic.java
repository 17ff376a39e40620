package dev.gander.eventlog;

/**
 * The name of a topic of an {@link EventLog}: 1 to 128 characters from {@code A-Z a-z 0-9 . _ : -},
 * starting with a letter or digit (the rule of Gander's stream names; on the database backends a
 * topic is the stream of the same name).
 *
 * @param name the name
 */
public record Topic(String name) {
  /**
   * Checks the name.
   *
   * @param name the name
   * @throws dev.gander.InvalidNameException if it breaks the rule
   */
  public Topic {
    NameRule.check("topic", name);
  }

  /**
   * A topic by name.
   *
   * @param name the name
   * @return the topic
   * @throws dev.gander.InvalidNameException if the name breaks the rule
   */
  public static Topic of(String name) {
    return new Topic(name);
  }

  @Override
  public String toString() {
    return name;
  }
}
