package dev.gander.internal.queue;

import dev.gander.internal.Uninterruptibly;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The settler of a managed worker: one thread that acks the jobs its pool threads finished, in one
 * transaction per batch ({@link JobLifecycle#ackBatch}), so that a pool thread hands its finished
 * job over and takes the next at once. Each job is reported to the worker only after its ack
 * committed (or failed): until then it is not done, and a crash redelivers it.
 */
final class WorkerSettler {
  private static final Logger log = LoggerFactory.getLogger(WorkerSettler.class);

  /** The most acks one settle transaction takes. */
  private static final int MAX_BATCH = 512;

  /** What became of a job handed over. */
  enum Outcome {
    /** Acked, committed. */
    ACKED,
    /** Its lease was lost before the ack (claimed again, or given back). */
    LEASE_LOST,
    /** The ack's transaction failed; the job runs again after its lease. */
    FAILED
  }

  /** Told of each job, on the settler's thread. */
  interface Listener {
    /** A job's ack committed; called before the commit wakes anyone waiting for it. */
    void committed(JobImpl job);

    /** A job's outcome, after the transaction (and its wake-ups). */
    void settled(JobImpl job, Outcome outcome);
  }

  /** A finished job and its encoded result. */
  private static final class Pending {
    final @Nullable JobImpl job;
    final @Nullable String json;

    Pending(@Nullable JobImpl job, @Nullable String json) {
      this.job = job;
      this.json = json;
    }
  }

  /** Tells the thread to stop once it has settled what came before. */
  private static final Pending STOP = new Pending(null, null);

  private final JobLifecycle engine;
  private final Listener listener;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread thread;

  WorkerSettler(JobLifecycle engine, String threadName, Listener listener) {
    this.engine = engine;
    this.listener = listener;
    this.thread = new Thread(this::run, threadName);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Hands over a finished job with its encoded result (or none). */
  void add(JobImpl job, @Nullable String json) {
    queue.add(new Pending(job, json));
  }

  /**
   * Stops the thread after it has settled every job handed over before; waits for it until {@code
   * deadline} (a {@link System#nanoTime()} value), interrupted or not, unless called on the
   * settler's own thread.
   */
  void stop(long deadline) {
    queue.add(STOP);
    if (Thread.currentThread() != thread) {
      Uninterruptibly.join(thread, deadline);
    }
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    boolean stop = false;
    while (!stop) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        continue; // only STOP ends it, so that no finished job is left unsettled
      }
      queue.drainTo(batch, MAX_BATCH - 1);
      stop = batch.remove(STOP);
      if (!batch.isEmpty()) {
        settle(batch);
      }
      batch.clear();
    }
  }

  private void settle(List<Pending> batch) {
    List<JobImpl> jobs = new ArrayList<>(batch.size());
    List<@Nullable String> results = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      JobImpl job = p.job;
      if (job != null) {
        jobs.add(job);
        results.add(p.json);
      }
    }
    boolean[] acked = null;
    try {
      acked = engine.ackBatch(jobs, results, listener::committed);
    } catch (Throwable e) { // the database failed: the jobs are claimed again after their lease
      log.error("Could not ack a batch of {} job(s)", jobs.size(), e);
    }
    for (int i = 0; i < jobs.size(); i++) {
      Outcome outcome =
          acked == null ? Outcome.FAILED : acked[i] ? Outcome.ACKED : Outcome.LEASE_LOST;
      listener.settled(jobs.get(i), outcome);
    }
  }
}
