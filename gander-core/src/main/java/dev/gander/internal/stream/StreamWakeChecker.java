package dev.gander.internal.stream;

import dev.gander.internal.spi.StreamOps;
import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.WakeKey;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides, after another process committed something unnamed, whether a waited stream may have
 * changed: its last offset or its compaction moved since the last look. Checks run on the
 * notifier's thread; appends of this process tell it their new last offset ({@link #appended}), so
 * that the watcher, which sees this process's own commits too, does not wake subscribers a second
 * time for what the commit's own signal already woke them for.
 */
public final class StreamWakeChecker {
  private final StreamOps ops;
  private final Map<WakeKey, StreamOps.Head> lastSeen = new ConcurrentHashMap<>();

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
   * Notes, right after a commit of this process appended to a stream and before its waiters are
   * signalled, the stream's new last offset: a later check that finds the stream there sees no
   * change. Safe because the signal that follows makes every waiter read after this commit, which
   * covers every commit before it, another process's included.
   *
   * @param key the stream's key
   * @param latest the last offset the commit appended
   */
  public void appended(WakeKey.StreamAppended key, long latest) {
    lastSeen.computeIfPresent(
        key,
        (k, h) ->
            h.latest() >= latest
                ? h
                : new StreamOps.Head(latest, h.compactedThrough(), h.keepMillis(), h.keepCount()));
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
