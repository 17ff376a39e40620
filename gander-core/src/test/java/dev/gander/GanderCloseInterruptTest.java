package dev.gander;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.queue.Queue;
import dev.gander.queue.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Gander.close()} from an interrupted thread, with everything a consumer starts running
 * (sweeper, commit watcher, a managed worker): it finishes its work, leaks nothing, and keeps the
 * caller's interrupt flag.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GanderCloseInterruptTest {
  @TempDir Path dir;

  private static long openDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  private static Set<String> ganderThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("gander-"))
        .collect(Collectors.toSet());
  }

  /** The stacks of the gander threads still alive, for the failure message. */
  private static String lingering() {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
      if (e.getKey().isAlive() && e.getKey().getName().startsWith("gander-")) {
        out.append(e.getKey().getName()).append(' ').append(e.getKey().getState()).append('\n');
        for (StackTraceElement frame : e.getValue()) {
          out.append("    at ").append(frame).append('\n');
        }
      }
    }
    return out.toString();
  }

  private static Gander openAndUse(Path db) {
    Gander gander = Gander.open(db);
    Queue q = gander.queue("jobs");
    q.enqueue("x");
    assertThat(q.poll("w", Duration.ofSeconds(30))).isPresent().get().satisfies(j -> j.ack());
    Worker worker = q.consume(job -> {});
    q.enqueue("y");
    assertThat(q.awaitDrained(Duration.ofSeconds(30))).isTrue();
    assertThat(worker.isRunning()).isTrue();
    return gander; // the worker is closed by the Gander
  }

  @Test
  void closeFromAnInterruptedThreadFinishesAndLeaksNothing() throws Exception {
    assertThat(Files.isDirectory(Path.of("/proc/self/fd"))).as("needs /proc/self/fd").isTrue();
    Path db = dir.resolve("app.db");
    openAndUse(db).close(); // loads the native library and the JVM's own files once
    long before = openDescriptors();
    for (int cycle = 0; cycle < 20; cycle++) {
      Gander gander = openAndUse(db);
      Thread.currentThread().interrupt();
      try {
        gander.close();
        assertThat(Thread.currentThread().isInterrupted())
            .as("flag kept after close, cycle %s", cycle)
            .isTrue();
      } finally {
        Thread.interrupted();
      }
      Path wal = Path.of(db + "-wal");
      assertThat(!Files.exists(wal) || Files.size(wal) == 0)
          .as("WAL gone after close, cycle %s", cycle)
          .isTrue();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!ganderThreads().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(ganderThreads())
        .as("gander threads after the last close, where they are:%n%s", lingering())
        .isEmpty();
    assertThat(openDescriptors())
        .as("open descriptors after 20 interrupted closes (before: %s)", before)
        .isLessThanOrEqualTo(before + 3);
  }
}
