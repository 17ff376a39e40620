package dev.gander.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gander.Gander;
import dev.gander.internal.queue.JsonCodec;
import dev.gander.internal.queue.QueueRuntime;
import dev.gander.internal.spi.Backend;
import dev.gander.queue.Queue;
import dev.gander.queue.QueueOptions;
import dev.gander.queue.Results;
import dev.gander.store.Store;
import java.time.Clock;

/** A {@link Gander} on any backend: every capability built on one {@link Backend}. */
public final class GanderImpl implements Gander {
  private final Backend backend;
  private final QueueRuntime queues;

  /**
   * Builds every capability on an open backend; the instance owns it and closes it.
   *
   * @param backend the database
   * @param clock time for run times, leases and TTLs, as configured; the backend may replace it
   *     with its own ({@link Backend#clock(Clock)})
   * @param mapper JSON for payloads and results
   */
  public GanderImpl(Backend backend, Clock clock, ObjectMapper mapper) {
    this.backend = backend;
    this.queues = new QueueRuntime(backend, new JsonCodec(mapper), backend.clock(clock));
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
    return backend.store();
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
    if (backend.transactions().isClosed()) {
      throw backend.transactions().closedException();
    }
  }

  @Override
  public void close() {
    try {
      queues.close();
    } finally {
      backend.close();
    }
  }

  @Override
  public String toString() {
    return "Gander[" + backend.name() + "]";
  }
}
