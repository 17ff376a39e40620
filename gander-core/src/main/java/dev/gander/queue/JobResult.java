package dev.gander.queue;

import com.fasterxml.jackson.core.type.TypeReference;
import java.time.Instant;

/** The result a job stored with {@link Job#ack(Object)}. */
public interface JobResult {
  /**
   * The job it belongs to.
   *
   * @return the id
   */
  JobId jobId();

  /**
   * The result as stored: JSON text.
   *
   * @return the JSON
   */
  String json();

  /**
   * The result read into a type.
   *
   * @param type the class
   * @param <T> the type
   * @return the value
   * @throws dev.gander.PayloadCodecException if the JSON does not fit
   */
  <T> T as(Class<T> type);

  /**
   * The result read into a generic type.
   *
   * @param type the type
   * @param <T> the type
   * @return the value
   */
  <T> T as(TypeReference<T> type);

  /**
   * When the result will be purged.
   *
   * @return the time
   */
  Instant expiresAt();
}
