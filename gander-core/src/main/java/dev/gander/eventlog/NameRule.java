package dev.gander.eventlog;

import dev.gander.InvalidNameException;
import java.util.regex.Pattern;

/**
 * The rule for names of topics, consumers and event kinds: Gander's rule for stream and consumer
 * names, so that every topic is a stream on the database backends and the reverse. It is written
 * here again, not called, because the API may not reach {@code dev.gander.internal}; {@code
 * LogEventTest} checks that the two agree.
 */
final class NameRule {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

  private NameRule() {}

  static String check(String kind, String name) {
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
