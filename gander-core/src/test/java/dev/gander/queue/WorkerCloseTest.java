package dev.gander.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.Gander;
import dev.gander.GanderClosedException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starting and closing managed workers at the edges: after the database closed, from a handler. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WorkerCloseTest {
  /** Bounds waits for things that should happen at once: generous for a loaded machine. */
  private static final long GENEROUS_SECONDS = 60;

  @TempDir Path dir;

  private static Set<Thread> ganderThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("gander-"))
        .collect(Collectors.toSet());
  }

  private static void awaitNoGanderThreads() {
    Await.until("no Gander threads left", () -> ganderThreads().isEmpty());
  }

  @Test
  void processAndConsumeOnAClosedDatabaseThrowAndStartNoThread() {
    Gander gander = Gander.open(dir.resolve("app.db"));
    Queue q = gander.queue("late");
    gander.close();
    // Threads of earlier tests may still be ending; none may be added.
    Set<Thread> before = ganderThreads();

    assertThatThrownBy(() -> q.process(job -> null, WorkerOptions.defaults()))
        .isInstanceOf(GanderClosedException.class);
    assertThatThrownBy(() -> q.process(job -> null)).isInstanceOf(GanderClosedException.class);
    assertThatThrownBy(() -> q.consume(job -> {})).isInstanceOf(GanderClosedException.class);
    assertThatThrownBy(() -> q.consume(job -> {}, WorkerOptions.defaults()))
        .isInstanceOf(GanderClosedException.class);
    assertThat(ganderThreads()).isSubsetOf(before);
  }

  @Test
  void workerCloseFromItsOwnHandlerFinishesTheOthersAndAcksTheCallerAfterItReturns()
      throws Exception {
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue q =
          gander.queue(
              "jobs", QueueOptions.builder().visibilityTimeout(Duration.ofHours(1)).build());
      JobId closer = q.enqueue("closer");
      JobId other = q.enqueue("other");
      q.enqueue("later");
      AtomicReference<Worker> self = new AtomicReference<>();
      CountDownLatch workerKnown = new CountDownLatch(1);
      CountDownLatch bothStarted = new CountDownLatch(2);
      CountDownLatch otherMayFinish = new CountDownLatch(1);
      CountDownLatch closeReturned = new CountDownLatch(1);
      Worker worker =
          q.process(
              job -> {
                String what = job.payloadAs(String.class);
                if (what.equals("later")) {
                  return "ran later"; // possible only if a thread frees up before close
                }
                bothStarted.countDown();
                if (what.equals("other")) {
                  otherMayFinish.await();
                  return "other done";
                }
                workerKnown.await();
                bothStarted.await();
                self.get().close();
                closeReturned.countDown();
                return "closer done";
              },
              WorkerOptions.builder()
                  .concurrency(2)
                  // Waiting for its own thread would block close() this long.
                  .shutdownTimeout(Duration.ofHours(1))
                  .build());
      self.set(worker);
      workerKnown.countDown();

      Await.until("close has begun", () -> !worker.isRunning());
      otherMayFinish.countDown(); // close waits for the other running job
      assertThat(closeReturned.await(GENEROUS_SECONDS, TimeUnit.SECONDS))
          .as("close() called by a handler returned")
          .isTrue();
      assertThat(gander.results().get(other).map(r -> r.as(String.class))).contains("other done");
      Await.until("the closer acked after its handler returned", () -> worker.processed() == 2);
      assertThat(gander.results().get(closer).map(r -> r.as(String.class))).contains("closer done");
      assertThat(worker.isRunning()).isFalse();
      Await.until(
          "the worker's threads ended",
          () ->
              ganderThreads().stream()
                  .noneMatch(t -> t.getName().endsWith("-jobs") || t.getName().contains("-jobs-")));

      // "later" was claimed ahead and given back unstarted, or never claimed: ready either way.
      QueueStats stats = q.stats();
      assertThat(stats.running()).isZero();
      assertThat(stats.ready()).isEqualTo(1);
      assertThat(q.claim("next").orElseThrow().attempt()).isEqualTo(1);
    }
  }

  @Test
  void ganderCloseFromAHandlerReturnsGivesTheJobBackAndClosesTheFileCleanly() throws Exception {
    Path file = dir.resolve("app.db");
    Gander gander = Gander.open(file);
    Queue q =
        gander.queue("jobs", QueueOptions.builder().visibilityTimeout(Duration.ofHours(1)).build());
    JobId closer = q.enqueue("closer");
    JobId queued = q.enqueue("queued");
    CountDownLatch closeReturned = new CountDownLatch(1);
    Worker worker =
        q.process(
            job -> {
              if (job.payloadAs(String.class).equals("closer")) {
                gander.close();
                closeReturned.countDown();
              }
              return "cannot be stored: the database is closed";
            },
            // One thread: a job claimed ahead waits behind the handler that closes.
            WorkerOptions.builder().concurrency(1).shutdownTimeout(Duration.ofHours(1)).build());

    assertThat(closeReturned.await(GENEROUS_SECONDS, TimeUnit.SECONDS))
        .as("gander.close() called by a handler returned")
        .isTrue();
    assertThat(worker.isRunning()).isFalse();
    awaitNoGanderThreads();
    assertThat(dir.resolve("app.db-wal")).doesNotExist();
    assertThat(worker.processed()).isZero();

    // The caller's job was given back before the database closed, its attempt counted; the one
    // claimed ahead (if it was) was given back unstarted. Neither waits for its hour-long lease.
    try (Gander again = Gander.open(file)) {
      Queue reopened = again.queue("jobs");
      List<Job> jobs = reopened.claim("check", 10);
      assertThat(jobs).extracting(Job::id).containsExactly(closer, queued);
      assertThat(jobs).extracting(Job::attempt).containsExactly(2, 1);
      assertThat(reopened.stats().dead()).isZero();
      assertThat(again.results().get(closer)).isEmpty();
    }
  }

  @Test
  void ganderCloseDuringAWorkersCloseWaitsForItsRunningJobBeforeClosingTheFile() throws Exception {
    Path file = dir.resolve("app.db");
    Gander gander = Gander.open(file);
    Queue q =
        gander.queue("jobs", QueueOptions.builder().visibilityTimeout(Duration.ofHours(1)).build());
    JobId id = q.enqueue("slow");
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch mayFinish = new CountDownLatch(1);
    Worker worker =
        q.process(
            job -> {
              started.countDown();
              mayFinish.await();
              return "finished";
            },
            WorkerOptions.builder().shutdownTimeout(Duration.ofHours(1)).build());
    assertThat(started.await(GENEROUS_SECONDS, TimeUnit.SECONDS)).isTrue();
    Thread workerCloser = new Thread(worker::close, "test-worker-closer");
    workerCloser.start();
    Await.until("worker close has begun", () -> !worker.isRunning());
    Thread ganderCloser = new Thread(gander::close, "test-gander-closer");
    ganderCloser.start();
    // The second close waits for the first instead of closing the file under the running job.
    Await.until(
        "gander.close() waits",
        () ->
            ganderCloser.getState() == Thread.State.TIMED_WAITING
                || ganderCloser.getState() == Thread.State.TERMINATED);
    assertThat(ganderCloser.isAlive()).as("gander.close() still waiting").isTrue();
    mayFinish.countDown();
    workerCloser.join(TimeUnit.SECONDS.toMillis(GENEROUS_SECONDS));
    ganderCloser.join(TimeUnit.SECONDS.toMillis(GENEROUS_SECONDS));
    assertThat(workerCloser.isAlive()).isFalse();
    assertThat(ganderCloser.isAlive()).isFalse();
    assertThat(worker.processed()).isEqualTo(1);

    try (Gander again = Gander.open(file)) {
      assertThat(again.results().get(id).map(r -> r.as(String.class))).contains("finished");
      assertThat(again.queue("jobs").stats().running()).isZero();
    }
  }

  @Test
  void shutdownTimeoutsTooLongToCountSaturateInsteadOfOverflowing() throws Exception {
    for (Duration forever :
        List.of(
            ChronoUnit.FOREVER.getDuration(),
            Duration.ofMillis(Long.MAX_VALUE),
            Duration.ofNanos(Long.MAX_VALUE).plusNanos(1))) {
      WorkerOptions options = WorkerOptions.builder().shutdownTimeout(forever).build();
      assertThat(options.shutdownTimeout()).isEqualTo(forever);
      try (Gander gander = Gander.open(dir.resolve("app.db"))) {
        Queue q = gander.queue("jobs");
        q.enqueue("running during close");
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch mayFinish = new CountDownLatch(1);
        Worker worker =
            q.process(
                job -> {
                  started.countDown();
                  mayFinish.await();
                  return null;
                },
                options);
        assertThat(started.await(GENEROUS_SECONDS, TimeUnit.SECONDS)).isTrue();
        Thread closer = new Thread(worker::close, "test-closer");
        AtomicReference<Throwable> closeFailed = new AtomicReference<>();
        closer.setUncaughtExceptionHandler((t, e) -> closeFailed.set(e));
        closer.start();
        Await.until("close has begun", () -> !worker.isRunning());
        mayFinish.countDown();
        closer.join(TimeUnit.SECONDS.toMillis(GENEROUS_SECONDS));
        assertThat(closer.isAlive()).as("close() with %s returned", forever).isFalse();
        assertThat(closeFailed.get()).as("close() with %s", forever).isNull();
        assertThat(worker.processed()).isEqualTo(1);
      }
    }
    assertThatThrownBy(() -> WorkerOptions.builder().shutdownTimeout(Duration.ofMillis(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shutdownTimeout");
  }
}
