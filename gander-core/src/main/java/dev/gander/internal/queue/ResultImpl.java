package dev.gander.internal.queue;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.gander.queue.JobId;
import dev.gander.queue.JobResult;
import java.time.Instant;

/** A stored job result. */
final class ResultImpl implements JobResult {
  private final JsonCodec codec;
  private final JobId id;
  private final String json;
  private final long expiresAt;

  ResultImpl(JsonCodec codec, JobId id, String json, long expiresAt) {
    this.codec = codec;
    this.id = id;
    this.json = json;
    this.expiresAt = expiresAt;
  }

  @Override
  public JobId jobId() {
    return id;
  }

  @Override
  public String json() {
    return json;
  }

  @Override
  public <T> T as(Class<T> type) {
    return codec.decode(json, type, "result");
  }

  @Override
  public <T> T as(TypeReference<T> type) {
    return codec.decode(json, type, "result");
  }

  @Override
  public Instant expiresAt() {
    return Instant.ofEpochMilli(expiresAt);
  }

  @Override
  public String toString() {
    return "JobResult[" + id + ": " + json + "]";
  }
}
