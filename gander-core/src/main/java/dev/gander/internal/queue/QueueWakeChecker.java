package dev.gander.internal.queue;

import dev.gander.internal.spi.JobOps;
import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.WakeFilter;
import dev.gander.internal.spi.WakeKey;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Decides, after another process committed, which waiters to wake: a queue's waiters when it has
 * claimable work or its next scheduled run time changed; drain and result waiters always (they
 * re-read a little). Runs only on the notifier's thread.
 */
final class QueueWakeChecker implements WakeFilter {
  private final JobOps ops;
  private final Clock clock;
  private final Map<WakeKey, Long> lastNextRun = new HashMap<>();

  QueueWakeChecker(JobOps ops, Clock clock) {
    this.ops = ops;
    this.clock = clock;
  }

  @Override
  public void retainOnly(Collection<WakeKey> waitedKeys) {
    lastNextRun.keySet().retainAll(waitedKeys);
  }

  @Override
  public List<WakeKey> keysToWake(Tx snapshot, List<WakeKey> waitedKeys) throws SQLException {
    List<WakeKey> wake = new ArrayList<>();
    long now = clock.millis();
    for (WakeKey key : waitedKeys) {
      if (!(key instanceof WakeKey.QueueWork)) {
        wake.add(key);
        continue;
      }
      String queue = ((WakeKey.QueueWork) key).queue();
      boolean hasReady = ops.hasReady(snapshot, queue);
      OptionalLong nextRun = ops.nextScheduled(snapshot, queue);
      long next = nextRun.orElse(Long.MAX_VALUE);
      Long before = lastNextRun.put(key, next);
      if (hasReady || next <= now || (before != null && before != next)) {
        wake.add(key);
      }
    }
    return wake;
  }
}
