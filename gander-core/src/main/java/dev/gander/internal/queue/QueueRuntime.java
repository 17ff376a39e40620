package dev.gander.internal.queue;

import dev.gander.WakeMode;
import dev.gander.internal.sqlite.CommitWatcher;
import dev.gander.internal.sqlite.SqliteStore;
import dev.gander.internal.wake.WakeHub;
import dev.gander.queue.Queue;
import dev.gander.queue.QueueOptions;
import dev.gander.queue.Results;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything the queues of one database share: the engine, the wake-up hub, the commit watcher, the
 * sweeper and the workers started through it. Threads start only when something consumes.
 */
public final class QueueRuntime implements AutoCloseable {
  private final QueueEngine engine;
  private final WakeHub hub;
  private final CommitWatcher watcher;
  private final Sweeper sweeper;
  private final ResultsImpl results;
  private final Set<ManagedWorker> workers = ConcurrentHashMap.newKeySet();

  /**
   * Creates the runtime; starts nothing.
   *
   * @param store the store
   * @param codec JSON
   * @param clock time
   * @param mode how foreign commits are noticed
   */
  public QueueRuntime(SqliteStore store, JsonCodec codec, Clock clock, WakeMode mode) {
    this.hub = new WakeHub();
    String name = store.path().getFileName().toString();
    this.watcher = new CommitWatcher(store, hub, mode, new QueueWakeChecker(clock));
    Sweeper[] sweeperRef = new Sweeper[1];
    this.engine =
        new QueueEngine(
            store,
            codec,
            clock,
            hub,
            () -> {
              watcher.ensureStarted();
              sweeperRef[0].ensureStarted();
            });
    this.sweeper = new Sweeper(engine, name);
    sweeperRef[0] = sweeper;
    engine.leaseHint = sweeper::hint;
    this.results = new ResultsImpl(engine);
  }

  /**
   * A queue handle.
   *
   * @param name the queue's name
   * @param options the handle's options
   * @return the handle
   */
  public Queue queue(String name, QueueOptions options) {
    return new SqliteQueue(engine, name, options, workers::add);
  }

  /**
   * The results view.
   *
   * @return the results
   */
  public Results results() {
    return results;
  }

  /**
   * Whether the commit watcher is using kernel file events.
   *
   * @return {@code true} for file events, {@code false} for polling or not started
   */
  public boolean usingFileEvents() {
    return watcher.usingFileEvents();
  }

  /**
   * How many wake-up keys take memory now: only keys someone waits on, for the test of the rule
   * that memory per name is released.
   *
   * @return the number of keys
   */
  public int wakeKeyCount() {
    return hub.keyCount();
  }

  /** Closes workers (gracefully), then the sweeper, waiters and the watcher. */
  @Override
  public void close() {
    List<ManagedWorker> started = new ArrayList<>(workers);
    for (ManagedWorker w : started) {
      w.close(true);
    }
    sweeper.close();
    hub.close();
    watcher.close();
  }
}
