package dev.gander.internal.eventlog;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * File names for topics and consumers. A name keeps the characters every file system takes ({@code
 * A-Z a-z 0-9 . _ -}), replaces the others with {@code _}, and ends with 8 hexadecimal digits of
 * the SHA-256 of the exact name: so {@code a:b} and {@code a_b}, or {@code Orders} and {@code
 * orders} on a file system that ignores case, never share a file, and a person can still tell which
 * file is which topic.
 */
final class FileNames {
  /** The suffix of a file being written, renamed over the real one when complete. */
  static final String TEMP_SUFFIX = ".tmp";

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private FileNames() {}

  /**
   * The stem of a file for a name.
   *
   * @param name a topic or consumer name
   * @return the sanitised name, a dash and a short hash of the exact name
   */
  static String stem(String name) {
    StringBuilder b = new StringBuilder(name.length() + 9);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean safe =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      b.append(safe ? c : '_');
    }
    byte[] hash = sha256(name);
    b.append('-');
    for (int i = 0; i < 4; i++) {
      b.append(HEX[(hash[i] >> 4) & 0xf]).append(HEX[hash[i] & 0xf]);
    }
    return b.toString();
  }

  private static byte[] sha256(String name) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
