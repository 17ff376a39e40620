package dev.gander.internal.schedule;

import com.cronutils.model.time.ExecutionTime;
import dev.gander.GanderClosedException;
import dev.gander.internal.Times;
import dev.gander.internal.spi.ScheduleOps;
import dev.gander.internal.spi.WakeKey;
import dev.gander.internal.wake.WakeHub;
import dev.gander.queue.EnqueueOptions;
import dev.gander.schedule.MissedFirePolicy;
import dev.gander.schedule.SchedulerRunner;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One process's runner: a thread that takes the scheduler lock when it is free, extends it every
 * third of its time to live while it holds it, and meanwhile fires due ticks. Every tick moves the
 * task's cursor by compare-and-set in the transaction that enqueues its job, so a tick fires once
 * even when a paused leader and its successor both believe they lead.
 */
final class RunnerImpl implements SchedulerRunner {
  private static final Logger log = LoggerFactory.getLogger(RunnerImpl.class);

  /** The scheduler lock: application lock names start with a letter or digit, so none is this. */
  static final String LOCK = "!scheduler";

  /** The longest sleep between looks at the tasks: changes made by other processes show by then. */
  private static final long POLL_MS = 1_000;

  private static final WakeKey KEY = new WakeKey.LockReleased(LOCK);

  private final SchedulerImpl s;
  private final String owner;
  private final long ttlMs;
  private final long beatMs;
  private final Thread thread;
  private final WakeHub.Interest wake;
  private volatile boolean closed;
  private volatile boolean leader;
  private long token;
  private long leaseUntil;
  private long nextBeat;

  RunnerImpl(SchedulerImpl s, String owner, long ttlMs) {
    this.s = s;
    this.owner = owner;
    this.ttlMs = ttlMs;
    this.beatMs = Math.max(10, ttlMs / 3);
    this.wake = s.hub.interest(KEY);
    this.thread = new Thread(this::run, "gander-scheduler-" + s.database);
    thread.setDaemon(true);
  }

  void start() {
    s.notifier.start();
    thread.start();
  }

  @Override
  public boolean isLeader() {
    return leader;
  }

  @Override
  public String owner() {
    return owner;
  }

  void nudge() {
    s.hub.signal(KEY);
  }

  private void run() {
    try {
      while (!closed) {
        long seen = wake.seq();
        long sleepMs;
        try {
          sleepMs = step();
        } catch (GanderClosedException e) {
          break;
        } catch (RuntimeException e) {
          if (closed || s.tx.isClosed()) {
            break;
          }
          log.warn("Scheduler runner {} of {} failed a step; trying again", owner, s.database, e);
          sleepMs = beatMs;
        }
        if (sleepMs > 0 && !closed) {
          wake.await(seen, TimeUnit.MILLISECONDS.toNanos(sleepMs));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      resign();
      wake.close();
      s.ended(this);
    }
  }

  /** One look: lead or try to, fire what is due; returns how long to sleep, in ms. */
  private long step() {
    long now = s.clock.millis();
    if (leader && now >= leaseUntil) {
      // The heartbeat came too late (a long pause): another runner may lead by now.
      leader = false;
      log.warn("Scheduler runner {} of {} lost the lead: its lock ran out", owner, s.database);
    }
    if (!leader) {
      OptionalLong t =
          s.tx.runWrite(tx -> s.locks.acquire(tx, LOCK, owner, now, Times.plus(now, ttlMs)));
      if (t.isEmpty()) {
        return beatMs;
      }
      token = t.getAsLong();
      leaseUntil = Times.plus(now, ttlMs);
      nextBeat = Times.plus(now, beatMs);
      leader = true;
      log.info(
          "Scheduler runner {} leads the scheduler of {} (token {})", owner, s.database, token);
    } else if (now >= nextBeat) {
      long until = Times.plus(now, ttlMs);
      boolean held = s.tx.runWrite(tx -> s.locks.heartbeat(tx, LOCK, token, now, until));
      if (!held) {
        leader = false;
        log.warn("Scheduler runner {} of {} lost the lead to another runner", owner, s.database);
        return beatMs;
      }
      leaseUntil = until;
      nextBeat = Times.plus(now, beatMs);
    }
    long nextDue = fireDue(now);
    long after = s.clock.millis();
    long wait = Math.min(Math.min(nextDue, nextBeat) - after, POLL_MS);
    return Math.max(0, wait);
  }

  /** Fires the due ticks of every task; returns the earliest next tick (epoch ms). */
  private long fireDue(long now) {
    List<ScheduleOps.Task> tasks = s.tx.runRead(s.ops::list);
    long earliest = Long.MAX_VALUE;
    for (ScheduleOps.Task task : tasks) {
      if (task.paused() || closed) {
        continue;
      }
      ExecutionTime cron;
      ZoneId zone;
      try {
        cron = s.crons.parse(task.cron());
        zone = ZoneId.of(task.zone());
      } catch (RuntimeException e) {
        log.warn("Scheduled task {} cannot be read; skipping it", task.name(), e);
        continue;
      }
      long cursor = task.lastFire();
      OptionalLong first = CronRules.next(cron, zone, cursor);
      if (first.isPresent() && first.getAsLong() <= now) {
        fire(task, cron, zone, first.getAsLong(), now);
        cursor = now; // the cursor moved to the latest due tick at most now; re-read next time
      }
      OptionalLong next = CronRules.next(cron, zone, Math.max(cursor, now));
      if (next.isPresent()) {
        earliest = Math.min(earliest, next.getAsLong());
      }
    }
    return earliest;
  }

  /** Fires one task's due ticks per its missed-fire policy, in one transaction. */
  private void fire(ScheduleOps.Task task, ExecutionTime cron, ZoneId zone, long first, long now) {
    MissedFirePolicy policy = SchedulerImpl.decode(task.missedPolicy());
    int max = policy.kind() == MissedFirePolicy.Kind.FIRE_ALL ? policy.max() : 1;
    List<Long> due = CronRules.latestDue(cron, zone, task.lastFire(), now, max);
    if (due.isEmpty()) {
      return;
    }
    long latest = due.get(due.size() - 1);
    boolean onTime = first == latest && now - latest <= MissedFirePolicy.GRACE_MS;
    List<Long> ticks;
    if (onTime || policy.kind() != MissedFirePolicy.Kind.SKIP) {
      ticks = due;
    } else {
      ticks = now - latest <= MissedFirePolicy.GRACE_MS ? List.of(latest) : List.of();
    }
    if (!onTime) {
      log.info(
          "Scheduled task {} missed ticks from {} to {}: {} per {}",
          task.name(),
          Instant.ofEpochMilli(first),
          Instant.ofEpochMilli(latest),
          ticks.isEmpty() ? "firing none" : "firing " + ticks.size(),
          policy.kind());
    }
    long lastJob = ticks.isEmpty() ? 0 : ticks.get(ticks.size() - 1);
    s.tx.runWrite(
        tx -> {
          if (!s.ops.advance(tx, task.name(), task.lastFire(), latest, lastJob)) {
            return false; // another runner fired it, or the task changed: re-read next time
          }
          for (long tick : ticks) {
            s.queues.enqueueIn(tx, task.queue(), task.payload(), options(task, tick));
          }
          return true;
        });
  }

  private static EnqueueOptions options(ScheduleOps.Task task, long tick) {
    long jitter =
        task.jitterMs() > 0 ? ThreadLocalRandom.current().nextLong(task.jitterMs() + 1) : 0;
    EnqueueOptions.Builder b =
        EnqueueOptions.builder()
            .priority(task.priority())
            .runAt(Instant.ofEpochMilli(Times.plus(tick, jitter)))
            .uniqueKey(task.name() + ":" + tick);
    if (task.expiresMs() > 0) {
      b.expiresIn(Duration.ofMillis(task.expiresMs()));
    }
    return b.build();
  }

  /** Releases the lock if this runner holds it, so another takes over at once. */
  private void resign() {
    if (!leader) {
      return;
    }
    leader = false;
    try {
      s.tx.runWrite(
          tx -> {
            if (s.locks.release(tx, LOCK, token)) {
              s.notifier.changed(tx, KEY);
            }
            return null;
          });
      log.info("Scheduler runner {} of {} released the lead", owner, s.database);
    } catch (RuntimeException e) {
      log.debug("Scheduler runner {} could not release its lock; it runs out", owner, e);
    }
  }

  @Override
  public void close() {
    closed = true;
    s.hub.signal(KEY);
    if (Thread.currentThread() != thread) {
      try {
        thread.join(Math.max(5_000, 2 * ttlMs));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "SchedulerRunner[" + owner + ", " + (leader ? "leader" : "follower") + "]";
  }
}
