package dev.gander.internal.queue;

import dev.gander.GanderClosedException;
import dev.gander.GanderException;
import dev.gander.internal.Names;
import dev.gander.internal.Times;
import dev.gander.internal.spi.WakeKey;
import dev.gander.internal.wake.WakeHub;
import dev.gander.queue.DeadLetter;
import dev.gander.queue.EnqueueOptions;
import dev.gander.queue.EnqueueResult;
import dev.gander.queue.Job;
import dev.gander.queue.JobConsumer;
import dev.gander.queue.JobHandler;
import dev.gander.queue.JobId;
import dev.gander.queue.Queue;
import dev.gander.queue.QueueOptions;
import dev.gander.queue.QueueStats;
import dev.gander.queue.Worker;
import dev.gander.queue.WorkerOptions;
import dev.gander.store.Transaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** A handle on one queue: its name and options over the shared {@link JobLifecycle}. */
public final class QueueHandle implements Queue {
  private final JobLifecycle engine;
  private final String name;
  private final QueueOptions options;
  private final Consumer<ManagedWorker> workerRegistry;

  /**
   * Creates a handle.
   *
   * @param engine the engine
   * @param name the queue's name, validated here
   * @param options the handle's options
   * @param workerRegistry told of every worker started, so that closing the database stops it
   */
  public QueueHandle(
      JobLifecycle engine,
      String name,
      QueueOptions options,
      Consumer<ManagedWorker> workerRegistry) {
    this.engine = engine;
    this.name = Names.check("queue", name);
    this.options = Objects.requireNonNull(options, "options");
    this.workerRegistry = workerRegistry;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public QueueOptions options() {
    return options;
  }

  // ---------------------------------------------------------------- enqueue

  @Override
  public JobId enqueue(@Nullable Object payload) {
    return enqueue(payload, EnqueueOptions.defaults());
  }

  @Override
  public JobId enqueue(@Nullable Object payload, EnqueueOptions options) {
    return submit(payload, options).id();
  }

  @Override
  public EnqueueResult submit(@Nullable Object payload, EnqueueOptions options) {
    List<JobEnqueue.NewJob> jobs = List.of(encode(payload, options));
    return engine.enqueue(null, name, jobs).get(0);
  }

  @Override
  public EnqueueResult submit(Transaction tx, @Nullable Object payload, EnqueueOptions options) {
    Objects.requireNonNull(tx, "tx");
    List<JobEnqueue.NewJob> jobs = List.of(encode(payload, options));
    return engine.enqueue(tx, name, jobs).get(0); // in the caller's transaction
  }

  @Override
  public JobId enqueue(Transaction tx, @Nullable Object payload) {
    return enqueue(tx, payload, EnqueueOptions.defaults());
  }

  @Override
  public JobId enqueue(Transaction tx, @Nullable Object payload, EnqueueOptions options) {
    return submit(tx, payload, options).id();
  }

  @Override
  public List<JobId> enqueueAll(List<?> payloads) {
    return enqueueAll(payloads, EnqueueOptions.defaults());
  }

  @Override
  public List<JobId> enqueueAll(List<?> payloads, EnqueueOptions options) {
    Objects.requireNonNull(payloads, "payloads");
    if (payloads.isEmpty()) {
      return List.of();
    }
    List<JobEnqueue.NewJob> jobs = new ArrayList<>(payloads.size());
    for (Object p : payloads) {
      jobs.add(encode(p, options));
    }
    List<JobId> ids = new ArrayList<>(jobs.size());
    for (EnqueueResult r : engine.enqueue(null, name, jobs)) {
      ids.add(r.id());
    }
    return List.copyOf(ids);
  }

  private JobEnqueue.NewJob encode(@Nullable Object payload, EnqueueOptions o) {
    Objects.requireNonNull(o, "options");
    String json = engine.codec.encode(payload, options.maxPayloadBytes(), "payload");
    return new JobEnqueue.NewJob(json, o, o.maxAttempts().orElse(options.maxAttempts()));
  }

  // ------------------------------------------------------------------ claim

  @Override
  public Optional<Job> claim(String workerId) {
    List<Job> jobs = claim(workerId, 1);
    return jobs.isEmpty() ? Optional.empty() : Optional.of(jobs.get(0));
  }

  @Override
  public List<Job> claim(String workerId, int max) {
    checkWorkerId(workerId);
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, was " + max);
    }
    engine.consumerStarted();
    return List.copyOf(engine.claim(this, workerId, max));
  }

  List<JobImpl> claimInternal(String workerId, int max) {
    return engine.claim(this, workerId, max);
  }

  @Override
  public Optional<Job> poll(String workerId, Duration timeout) {
    checkWorkerId(workerId);
    Times.notNegative(timeout, "timeout");
    engine.checkOpen();
    engine.consumerStarted();
    List<JobImpl> jobs = pollInternal(workerId, 1, Times.nanos(timeout));
    return jobs.isEmpty() ? Optional.empty() : Optional.of(jobs.get(0));
  }

  @Override
  public Job take(String workerId) {
    checkWorkerId(workerId);
    engine.checkOpen();
    engine.consumerStarted();
    while (true) {
      List<JobImpl> jobs = pollInternal(workerId, 1, TimeUnit.MINUTES.toNanos(1));
      if (!jobs.isEmpty()) {
        return jobs.get(0);
      }
    }
  }

  /**
   * Claims up to {@code max} jobs, waiting up to {@code timeoutNanos} for the first. Woken by the
   * commit that makes work claimable, and at the queue's next scheduled run time. While it waits,
   * an enqueue of this process may claim for it in its own transaction ({@link HandOffs}).
   */
  List<JobImpl> pollInternal(String workerId, int max, long timeoutNanos) {
    long deadline = Times.deadline(timeoutNanos);
    HandOffs.Slot slot = engine.handOffs.open(this, workerId, max);
    try (WakeHub.Interest wake = engine.hub.interest(new WakeKey.QueueWork(name))) {
      while (true) {
        long seen = wake.seq();
        List<JobImpl> jobs = engine.claim(this, workerId, max);
        if (!jobs.isEmpty()) {
          return jobs;
        }
        if (engine.hub.isClosed()) {
          throw closedWhileWaiting("a job");
        }
        long left = Times.nanosLeft(deadline);
        if (left <= 0) {
          return jobs;
        }
        long wait = left;
        OptionalLong next = engine.lookup.nextScheduled(name);
        if (next.isPresent()) {
          long untilDue =
              TimeUnit.MILLISECONDS.toNanos(Math.max(0, next.getAsLong() - engine.clock.millis()));
          wait = Math.min(wait, Math.max(TimeUnit.MILLISECONDS.toNanos(1), untilDue));
        }
        slot.offer();
        try {
          wake.await(seen, wait);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new GanderException("Interrupted while waiting for a job of '" + name + "'", e);
        }
        List<JobImpl> handed = slot.withdraw();
        if (!handed.isEmpty()) {
          return handed;
        }
      }
    } finally {
      // Jobs handed over while the poll ended otherwise (interrupted, closed, failed) go back to
      // the queue at once, their attempt refunded, rather than wait out their lease.
      for (JobImpl job : slot.close()) {
        giveBack(job);
      }
    }
  }

  private void giveBack(JobImpl job) {
    try {
      job.release();
    } catch (RuntimeException e) {
      // Closed or failing: its lease runs out and the sweeper makes it claimable again.
    }
  }

  private GanderClosedException closedWhileWaiting(String what) {
    return new GanderClosedException(
        "The database closed while waiting for " + what + " of queue '" + name + "'");
  }

  @Override
  public boolean awaitDrained(Duration timeout) {
    Times.notNegative(timeout, "timeout");
    engine.checkOpen();
    engine.consumerStarted();
    long deadline = Times.deadline(Times.nanos(timeout));
    try (WakeHub.Interest wake = engine.hub.interest(new WakeKey.QueueDrain(name))) {
      while (true) {
        long seen = wake.seq();
        if (engine.lookup.isDrained(name)) {
          return true;
        }
        if (engine.hub.isClosed()) {
          throw closedWhileWaiting("the drain");
        }
        long left = Times.nanosLeft(deadline);
        if (left <= 0) {
          return false;
        }
        try {
          // Jobs also end by sweeps of other processes, noticed through the commit watcher; the
          // one-second cap covers a retry scheduled by a process that then died.
          wake.await(seen, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new GanderException("Interrupted while waiting for '" + name + "' to drain", e);
        }
      }
    }
  }

  @Override
  public Worker process(JobHandler handler, WorkerOptions options) {
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(options, "options");
    // Before anything starts: on a closed database not even the sweeper or watcher may start.
    engine.checkOpen();
    engine.consumerStarted();
    ManagedWorker w = new ManagedWorker(this, handler, options);
    workerRegistry.accept(w);
    w.start();
    return w;
  }

  @Override
  public Worker process(JobHandler handler) {
    return process(handler, WorkerOptions.defaults());
  }

  @Override
  public Worker consume(JobConsumer consumer, WorkerOptions options) {
    Objects.requireNonNull(consumer, "consumer");
    return process(
        job -> {
          consumer.accept(job);
          return null;
        },
        options);
  }

  @Override
  public Worker consume(JobConsumer consumer) {
    return consume(consumer, WorkerOptions.defaults());
  }

  private static void checkWorkerId(String workerId) {
    Objects.requireNonNull(workerId, "workerId");
    if (workerId.isEmpty() || workerId.length() > 256) {
      throw new IllegalArgumentException("workerId must be 1 to 256 characters");
    }
  }

  // ----------------------------------------------------- stats and dead

  @Override
  public QueueStats stats() {
    return engine.lookup.stats(name);
  }

  @Override
  public List<DeadLetter> deadLetters(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    return List.copyOf(engine.lookup.deadLetters(name, limit));
  }

  @Override
  public boolean requeueDead(JobId id) {
    return engine.requeueDead(name, Objects.requireNonNull(id, "id").value()) > 0;
  }

  @Override
  public int requeueAllDead() {
    return engine.requeueDead(name, null);
  }

  @Override
  public boolean purgeDead(JobId id) {
    return engine.purgeDead(name, Objects.requireNonNull(id, "id").value()) > 0;
  }

  @Override
  public int purgeAllDead() {
    return engine.purgeDead(name, null);
  }

  @Override
  public int ackAll(List<? extends Job> jobs) {
    Objects.requireNonNull(jobs, "jobs");
    engine.checkOpen();
    List<JobImpl> own = new ArrayList<>(jobs.size());
    for (Job job : jobs) {
      Objects.requireNonNull(job, "a job in jobs is null");
      if (!(job instanceof JobImpl)
          || ((JobImpl) job).handle().engine() != engine
          || !job.queue().equals(name)) {
        throw new IllegalArgumentException(
            "Job "
                + job.id()
                + " was not claimed from this queue ('"
                + name
                + "') of this Gander:"
                + " ack it through the queue that claimed it");
      }
      JobImpl impl = (JobImpl) job;
      impl.requireUnsettled("ackAll");
      own.add(impl);
    }
    if (own.isEmpty()) {
      return 0;
    }
    // Each acked job is marked settled when the transaction commits (see JobLifecycle.ackAll).
    int n = 0;
    for (boolean acked : engine.ackAll(own)) {
      if (acked) {
        n++;
      }
    }
    return n;
  }

  JobLifecycle engine() {
    return engine;
  }

  @Override
  public String toString() {
    return "Queue[" + name + "]";
  }
}
