package dev.gander.internal.stream;

import dev.gander.GanderClosedException;
import dev.gander.internal.PeriodicTask;
import dev.gander.internal.spi.StreamOps;
import dev.gander.stream.CompactReport;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies every stream's retention rule, every period, on a thread of its own ({@code
 * gander-retention-<name>}). Started by the first subscription or retention rule of this process: a
 * process that only publishes starts no thread. Rules live in the database, so whichever process
 * runs it applies the same ones; running in several processes at once is harmless.
 */
final class RetentionTask extends PeriodicTask {
  private static final Logger log = LoggerFactory.getLogger(RetentionTask.class);

  private final StreamRuntime rt;

  RetentionTask(StreamRuntime rt, String name, Duration period) {
    super("gander-retention-" + name, period.toNanos());
    this.rt = rt;
  }

  void ensureStarted() {
    start();
  }

  @Override
  protected boolean round() {
    applyAll();
    return true;
  }

  /** Applies every rule once; a failure is logged and tried again next period. */
  void applyAll() {
    try {
      List<StreamOps.Retention> rules = rt.tx.runRead(rt.ops::retentions);
      for (StreamOps.Retention rule : rules) {
        CompactReport r = rt.applyRetention(rule.stream());
        if (r.removed() > 0) {
          log.debug("Retention removed {} event(s) of stream '{}'", r.removed(), rule.stream());
        }
      }
    } catch (GanderClosedException e) {
      close();
    } catch (RuntimeException e) {
      log.warn("Applying the streams' retention failed; trying again later: {}", e.toString());
    }
  }
}
