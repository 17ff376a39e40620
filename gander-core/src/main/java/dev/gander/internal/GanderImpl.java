package dev.gander.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gander.Gander;
import dev.gander.WakeMode;
import dev.gander.internal.queue.JsonCodec;
import dev.gander.internal.queue.QueueRuntime;
import dev.gander.internal.sqlite.SqliteStore;
import dev.gander.queue.Queue;
import dev.gander.queue.QueueOptions;
import dev.gander.queue.Results;
import dev.gander.store.Store;
import java.time.Clock;

/** The SQLite-backed {@link Gander}. */
public final class GanderImpl implements Gander {
  private final SqliteStore store;
  private final QueueRuntime queues;

  /**
   * Wraps an open store; the instance owns it and closes it.
   *
   * @param store the store
   * @param clock time for run times, leases and TTLs
   * @param mapper JSON for payloads and results
   * @param wakeMode how commits of other processes are noticed
   */
  public GanderImpl(Store store, Clock clock, ObjectMapper mapper, WakeMode wakeMode) {
    this.store = (SqliteStore) store;
    this.queues = new QueueRuntime(this.store, new JsonCodec(mapper), clock, wakeMode);
  }

  @Override
  public Queue queue(String name, QueueOptions options) {
    checkOpen();
    return queues.queue(name, options);
  }

  @Override
  public Results results() {
    return queues.results();
  }

  @Override
  public Store store() {
    return store;
  }

  /**
   * How many wake-up keys take memory now (see {@link QueueRuntime#wakeKeyCount()}).
   *
   * @return the number of keys
   */
  public int wakeKeyCount() {
    return queues.wakeKeyCount();
  }

  private void checkOpen() {
    if (store.isClosed()) {
      throw store.closedException();
    }
  }

  @Override
  public void close() {
    try {
      queues.close();
    } finally {
      store.close();
    }
  }

  @Override
  public String toString() {
    return "Gander[" + store.path() + "]";
  }
}
