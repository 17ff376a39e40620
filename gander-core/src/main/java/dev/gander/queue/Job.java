package dev.gander.queue;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.gander.LeaseLostException;
import dev.gander.PayloadCodecException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A claimed job, leased to the worker that claimed it until {@link #leaseExpiresAt()}.
 *
 * <p>Settle it exactly once with {@link #ack()}, {@link #retry} or {@link #fail}. Each of these,
 * and {@link #heartbeat}, is fenced by the claim's {@link #fencingToken()}: if the lease ran out
 * and the job was claimed again (or dead-lettered), the call throws {@link LeaseLostException} and
 * changes nothing. A job object may be used from any thread, one call at a time.
 */
public interface Job {
  /**
   * The job's id.
   *
   * @return the id
   */
  JobId id();

  /**
   * The queue it was claimed from.
   *
   * @return the queue name
   */
  String queue();

  /**
   * The payload as stored: JSON text.
   *
   * @return the JSON
   */
  String payloadJson();

  /**
   * The payload read into a type with the database's Jackson mapper.
   *
   * @param type the class to read
   * @param <T> the type
   * @return the payload
   * @throws PayloadCodecException if the JSON does not fit the type
   */
  <T> T payloadAs(Class<T> type);

  /**
   * The payload read into a generic type, such as {@code new TypeReference<List<Order>>() {}}.
   *
   * @param type the type to read
   * @param <T> the type
   * @return the payload
   * @throws PayloadCodecException if the JSON does not fit the type
   */
  <T> T payloadAs(TypeReference<T> type);

  /**
   * Which attempt this claim is: 1 for the first.
   *
   * @return the attempt number
   */
  int attempt();

  /**
   * How many attempts the job gets before it is dead-lettered.
   *
   * @return the limit
   */
  int maxAttempts();

  /**
   * The job's priority.
   *
   * @return higher runs first
   */
  int priority();

  /**
   * When the job was enqueued.
   *
   * @return the time
   */
  Instant enqueuedAt();

  /**
   * The error recorded by the previous attempt, if it failed.
   *
   * @return the error text
   */
  Optional<String> lastError();

  /**
   * This claim's fencing token: it grows with every claim of the job, so a system that records the
   * highest token it has seen can refuse writes from a worker whose lease was lost.
   *
   * @return the token
   */
  long fencingToken();

  /**
   * The worker that claimed it.
   *
   * @return the worker id given to the claim
   */
  String workerId();

  /**
   * When the lease runs out unless extended.
   *
   * @return the time
   */
  Instant leaseExpiresAt();

  /**
   * Extends the lease to {@code extension} from now.
   *
   * @param extension the new lease length
   * @throws LeaseLostException if the lease was lost
   */
  void heartbeat(Duration extension);

  /**
   * Finishes the job successfully; it is deleted.
   *
   * @throws LeaseLostException if the lease was lost
   */
  void ack();

  /**
   * Finishes the job and stores {@code result}, atomically, for the queue's result TTL.
   *
   * @param result any value Jackson can serialise, or {@link RawJson}
   * @throws LeaseLostException if the lease was lost
   * @throws PayloadCodecException if the result cannot be serialised
   */
  void ack(@Nullable Object result);

  /**
   * Gives the job back to run again after {@code delay}, recording {@code error}. On its last
   * attempt it is dead-lettered with reason {@code failed} instead.
   *
   * @param delay how long before it may be claimed again
   * @param error why this attempt failed
   * @throws LeaseLostException if the lease was lost
   */
  void retry(Duration delay, String error);

  /**
   * Dead-letters the job now with reason {@code failed}, whatever attempts remain.
   *
   * @param error why it cannot succeed
   * @throws LeaseLostException if the lease was lost
   */
  void fail(String error);

  /**
   * Whether {@code ack}, {@code retry} or {@code fail} has succeeded on this object.
   *
   * @return {@code true} once settled
   */
  boolean isSettled();
}
