package dev.gander.eventlog;

import dev.gander.GanderException;

/**
 * An environment variable that configures the event log has a value it cannot use. The message
 * names the variable, the value and the values allowed; nothing was opened.
 */
public class EventLogConfigException extends GanderException {
  private static final long serialVersionUID = 1L;

  /** The variable. */
  private final String variable;

  /** Its value, as given (a URL without its user information and query string). */
  private final String value;

  /** What it may be. */
  private final String allowed;

  /**
   * Creates the exception.
   *
   * @param variable the environment variable, such as {@code GANDER_EVENT_LOG_BACKEND}
   * @param value its value, shown as given (pass a URL without credentials); empty when the
   *     variable is unset but needed
   * @param allowed what the variable may be, for the message
   */
  public EventLogConfigException(String variable, String value, String allowed) {
    super(
        "Environment variable "
            + variable
            + (value.isEmpty() ? " is unset" : " is '" + value + "'")
            + ", which the event log cannot use; allowed: "
            + allowed
            + ". Fix or unset it.");
    this.variable = variable;
    this.value = value;
    this.allowed = allowed;
  }

  /**
   * The variable with the bad value.
   *
   * @return its name
   */
  public String variable() {
    return variable;
  }

  /**
   * The bad value.
   *
   * @return the value as given
   */
  public String value() {
    return value;
  }

  /**
   * What the variable may be.
   *
   * @return the allowed values, in words
   */
  public String allowed() {
    return allowed;
  }
}
