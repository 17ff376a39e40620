package dev.gander.internal.pubsub;

import dev.gander.GanderClosedException;
import dev.gander.internal.PeriodicTask;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes stored notifications older than the retention, every quarter of it, on a thread of its
 * own ({@code gander-pubsub-prune-<name>}), while this process has sent any that may still be
 * stored: it stops once everything this process sent is older than the retention and a prune has
 * run since, and the next send starts it again. So what a process sent is gone about one retention
 * later whether or not anyone sends after it; a process that sends nothing starts no thread.
 */
final class Pruner extends PeriodicTask {
  private static final Logger log = LoggerFactory.getLogger(Pruner.class);

  private final Runnable prune;
  private final long keepNanos;
  private final long periodNanos;
  private volatile long lastSent;

  /**
   * Creates the pruner; starts nothing.
   *
   * @param prune deletes what is older than the retention, in a write of its own
   * @param name the database's name, for the thread's
   * @param retentionMs the retention
   */
  Pruner(Runnable prune, String name, long retentionMs) {
    this(prune, name, TimeUnit.MILLISECONDS.toNanos(retentionMs), period(retentionMs));
  }

  private Pruner(Runnable prune, String name, long keepNanos, long periodNanos) {
    super("gander-pubsub-prune-" + name, periodNanos);
    this.prune = prune;
    this.keepNanos = keepNanos;
    this.periodNanos = periodNanos;
  }

  private static long period(long retentionMs) {
    return Math.max(
        TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(retentionMs) / 4);
  }

  /** A notification was stored: prune until it is older than the retention. */
  void sent() {
    lastSent = System.nanoTime();
    start();
  }

  @Override
  protected boolean round() {
    long started = System.nanoTime();
    try {
      prune.run();
    } catch (GanderClosedException e) {
      throw e; // ends the thread
    } catch (RuntimeException e) {
      log.warn("Pruning old notifications failed; trying again later: {}", e.toString());
      return true;
    }
    // The prune deleted what was sent before started - retention: go on unless that is all this
    // process sent (with a period's margin for the clocks).
    return started - lastSent <= keepNanos + periodNanos;
  }
}
