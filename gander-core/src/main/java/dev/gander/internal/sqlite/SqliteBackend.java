package dev.gander.internal.sqlite;

import dev.gander.internal.spi.Backend;
import dev.gander.internal.spi.ChangeNotifier;
import dev.gander.internal.spi.JobOps;
import dev.gander.internal.spi.LockOps;
import dev.gander.internal.spi.RateLimitOps;
import dev.gander.internal.spi.ScheduleOps;
import dev.gander.internal.spi.StreamOps;
import dev.gander.internal.spi.TxRunner;
import dev.gander.internal.spi.Waiters;
import dev.gander.internal.spi.WakeFilter;
import dev.gander.sqlite.WakeMode;
import dev.gander.store.Store;

/** One SQLite file as a {@link Backend}: its store, its jobs SQL and its commit watcher. */
public final class SqliteBackend implements Backend {
  private final SqliteStore store;
  private final WakeMode wakeMode;
  private final SqliteJobs jobs = new SqliteJobs();
  private final SqliteStreams streams = new SqliteStreams();
  private final SqliteLocks locks = new SqliteLocks();
  private final SqliteRateLimits rateLimits = new SqliteRateLimits();
  private final SqliteSchedules schedules = new SqliteSchedules();

  /**
   * Wraps an open store; the backend owns it and closes it.
   *
   * @param store the store
   * @param wakeMode how commits of other processes are noticed
   */
  public SqliteBackend(SqliteStore store, WakeMode wakeMode) {
    this.store = store;
    this.wakeMode = wakeMode;
  }

  @Override
  public TxRunner transactions() {
    return store;
  }

  @Override
  public JobOps jobs() {
    return jobs;
  }

  @Override
  public StreamOps streams() {
    return streams;
  }

  @Override
  public LockOps locks() {
    return locks;
  }

  @Override
  public RateLimitOps rateLimits() {
    return rateLimits;
  }

  @Override
  public ScheduleOps schedules() {
    return schedules;
  }

  @Override
  public boolean checkpoint() {
    return store.checkpointNow();
  }

  @Override
  public ChangeNotifier notifier(Waiters waiters, WakeFilter filter) {
    return new SqliteNotifier(waiters, new CommitWatcher(store, waiters, wakeMode, filter));
  }

  @Override
  public Store store() {
    return store;
  }

  @Override
  public String name() {
    return store.path().getFileName().toString();
  }

  @Override
  public void close() {
    store.close();
  }
}
