package dev.gander.internal.queue;

import dev.gander.internal.spi.Backend;
import dev.gander.internal.spi.ChangeNotifier;
import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.WakeFilter;
import dev.gander.internal.wake.WakeHub;
import dev.gander.queue.EnqueueOptions;
import dev.gander.queue.EnqueueResult;
import dev.gander.queue.Queue;
import dev.gander.queue.QueueOptions;
import dev.gander.queue.Results;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything the queues of one database share: the job lifecycle, the in-process waiters, the
 * backend's notifier, the sweeper and the workers started through it. Threads start only when
 * something consumes.
 */
public final class QueueRuntime implements AutoCloseable {
  private final JobLifecycle engine;
  private final WakeHub hub;
  private final Sweeper sweeper;
  private final ResultsImpl results;
  private final Set<ManagedWorker> workers = ConcurrentHashMap.newKeySet();

  /**
   * Creates the runtime on a backend; starts nothing.
   *
   * @param backend the open database
   * @param codec JSON
   * @param clock time
   * @param hub the database's in-process waiters, shared by every capability
   * @param notifier the database's notifier, shared by every capability
   */
  public QueueRuntime(
      Backend backend, JsonCodec codec, Clock clock, WakeHub hub, ChangeNotifier notifier) {
    this.hub = hub;
    Sweeper[] sweeperRef = new Sweeper[1];
    this.engine =
        new JobLifecycle(backend, codec, clock, hub, notifier, () -> sweeperRef[0].ensureStarted());
    this.sweeper = new Sweeper(engine, backend.name());
    sweeperRef[0] = sweeper;
    engine.leaseHint = sweeper::hint;
    this.results = new ResultsImpl(engine);
  }

  /**
   * What decides, after another process's unnamed commit, which queue waiters to wake.
   *
   * @param backend the open database
   * @param clock time
   * @return the filter
   */
  public static WakeFilter wakeFilter(Backend backend, Clock clock) {
    return new QueueWakeChecker(backend.jobs(), clock);
  }

  /**
   * A queue handle.
   *
   * @param name the queue's name
   * @param options the handle's options
   * @return the handle
   */
  public Queue queue(String name, QueueOptions options) {
    return new QueueHandle(engine, name, options, workers::add);
  }

  /**
   * Enqueues one job whose payload is already JSON, in a transaction the caller runs: the scheduler
   * moves a task's tick cursor and enqueues the tick's job atomically.
   *
   * @param t the caller's transaction
   * @param queue the queue, already checked
   * @param json the payload
   * @param options the job's options; attempts default to the queue defaults'
   * @return the job's id, or the live holder's if its unique key is taken
   * @throws SQLException if the insert fails
   */
  public EnqueueResult enqueueIn(Tx t, String queue, String json, EnqueueOptions options)
      throws SQLException {
    int attempts = options.maxAttempts().orElse(QueueOptions.defaults().maxAttempts());
    return engine.enqueueIn(t, queue, new JobEnqueue.NewJob(json, options, attempts));
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
   * How many wake-up keys take memory now: only keys someone waits on, for the test of the rule
   * that memory per name is released.
   *
   * @return the number of keys
   */
  public int wakeKeyCount() {
    return hub.keyCount();
  }

  /** Closes workers (gracefully), then the sweeper; the waiters and notifier are the owner's. */
  @Override
  public void close() {
    List<ManagedWorker> started = new ArrayList<>(workers);
    for (ManagedWorker w : started) {
      w.close(true);
    }
    sweeper.close();
  }
}
