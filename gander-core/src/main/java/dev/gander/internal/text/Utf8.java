package dev.gander.internal.text;

/**
 * Java strings as UTF-8: their size, and the one kind of string UTF-8 cannot hold.
 *
 * <p>A Java string is UTF-16, and may hold a <em>lone surrogate</em>: one half of a pair that
 * encodes a character outside the Basic Multilingual Plane (an emoji cut in half, say), without the
 * other half. UTF-8 has no bytes for it; Java's encoder, and so sqlite-jdbc, pgjdbc and every file
 * written with {@code getBytes(UTF_8)}, silently writes {@code ?} instead. Gander refuses such text
 * where it would be stored, rather than store something other than what it was given.
 */
public final class Utf8 {
  private Utf8() {}

  /**
   * The number of bytes Java's UTF-8 encoder writes for {@code s}: a lone surrogate counts as the
   * one byte {@code ?} it is written as.
   *
   * @param s the text
   * @return its size in bytes
   */
  public static int length(CharSequence s) {
    int n = s.length();
    int bytes = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        continue;
      }
      if (c < 0x800) {
        bytes += 1;
      } else if (!Character.isSurrogate(c)) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 2; // four bytes for the two chars of the pair
        i++;
      }
    }
    return bytes;
  }

  /**
   * Where the first lone surrogate is.
   *
   * @param s the text
   * @return the index of the first char that is half of a surrogate pair without the other half, or
   *     -1 if there is none
   */
  public static int loneSurrogate(CharSequence s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (!Character.isSurrogate(c)) {
        continue;
      }
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else {
        return i;
      }
    }
    return -1;
  }

  /**
   * A sentence for an error message about the lone surrogate at {@code index}.
   *
   * @param s the text
   * @param index where {@link #loneSurrogate} found it
   * @return what it is and where, and what to do
   */
  public static String describeLoneSurrogate(CharSequence s, int index) {
    return String.format(
        "it holds a lone UTF-16 surrogate (\\u%04X at character %d), half of a character"
            + " without its other half (often an emoji cut in two), which UTF-8 cannot store;"
            + " fix or drop that character",
        (int) s.charAt(index), index);
  }
}
