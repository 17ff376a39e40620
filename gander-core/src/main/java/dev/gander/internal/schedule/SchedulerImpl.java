package dev.gander.internal.schedule;

import dev.gander.internal.Names;
import dev.gander.internal.Times;
import dev.gander.internal.queue.JsonCodec;
import dev.gander.internal.queue.QueueRuntime;
import dev.gander.internal.spi.Backend;
import dev.gander.internal.spi.ChangeNotifier;
import dev.gander.internal.spi.LockOps;
import dev.gander.internal.spi.ScheduleOps;
import dev.gander.internal.spi.TxRunner;
import dev.gander.internal.wake.WakeHub;
import dev.gander.queue.QueueOptions;
import dev.gander.queue.RawJson;
import dev.gander.schedule.MissedFirePolicy;
import dev.gander.schedule.ScheduledTask;
import dev.gander.schedule.ScheduledTaskInfo;
import dev.gander.schedule.Scheduler;
import dev.gander.schedule.SchedulerRunner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scheduler of one database: tasks through the backend's schedule operations, runners that
 * elect a leader with its lock operations, jobs through the queue runtime.
 */
public final class SchedulerImpl implements Scheduler {
  final TxRunner tx;
  final ScheduleOps ops;
  final LockOps locks;
  final QueueRuntime queues;
  final Clock clock;
  final WakeHub hub;
  final ChangeNotifier notifier;
  final CronRules crons = new CronRules();
  final String database;
  private final JsonCodec codec;
  private final Set<RunnerImpl> runners = ConcurrentHashMap.newKeySet();

  /**
   * Creates the scheduler; starts nothing.
   *
   * @param backend the open database
   * @param queues where ticks enqueue their jobs
   * @param codec JSON of payloads
   * @param clock the time ticks are read against (the server's, on PostgreSQL)
   * @param hub in-process waiters
   * @param notifier the database's notifier
   */
  public SchedulerImpl(
      Backend backend,
      QueueRuntime queues,
      JsonCodec codec,
      Clock clock,
      WakeHub hub,
      ChangeNotifier notifier) {
    this.tx = backend.transactions();
    this.ops = backend.schedules();
    this.locks = backend.locks();
    this.queues = queues;
    this.codec = codec;
    this.clock = clock;
    this.hub = hub;
    this.notifier = notifier;
    this.database = backend.name();
  }

  @Override
  public void add(ScheduledTask task) {
    Objects.requireNonNull(task, "task");
    checkOpen();
    Names.check("scheduled task", task.name());
    Names.check("queue", task.queue());
    crons.parse(task.cron());
    String json =
        codec.encode(
            task.payload(),
            QueueOptions.defaults().maxPayloadBytes(),
            "payload of scheduled task '" + task.name() + "'",
            "keep a scheduled task's payload small, such as an id the job looks up");
    ScheduleOps.Task row =
        new ScheduleOps.Task(
            task.name(),
            task.queue(),
            task.cron(),
            task.zone().getId(),
            json,
            task.priority(),
            task.expiresIn().map(Times::millis).orElse(0L),
            Times.millis(task.jitter()),
            encode(task.missedFirePolicy()),
            false,
            0,
            0);
    tx.runWrite(
        t -> {
          ops.upsert(t, row, clock.millis());
          return null;
        });
    nudge();
  }

  @Override
  public boolean remove(String name) {
    Objects.requireNonNull(name, "name");
    checkOpen();
    boolean removed = tx.runWrite(t -> ops.delete(t, name));
    nudge();
    return removed;
  }

  @Override
  public boolean pause(String name) {
    return setPaused(name, true);
  }

  @Override
  public boolean resume(String name) {
    return setPaused(name, false);
  }

  private boolean setPaused(String name, boolean paused) {
    Objects.requireNonNull(name, "name");
    checkOpen();
    boolean changed = tx.runWrite(t -> ops.setPaused(t, name, paused, clock.millis()));
    nudge();
    return changed;
  }

  @Override
  public List<ScheduledTaskInfo> list() {
    checkOpen();
    List<ScheduleOps.Task> rows = tx.runRead(ops::list);
    List<ScheduledTaskInfo> out = new ArrayList<>(rows.size());
    for (ScheduleOps.Task r : rows) {
      ScheduledTask task = task(r);
      Optional<Instant> next = Optional.empty();
      if (!r.paused()) {
        OptionalLong n = CronRules.next(crons.parse(r.cron()), task.zone(), r.lastFire());
        if (n.isPresent()) {
          next = Optional.of(Instant.ofEpochMilli(n.getAsLong()));
        }
      }
      Optional<Instant> last =
          r.lastJob() == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(r.lastJob()));
      out.add(new ScheduledTaskInfo(task, r.paused(), next, last));
    }
    return out;
  }

  @Override
  public SchedulerRunner start(String owner) {
    return start(owner, DEFAULT_LOCK_TTL);
  }

  @Override
  public SchedulerRunner start(String owner, Duration lockTtl) {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(lockTtl, "lockTtl");
    if (owner.isBlank() || owner.length() > 256) {
      throw new IllegalArgumentException(
          "owner must be 1 to 256 characters, not blank, such as a host name and pid; was '"
              + owner
              + "'");
    }
    if (lockTtl.compareTo(Duration.ofMillis(30)) < 0) {
      throw new IllegalArgumentException("lockTtl must be at least 30 ms, was " + lockTtl);
    }
    checkOpen();
    RunnerImpl runner = new RunnerImpl(this, owner, Times.millis(lockTtl));
    runners.add(runner);
    runner.start();
    return runner;
  }

  void ended(RunnerImpl runner) {
    runners.remove(runner);
  }

  /** Wakes this process's runners to re-read the tasks at once. */
  private void nudge() {
    for (RunnerImpl r : runners) {
      r.nudge();
    }
  }

  /** Stops this process's runners: before the database closes. */
  public void close() {
    for (RunnerImpl r : new ArrayList<>(runners)) {
      r.close();
    }
  }

  static ScheduledTask task(ScheduleOps.Task r) {
    ScheduledTask.Builder b =
        ScheduledTask.builder(r.name(), r.queue(), r.cron())
            .zone(ZoneId.of(r.zone()))
            .payload(RawJson.of(r.payload()))
            .priority(r.priority())
            .jitter(Duration.ofMillis(r.jitterMs()))
            .missedFirePolicy(decode(r.missedPolicy()));
    if (r.expiresMs() > 0) {
      b.expiresIn(Duration.ofMillis(r.expiresMs()));
    }
    return b.build();
  }

  static String encode(MissedFirePolicy p) {
    return p.kind() == MissedFirePolicy.Kind.FIRE_ALL ? "FIRE_ALL:" + p.max() : p.kind().name();
  }

  static MissedFirePolicy decode(String s) {
    if (s.startsWith("FIRE_ALL:")) {
      return MissedFirePolicy.fireAll(Integer.parseInt(s.substring("FIRE_ALL:".length())));
    }
    return MissedFirePolicy.Kind.valueOf(s) == MissedFirePolicy.Kind.SKIP
        ? MissedFirePolicy.skip()
        : MissedFirePolicy.fireOnce();
  }

  void checkOpen() {
    if (tx.isClosed()) {
      throw tx.closedException();
    }
  }
}
