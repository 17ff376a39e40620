package dev.gander.internal.pubsub;

import dev.gander.internal.spi.StreamOps;
import dev.gander.pubsub.Notification;
import java.util.ArrayDeque;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A listener where notifications are kept in a table (SQLite): reads its channel's stream after the
 * offset it started at, woken by the commits that append to it. Ones pruned before it read them, or
 * sent longer ago than the retention, are skipped: pub/sub is not durable.
 */
final class TableListener extends AbstractListener {
  /** Notifications read at a time. */
  private static final int BATCH = 256;

  private final String stream;
  private final ArrayDeque<Notification> buffer = new ArrayDeque<>();
  private long after;

  TableListener(PubSubRuntime rt, String channel, long after) {
    super(rt, channel);
    this.stream = PubSubRuntime.PREFIX + channel;
    this.after = after;
  }

  @Override
  @Nullable Notification fetch() {
    // What was sent longer ago than the retention is dropped, as a sender's prune would have
    // deleted it: a listener further behind than that misses it, whether or not anyone has sent
    // since to prune it.
    long oldest = rt.clock.millis() - rt.retentionMs();
    while (true) {
      if (buffer.isEmpty()) {
        long from = after;
        List<StreamOps.StoredEvent> rows =
            rt.tx.runOneStatementRead(t -> rt.ops.read(t, stream, from, BATCH));
        if (rows.isEmpty()) {
          return null;
        }
        for (StreamOps.StoredEvent row : rows) {
          after = row.offset();
          if (row.occurredAt() >= oldest) {
            buffer.addLast(rt.notification(channel, row));
          }
        }
      }
      Notification n = buffer.pollFirst();
      if (n != null && n.sentAt().toEpochMilli() >= oldest) {
        return n;
      }
    }
  }

  @Override
  public String toString() {
    return "Listener[" + channel + ", after " + after + "]";
  }
}
