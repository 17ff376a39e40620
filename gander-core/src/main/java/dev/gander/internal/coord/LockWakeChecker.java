package dev.gander.internal.coord;

import dev.gander.internal.spi.LockOps;
import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.WakeKey;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Decides, after another process committed something unnamed, whether a waited lock may have come
 * free: its row changed since the last look. Runs only on the notifier's thread.
 */
public final class LockWakeChecker {
  private final LockOps ops;
  private final Map<WakeKey, Optional<LockOps.Holder>> lastSeen = new HashMap<>();

  /**
   * Creates the checker.
   *
   * @param ops the backend's lock operations
   */
  public LockWakeChecker(LockOps ops) {
    this.ops = ops;
  }

  /**
   * Whether the lock's waiters should try again.
   *
   * @param snapshot a read after the foreign commit
   * @param key the waited key
   * @return whether to wake them
   * @throws SQLException if the read fails
   */
  public boolean changed(Tx snapshot, WakeKey.LockReleased key) throws SQLException {
    Optional<LockOps.Holder> now = ops.holder(snapshot, key.name());
    Optional<LockOps.Holder> before = lastSeen.put(key, now);
    return before == null || !before.equals(now);
  }

  /**
   * Forgets locks nobody waits on.
   *
   * @param waited the keys waited on now
   */
  public void retainOnly(Collection<WakeKey> waited) {
    lastSeen.keySet().retainAll(waited);
  }
}
