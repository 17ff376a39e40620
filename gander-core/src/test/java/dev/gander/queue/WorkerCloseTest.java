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

/** Starting and closing managed workers at the edges: after the database closed. */
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
