package dev.gander.queue;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for something a background thread does (the sweeper re-reads the clock at least once a real
 * second), re-checking every 10 ms. A bound on the wait, not an assertion on its length.
 */
final class Await {
  private Await() {}

  static void until(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 20 s: " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }
}
