package dev.gander.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.Gander;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Closing managed workers at the edges. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WorkerCloseTest {
  /** Bounds waits for things that should happen at once: generous for a loaded machine. */
  private static final long GENEROUS_SECONDS = 60;

  @TempDir Path dir;

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
