package dev.gander.internal.queue;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * The error a managed worker records on a job whose handler failed: the start of what {@code
 * printStackTrace} would print, bounded to {@link #MAX_BYTES} bytes of UTF-8 so that a deep or
 * chatty exception cannot bloat the row (the last error is kept on live jobs and dead letters).
 *
 * <pre>
 * java.lang.IllegalStateException: boom
 * 	at com.example.Mailer.send(Mailer.java:42)
 * 	... 12 more
 * Caused by: java.net.ConnectException: Connection refused
 * 	at java.base/sun.nio.ch.Net.connect0(Native Method)
 * 	... 30 more
 * </pre>
 *
 * <p>"{@code ... n more}" counts the frames left out. Only the root cause is shown, not the causes
 * in between.
 */
final class ErrorText {
  /** The largest error, in bytes of UTF-8. */
  static final int MAX_BYTES = 4096;

  /** Frames of the thrown exception: its top is where the handler failed. */
  private static final int MAX_FRAMES = 24;

  /** The root cause gets its line and a few frames, in at most a quarter of the room. */
  private static final int MAX_CAUSE_FRAMES = 4;

  private static final int MAX_CAUSE_BYTES = MAX_BYTES / 4;

  /** Room kept for the "... n more" line: "\n\t... " + up to 10 digits + " more". */
  private static final int MORE_LINE_BYTES = 24;

  /** Causes followed at most when looking for the root (cycles end earlier). */
  private static final int MAX_CAUSE_DEPTH = 100_000;

  private ErrorText() {}

  /**
   * Describes a failure.
   *
   * @param e what the handler threw, or why its job could not be settled
   * @return class, message and top of the stack trace, at most {@link #MAX_BYTES} bytes of UTF-8
   */
  static String of(Throwable e) {
    Throwable root = rootCause(e);
    String cause =
        root == e ? "" : section("\nCaused by: ", root, MAX_CAUSE_FRAMES, MAX_CAUSE_BYTES);
    return section("", e, MAX_FRAMES, MAX_BYTES - utf8Length(cause)) + cause;
  }

  /** A headline and frames in at most {@code maxBytes}; the headline takes at most half. */
  private static String section(String prefix, Throwable t, int maxFrames, int maxBytes) {
    StringBuilder out = new StringBuilder(cut(prefix + headline(t), maxBytes / 2));
    int used = utf8Length(out);
    StackTraceElement[] frames = t.getStackTrace();
    int shown = 0;
    while (shown < Math.min(maxFrames, frames.length)) {
      String line = "\n\tat " + frames[shown];
      int size = utf8Length(line);
      if (used + size + MORE_LINE_BYTES > maxBytes) {
        break;
      }
      out.append(line);
      used += size;
      shown++;
    }
    if (shown < frames.length) {
      out.append("\n\t... ").append(frames.length - shown).append(" more");
    }
    return out.toString();
  }

  /** {@code toString()}, which user code may override, and which may throw. */
  private static String headline(Throwable t) {
    try {
      return String.valueOf(t);
    } catch (RuntimeException | LinkageError | StackOverflowError e) {
      return t.getClass().getName() + " (its toString() threw " + e.getClass().getName() + ")";
    }
  }

  private static Throwable rootCause(Throwable e) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Throwable t = e;
    try {
      // getCause() is user code too; a cycle (a caused by b caused by a) must end.
      for (Throwable c = t.getCause();
          c != null && seen.add(t) && seen.size() < MAX_CAUSE_DEPTH;
          c = t.getCause()) {
        t = c;
      }
      return t;
    } catch (RuntimeException ex) {
      return e;
    }
  }

  /** The longest prefix of {@code s} of at most {@code maxBytes}, not splitting a character. */
  static String cut(String s, int maxBytes) {
    if (utf8Length(s) <= maxBytes) {
      return s;
    }
    String ellipsis = "…";
    int room = maxBytes - utf8Length(ellipsis);
    int bytes = 0;
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + size > room) {
        break;
      }
      bytes += size;
      i += Character.charCount(cp);
    }
    return s.substring(0, i) + ellipsis;
  }

  /** Bytes of UTF-8; a lone surrogate counts 3, as many as any encoder could use. */
  static int utf8Length(CharSequence s) {
    int n = s.length();
    int bytes = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
