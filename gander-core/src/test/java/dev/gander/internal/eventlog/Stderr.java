package dev.gander.internal.eventlog;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What the test's logging backend (slf4j-simple, which writes to {@code System.err} as it is at
 * each call) prints while an action runs. Tests run one at a time in their JVM.
 */
final class Stderr {
  private Stderr() {}

  /** An action that may throw. */
  interface Action {
    void run() throws Exception;
  }

  static String of(Action action) throws Exception {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (PrintStream p = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      System.setErr(p);
      action.run();
    } finally {
      System.setErr(original);
    }
    String text = captured.toString(StandardCharsets.UTF_8);
    original.print(text); // still in the test's report
    return text;
  }
}
