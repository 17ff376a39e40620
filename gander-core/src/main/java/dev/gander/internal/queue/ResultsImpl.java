package dev.gander.internal.queue;

import dev.gander.GanderException;
import dev.gander.queue.JobId;
import dev.gander.queue.JobResult;
import dev.gander.queue.Results;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** Job results, read from the store and awaited through the wake-up hub. */
public final class ResultsImpl implements Results {
  private final QueueEngine engine;

  /**
   * Creates the results view.
   *
   * @param engine the queue engine
   */
  public ResultsImpl(QueueEngine engine) {
    this.engine = engine;
  }

  @Override
  public Optional<JobResult> get(JobId id) {
    Objects.requireNonNull(id, "id");
    return engine.result(id.value()).map(r -> r);
  }

  @Override
  public Optional<JobResult> await(JobId id, Duration timeout) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(timeout, "timeout");
    engine.consumerStarted();
    long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
    while (true) {
      long seen = engine.hub.seq(QueueEngine.RESULTS_KEY);
      Optional<JobResult> r = get(id);
      long left = deadline - System.nanoTime();
      if (r.isPresent() || left <= 0 || engine.hub.isClosed()) {
        return r;
      }
      try {
        engine.hub.await(QueueEngine.RESULTS_KEY, seen, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GanderException("Interrupted while awaiting the result of job " + id, e);
      }
    }
  }
}
