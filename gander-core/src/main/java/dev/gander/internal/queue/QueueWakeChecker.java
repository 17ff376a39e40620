package dev.gander.internal.queue;

import dev.gander.internal.sqlite.CommitWatcher;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides, after another process committed, which waiters to wake: a queue's waiters when it has
 * claimable work or its next scheduled run time changed; result waiters always (they re-read one
 * row). Runs only on the watcher thread.
 */
final class QueueWakeChecker implements CommitWatcher.Checker {
  private final Clock clock;
  private final Map<String, Long> lastNextRun = new HashMap<>();
  private PreparedStatement ready;
  private PreparedStatement nextRun;

  QueueWakeChecker(Clock clock) {
    this.clock = clock;
  }

  @Override
  public void retainOnly(Collection<String> waitedKeys) {
    lastNextRun.keySet().retainAll(waitedKeys);
  }

  @Override
  public List<String> keysToWake(Connection c, List<String> waitedKeys) throws SQLException {
    if (ready == null) {
      ready =
          c.prepareStatement(
              "SELECT EXISTS (SELECT 1 FROM gander_jobs WHERE queue = ? AND state = 0)");
      nextRun =
          c.prepareStatement("SELECT min(run_at) FROM gander_jobs WHERE queue = ? AND state = 2");
    }
    List<String> wake = new ArrayList<>();
    long now = clock.millis();
    for (String key : waitedKeys) {
      if (!key.startsWith("q:")) {
        wake.add(key);
        continue;
      }
      String queue = key.substring(2);
      ready.setString(1, queue);
      boolean hasReady;
      try (ResultSet rs = ready.executeQuery()) {
        hasReady = rs.next() && rs.getInt(1) != 0;
      }
      nextRun.setString(1, queue);
      long next;
      try (ResultSet rs = nextRun.executeQuery()) {
        next = rs.next() ? rs.getLong(1) : 0;
        if (rs.wasNull()) {
          next = Long.MAX_VALUE;
        }
      }
      Long before = lastNextRun.put(key, next);
      if (hasReady || next <= now || (before != null && before != next)) {
        wake.add(key);
      }
    }
    return wake;
  }
}
