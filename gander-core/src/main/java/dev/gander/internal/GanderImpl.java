package dev.gander.internal;

import dev.gander.Gander;
import dev.gander.internal.coord.LockRuntime;
import dev.gander.internal.coord.LockWakeChecker;
import dev.gander.internal.coord.RateLimiter;
import dev.gander.internal.pubsub.PubSubRuntime;
import dev.gander.internal.queue.JsonCodec;
import dev.gander.internal.queue.QueueRuntime;
import dev.gander.internal.schedule.SchedulerImpl;
import dev.gander.internal.spi.Backend;
import dev.gander.internal.spi.ChangeNotifier;
import dev.gander.internal.stream.StreamRuntime;
import dev.gander.internal.stream.StreamWakeChecker;
import dev.gander.internal.wake.WakeHub;
import dev.gander.lock.Lock;
import dev.gander.lock.LockInfo;
import dev.gander.pubsub.Listener;
import dev.gander.pubsub.Notification;
import dev.gander.queue.Queue;
import dev.gander.queue.QueueOptions;
import dev.gander.queue.Results;
import dev.gander.ratelimit.RateLimitDecision;
import dev.gander.schedule.Scheduler;
import dev.gander.spi.OpenRequest;
import dev.gander.store.Store;
import dev.gander.store.Transaction;
import dev.gander.stream.Stream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** A {@link Gander} on any backend: every capability built on one {@link Backend}. */
public final class GanderImpl implements Gander {
  private final Backend backend;
  private final WakeHub hub = new WakeHub();
  private final ChangeNotifier notifier;
  private final QueueRuntime queues;
  private final StreamRuntime streams;
  private final PubSubRuntime pubsub;
  private final LockRuntime locks;
  private final RateLimiter rateLimiter;
  private final SchedulerImpl scheduler;

  /**
   * Builds every capability on an open backend; the instance owns it and closes it.
   *
   * @param backend the database
   * @param request what the application asked for: clock, JSON mapper, retention settings
   */
  public GanderImpl(Backend backend, OpenRequest request) {
    this.backend = backend;
    Clock time = backend.clock(request.clock());
    JsonCodec codec = new JsonCodec(request.mapper());
    StreamWakeChecker streamChecker = new StreamWakeChecker(backend.streams());
    this.notifier =
        backend.notifier(
            hub,
            new WakeFilters(
                QueueRuntime.wakeFilter(backend, time),
                streamChecker,
                new LockWakeChecker(backend.locks())));
    this.queues = new QueueRuntime(backend, codec, time, hub, notifier);
    this.streams =
        new StreamRuntime(
            backend, codec, time, hub, notifier, streamChecker, request.retentionPeriod());
    this.pubsub =
        new PubSubRuntime(
            backend, codec, time, hub, notifier, streamChecker, request.notificationRetention());
    this.locks = new LockRuntime(backend, time, hub, notifier);
    this.rateLimiter = new RateLimiter(backend, time);
    this.scheduler = new SchedulerImpl(backend, queues, codec, time, hub, notifier);
  }

  @Override
  public Optional<Lock> tryLock(String name, String owner, Duration ttl) {
    return locks.tryLock(name, owner, ttl);
  }

  @Override
  public Optional<Lock> lock(String name, String owner, Duration ttl, Duration wait) {
    checkOpen();
    return locks.lock(name, owner, ttl, wait);
  }

  @Override
  public List<LockInfo> locks() {
    return locks.locks();
  }

  @Override
  public boolean tryRateLimit(String key, int limit, Duration window) {
    return rateLimiter.decide(key, limit, window).allowed();
  }

  @Override
  public RateLimitDecision rateLimit(String key, int limit, Duration window) {
    return rateLimiter.decide(key, limit, window);
  }

  @Override
  public Scheduler scheduler() {
    checkOpen();
    return scheduler;
  }

  @Override
  public List<Stream> streams() {
    checkOpen();
    return streams.streams();
  }

  @Override
  public void notify(String channel, @Nullable Object payload) {
    pubsub.send(null, channel, payload);
  }

  @Override
  public void notify(Transaction tx, String channel, @Nullable Object payload) {
    pubsub.send(Objects.requireNonNull(tx, "tx"), channel, payload);
  }

  @Override
  public Listener listen(String channel) {
    return pubsub.listen(channel, null);
  }

  @Override
  public Listener listen(String channel, Consumer<Notification> callback) {
    return pubsub.listen(channel, Objects.requireNonNull(callback, "callback"));
  }

  @Override
  public Stream stream(String name) {
    checkOpen();
    return streams.stream(name);
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
      scheduler.close();
      queues.close();
      streams.close();
      pubsub.close();
      hub.close();
      notifier.close();
    } finally {
      backend.close();
    }
  }

  @Override
  public String toString() {
    return "Gander[" + backend.name() + "]";
  }
}
