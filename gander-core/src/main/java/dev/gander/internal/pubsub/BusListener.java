package dev.gander.internal.pubsub;

import dev.gander.internal.spi.MessageBus.Message;
import dev.gander.internal.spi.StreamOps;
import dev.gander.pubsub.Notification;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A listener on a backend that carries messages itself (PostgreSQL): the runtime hands it every
 * message of its channel, from this process at commit and from others as the backend delivers them;
 * it queues them in memory until read. Messages that waited longer than the retention are dropped
 * unread, as a table would have pruned them; one sent by reference whose row is gone is skipped.
 */
final class BusListener extends AbstractListener {
  private record Queued(Message message, long receivedNanos) {}

  private final ArrayDeque<Queued> queue = new ArrayDeque<>();
  private final long retentionNanos;

  BusListener(PubSubRuntime rt, String channel, long retentionNanos) {
    super(rt, channel);
    this.retentionNanos = retentionNanos;
  }

  /** Queues a message and wakes the reader. Called on the delivering thread. */
  void offer(Message m) {
    long now = System.nanoTime();
    synchronized (queue) {
      dropExpired(now);
      queue.addLast(new Queued(m, now));
    }
    wake();
  }

  @Override
  @Nullable Notification fetch() {
    while (true) {
      Message m;
      synchronized (queue) {
        dropExpired(System.nanoTime());
        Queued q = queue.pollFirst();
        if (q == null) {
          return null;
        }
        m = q.message();
      }
      String json = m.json();
      if (json != null) {
        return new Notification(channel, json, Instant.ofEpochMilli(m.sentAt()), rt.decoder);
      }
      String stream = PubSubRuntime.PREFIX + channel;
      long before = m.offset() - 1;
      List<StreamOps.StoredEvent> rows = rt.tx.runRead(t -> rt.ops.read(t, stream, before, 1));
      if (!rows.isEmpty() && rows.get(0).offset() == m.offset()) {
        return rt.notification(channel, rows.get(0));
      }
      // Pruned before this listener read it: gone, as it would be from a table.
    }
  }

  private void dropExpired(long now) {
    Queued head;
    while ((head = queue.peekFirst()) != null && now - head.receivedNanos() > retentionNanos) {
      queue.removeFirst();
    }
  }

  @Override
  void closed() {
    rt.unregister(this);
    synchronized (queue) {
      queue.clear();
    }
  }

  @Override
  public String toString() {
    int size;
    synchronized (queue) {
      size = queue.size();
    }
    return "Listener[" + channel + ", " + size + " queued]";
  }
}
