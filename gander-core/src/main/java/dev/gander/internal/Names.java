package dev.gander.internal;

import dev.gander.InvalidNameException;
import java.util.regex.Pattern;

/** Validation of the names of queues, streams, channels, locks and consumers. */
public final class Names {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

  private Names() {}

  /**
   * Whether {@code name} is allowed.
   *
   * @param name the name
   * @return whether it follows the rule
   */
  public static boolean isValid(String name) {
    return name != null && VALID.matcher(name).matches();
  }

  /**
   * Returns {@code name} if it is allowed.
   *
   * @param kind what is being named, for the message ("queue")
   * @param name the name
   * @return the name
   * @throws InvalidNameException if it is not allowed
   */
  public static String check(String kind, String name) {
    if (name == null || !VALID.matcher(name).matches()) {
      throw new InvalidNameException(
          "Invalid "
              + kind
              + " name "
              + (name == null ? "null" : "'" + name + "'")
              + ": use 1 to 128 letters, digits, '.', '_', '-' or ':', starting with a letter or"
              + " digit");
    }
    return name;
  }
}
