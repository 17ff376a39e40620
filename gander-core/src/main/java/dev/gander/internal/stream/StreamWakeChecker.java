package dev.gander.internal.stream;

import dev.gander.internal.spi.StreamOps;
import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.WakeKey;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Decides, after another process committed something unnamed, whether a waited stream may have
 * changed: its last offset or its compaction moved since the last look. Runs only on the notifier's
 * thread.
 */
public final class StreamWakeChecker {
  private final StreamOps ops;
  private final Map<WakeKey, StreamOps.Head> lastSeen = new HashMap<>();

  /**
   * Creates the checker.
   *
   * @param ops the backend's stream operations
   */
  public StreamWakeChecker(StreamOps ops) {
    this.ops = ops;
  }

  /**
   * Whether the stream's subscribers should read on.
   *
   * @param snapshot a read after the foreign commit
   * @param key the waited key
   * @return whether to wake its waiters
   * @throws SQLException if the read fails
   */
  public boolean changed(Tx snapshot, WakeKey.StreamAppended key) throws SQLException {
    StreamOps.Head now = ops.head(snapshot, key.stream());
    StreamOps.Head before = lastSeen.put(key, now);
    // The first look wakes: the waiter may have read before the commit this check is for.
    return before == null || !before.equals(now);
  }

  /**
   * Forgets streams nobody waits on.
   *
   * @param waited the keys waited on now
   */
  public void retainOnly(Collection<WakeKey> waited) {
    lastSeen.keySet().retainAll(waited);
  }
}
