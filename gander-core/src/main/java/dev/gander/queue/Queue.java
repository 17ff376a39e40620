package dev.gander.queue;

import dev.gander.GanderClosedException;
import dev.gander.PayloadCodecException;
import dev.gander.PayloadTooLargeException;
import dev.gander.store.Transaction;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A durable job queue in the database. Obtain with {@code gander.queue("emails")}; handles are
 * cheap, thread-safe, and share the database's writer and wake-up machinery.
 *
 * <p>Claim order: higher priority first, then earlier run time, then enqueue order.
 */
public interface Queue {
  /**
   * The queue's name.
   *
   * @return the name
   */
  String name();

  /**
   * The options of this handle.
   *
   * @return the options
   */
  QueueOptions options();

  /**
   * Enqueues a job with default options; returns after the commit.
   *
   * @param payload any value the database's Jackson mapper can serialise, or {@link RawJson}
   * @return the new job's id
   * @throws PayloadTooLargeException if the JSON exceeds the queue's limit
   * @throws PayloadCodecException if the value cannot be serialised
   * @throws GanderClosedException if the database is closed
   */
  JobId enqueue(@Nullable Object payload);

  /**
   * Enqueues a job; returns after the commit. With a unique key that a live job of this queue
   * holds, returns that job's id and writes nothing.
   *
   * @param payload the payload
   * @param options priority, delay, attempts, unique key, expiry
   * @return the job's id
   */
  JobId enqueue(@Nullable Object payload, EnqueueOptions options);

  /**
   * Enqueues inside a caller's transaction: the job exists only if that transaction commits.
   *
   * @param tx the transaction from {@code gander.inTransaction}
   * @param payload the payload
   * @return the job's id (valid once the transaction commits)
   */
  JobId enqueue(Transaction tx, @Nullable Object payload);

  /**
   * Enqueues inside a caller's transaction with options.
   *
   * @param tx the transaction
   * @param payload the payload
   * @param options the options
   * @return the job's id
   */
  JobId enqueue(Transaction tx, @Nullable Object payload, EnqueueOptions options);

  /**
   * Enqueues one job and tells whether it is new. With a {@code uniqueKey} held by a live job
   * (ready, scheduled or running) of this queue, nothing is written and the result is that job's id
   * with {@link EnqueueResult#duplicate()} true: the payload given is dropped. A job that can no
   * longer run (expired, dead, finished) does not hold its key.
   *
   * <pre>{@code
   * EnqueueResult r = queue.submit(order, EnqueueOptions.builder().uniqueKey("order-42").build());
   * if (r.duplicate()) {
   *   log.info("order 42 is already queued as job {}", r.id());
   * }
   * }</pre>
   *
   * @param payload any value Jackson can serialise, or {@link RawJson}
   * @param options priority, delay, attempts, unique key, expiry
   * @return the job's id and whether it was a duplicate
   * @throws PayloadTooLargeException if the JSON is over the queue's limit
   * @throws PayloadCodecException if the value cannot be serialised
   * @throws GanderClosedException if the database was closed
   */
  EnqueueResult submit(@Nullable Object payload, EnqueueOptions options);

  /**
   * Like {@link #submit(Object, EnqueueOptions)}, inside a transaction: the job exists only if the
   * transaction commits.
   *
   * @param tx the transaction, from {@code gander.inTransaction}
   * @param payload any value Jackson can serialise, or {@link RawJson}
   * @param options the options
   * @return the job's id and whether it was a duplicate
   */
  EnqueueResult submit(Transaction tx, @Nullable Object payload, EnqueueOptions options);

  /**
   * Enqueues many jobs in one transaction: all or none. Every payload is checked before anything is
   * written.
   *
   * @param payloads the payloads
   * @return their ids, in order
   */
  List<JobId> enqueueAll(List<?> payloads);

  /**
   * Enqueues many jobs with the same options in one transaction.
   *
   * @param payloads the payloads
   * @param options the options for every job
   * @return their ids, in order
   */
  List<JobId> enqueueAll(List<?> payloads, EnqueueOptions options);

  /**
   * Claims the next claimable job, if any, without waiting.
   *
   * @param workerId who claims it
   * @return the job, leased for the visibility timeout
   */
  Optional<Job> claim(String workerId);

  /**
   * Claims up to {@code max} claimable jobs in one transaction, in claim order.
   *
   * @param workerId who claims them
   * @param max at most this many, at least 1
   * @return the jobs, possibly none
   */
  List<Job> claim(String workerId, int max);

  /**
   * Claims the next job, waiting up to {@code timeout} for one. Woken by the commit that makes a
   * job claimable, in this process or another; no table polling. While it waits, an {@code enqueue}
   * of this process (in a transaction of its own) may make the claim for it, the same claim this
   * call would make; if this call ends otherwise meanwhile, such a job goes back to the queue at
   * once with its attempt refunded.
   *
   * @param workerId who claims it
   * @param timeout the longest wait
   * @return the job, or empty on timeout
   * @throws dev.gander.GanderException if interrupted (the interrupt flag is kept)
   */
  Optional<Job> poll(String workerId, Duration timeout);

  /**
   * Claims the next job, waiting as long as it takes.
   *
   * @param workerId who claims it
   * @return the job
   * @throws dev.gander.GanderException if interrupted (the interrupt flag is kept)
   * @throws GanderClosedException if the database closes while waiting
   */
  Job take(String workerId);

  /**
   * Starts a pool of threads running {@code handler} on this queue's jobs.
   *
   * @param handler the work; return to ack (storing the result), throw to retry
   * @param options concurrency, worker id, shutdown timeout
   * @return the running worker; close it to stop
   * @throws GanderClosedException if the database is closed; no thread is started
   */
  Worker process(JobHandler handler, WorkerOptions options);

  /**
   * Starts a worker with {@linkplain WorkerOptions#defaults() default options} (one thread) running
   * {@code handler} on this queue's jobs.
   *
   * @param handler the work; return to ack (storing the result), throw to retry
   * @return the running worker; close it to stop
   * @throws GanderClosedException if the database is closed; no thread is started
   */
  Worker process(JobHandler handler);

  /**
   * Starts a pool of threads running {@code consumer} on this queue's jobs: {@link
   * #process(JobHandler, WorkerOptions)} for work that has no result, such as {@code
   * queue.consume(job -> send(job.payloadAs(Email.class)), options)} with a {@code void send}.
   *
   * @param consumer the work; return to ack, throw to retry
   * @param options concurrency, worker id, shutdown timeout
   * @return the running worker; close it to stop
   * @throws GanderClosedException if the database is closed; no thread is started
   */
  Worker consume(JobConsumer consumer, WorkerOptions options);

  /**
   * Starts a worker with {@linkplain WorkerOptions#defaults() default options} (one thread) running
   * {@code consumer} on this queue's jobs.
   *
   * @param consumer the work; return to ack, throw to retry
   * @return the running worker; close it to stop
   * @throws GanderClosedException if the database is closed; no thread is started
   */
  Worker consume(JobConsumer consumer);

  /**
   * Counts the queue's jobs by state.
   *
   * @return the counts
   */
  QueueStats stats();

  /**
   * Waits until the queue has no live job: none ready, scheduled (delayed or backing off) or
   * running. Woken by the commits that end jobs, in this process or another. For tests and batch
   * runs: enqueue, start workers, wait for the drain, close.
   *
   * @param timeout the longest wait; {@link Duration#ZERO} checks once
   * @return {@code true} once drained, {@code false} if the time ran out first
   * @throws GanderClosedException if the database is closed, before or during the wait
   * @throws IllegalArgumentException if the timeout is negative
   */
  boolean awaitDrained(Duration timeout);

  /**
   * Lists dead letters, oldest first.
   *
   * @param limit at most this many
   * @return the dead letters
   */
  List<DeadLetter> deadLetters(int limit);

  /**
   * Moves a dead letter back into the queue with a new attempt budget.
   *
   * @param id the dead job
   * @return {@code true} if it was found and requeued
   */
  boolean requeueDead(JobId id);

  /**
   * Moves every dead letter of this queue back, each with a new attempt budget.
   *
   * @return how many were requeued
   */
  int requeueAllDead();

  /**
   * Deletes one dead letter.
   *
   * @param id the dead job
   * @return {@code true} if it was found
   */
  boolean purgeDead(JobId id);

  /**
   * Deletes every dead letter of this queue.
   *
   * @return how many were deleted
   */
  int purgeAllDead();

  /**
   * Acknowledges many claimed jobs in one transaction: what {@link Job#ack()} does for each, at the
   * cost of one commit. The fast path for workers that {@linkplain #claim(String, int) claim in
   * batches}.
   *
   * <p>A job whose lease ran out and may have been claimed again is skipped, not acked: it belongs
   * to its new holder now, and it stays {@linkplain Job#isSettled() unsettled} here so the caller
   * can tell which ones were not acked. The returned count equals {@code jobs.size()} unless some
   * leases were lost.
   *
   * @param jobs jobs claimed from this queue and not yet settled
   * @return how many were acknowledged
   * @throws IllegalArgumentException if a job was not claimed from this queue
   * @throws IllegalStateException if a job was already settled
   */
  int ackAll(List<? extends Job> jobs);
}
