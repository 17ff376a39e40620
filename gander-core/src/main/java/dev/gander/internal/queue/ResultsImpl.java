package dev.gander.internal.queue;

import dev.gander.GanderClosedException;
import dev.gander.GanderException;
import dev.gander.internal.Times;
import dev.gander.internal.spi.WakeKey;
import dev.gander.internal.wake.WakeHub;
import dev.gander.queue.JobDeadException;
import dev.gander.queue.JobId;
import dev.gander.queue.JobInfo;
import dev.gander.queue.JobResult;
import dev.gander.queue.JobState;
import dev.gander.queue.Results;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/** Job results and records, read from the store and awaited through the wake-up hub. */
public final class ResultsImpl implements Results {
  private final JobLifecycle engine;

  /**
   * Creates the results view.
   *
   * @param engine the queue engine
   */
  public ResultsImpl(JobLifecycle engine) {
    this.engine = engine;
  }

  @Override
  public Optional<JobResult> get(JobId id) {
    Objects.requireNonNull(id, "id");
    engine.checkOpen();
    return engine.lookup.result(id.value());
  }

  @Override
  public JobInfo info(JobId id) {
    Objects.requireNonNull(id, "id");
    engine.checkOpen();
    return engine.lookup.info(id);
  }

  @Override
  public Optional<JobResult> await(JobId id, Duration timeout) {
    JobInfo info = awaitEnd(id, timeout);
    if (info.state() == JobState.DEAD) {
      throw new JobDeadException(info);
    }
    return info.result();
  }

  @Override
  public JobInfo awaitEnd(JobId id, Duration timeout) {
    Objects.requireNonNull(id, "id");
    Times.notNegative(timeout, "timeout");
    engine.checkOpen();
    engine.consumerStarted();
    long deadline = Times.deadline(Times.nanos(timeout));
    try (WakeHub.Interest wake = engine.hub.interest(WakeKey.JobEnded.INSTANCE)) {
      while (true) {
        long seen = wake.seq();
        JobInfo info = engine.lookup.info(id);
        if (info.state().isFinal()) {
          return info;
        }
        if (engine.hub.isClosed()) {
          throw new GanderClosedException(
              "The database closed while waiting for the end of job " + id);
        }
        long left = Times.nanosLeft(deadline);
        if (left <= 0) {
          return info;
        }
        try {
          wake.await(seen, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new GanderException("Interrupted while awaiting the end of job " + id, e);
        }
      }
    }
  }
}
