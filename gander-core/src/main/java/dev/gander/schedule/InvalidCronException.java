package dev.gander.schedule;

import dev.gander.GanderException;
import org.jspecify.annotations.Nullable;

/** A cron expression could not be parsed; the message gives the parser's reason. */
public class InvalidCronException extends GanderException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the expression and why it is not valid
   * @param cause the parser's failure
   */
  public InvalidCronException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
