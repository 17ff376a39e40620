package dev.gander.internal;

import dev.gander.internal.coord.LockWakeChecker;
import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.WakeFilter;
import dev.gander.internal.spi.WakeKey;
import dev.gander.internal.stream.StreamWakeChecker;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The wake filter of one database: each capability decides about its own keys (streams here, queues
 * and the rest in the queues' filter).
 */
final class WakeFilters implements WakeFilter {
  private final WakeFilter queues;
  private final StreamWakeChecker streams;
  private final LockWakeChecker locks;

  WakeFilters(WakeFilter queues, StreamWakeChecker streams, LockWakeChecker locks) {
    this.queues = queues;
    this.streams = streams;
    this.locks = locks;
  }

  @Override
  public List<WakeKey> keysToWake(Tx snapshot, List<WakeKey> waited) throws SQLException {
    List<WakeKey> others = new ArrayList<>(waited.size());
    List<WakeKey> wake = new ArrayList<>();
    for (WakeKey key : waited) {
      if (key instanceof WakeKey.StreamAppended) {
        if (streams.changed(snapshot, (WakeKey.StreamAppended) key)) {
          wake.add(key);
        }
      } else if (key instanceof WakeKey.LockReleased) {
        if (locks.changed(snapshot, (WakeKey.LockReleased) key)) {
          wake.add(key);
        }
      } else {
        others.add(key);
      }
    }
    if (!others.isEmpty()) {
      wake.addAll(queues.keysToWake(snapshot, others));
    }
    return wake;
  }

  @Override
  public void retainOnly(Collection<WakeKey> waited) {
    queues.retainOnly(waited);
    streams.retainOnly(waited);
    locks.retainOnly(waited);
  }
}
