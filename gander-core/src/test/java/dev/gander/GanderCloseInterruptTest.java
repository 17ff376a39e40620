package dev.gander;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.queue.JobId;
import dev.gander.queue.Queue;
import dev.gander.queue.QueueOptions;
import dev.gander.queue.Worker;
import dev.gander.queue.WorkerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
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

  /**
   * Gander's threads alive now, except those in {@code earlier}: the tests of other classes run in
   * the same JVM before this one, and a thread of theirs still ending is not this test's leak.
   */
  private static Set<Thread> ganderThreads(Set<Thread> earlier) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("gander-") && !earlier.contains(t))
        .collect(Collectors.toSet());
  }

  /** The stacks of the gander threads still alive, for the failure message. */
  private static String lingering(Set<Thread> earlier) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
      if (e.getKey().isAlive()
          && e.getKey().getName().startsWith("gander-")
          && !earlier.contains(e.getKey())) {
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
    Set<Thread> earlier = ganderThreads(Set.of());
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
    while (!ganderThreads(earlier).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(ganderThreads(earlier))
        .as("gander threads after the last close, where they are:%n%s", lingering(earlier))
        .isEmpty();
    assertThat(openDescriptors())
        .as("open descriptors after 20 interrupted closes (before: %s)", before)
        .isLessThanOrEqualTo(before + 3);
  }

  @Test
  void anInterruptedCloseWaitsForARunningHandlerAndSettlesItsJob() throws Exception {
    Path db = dir.resolve("handler.db");
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch mayFinish = new CountDownLatch(1);
    AtomicBoolean closeReturned = new AtomicBoolean();
    JobId id;
    Gander gander = Gander.open(db);
    try {
      Queue q =
          gander.queue(
              "slow", QueueOptions.builder().visibilityTimeout(Duration.ofHours(1)).build());
      id = q.enqueue("x");
      q.process(
          job -> {
            started.countDown();
            mayFinish.await(); // still running when close is called
            return "done";
          },
          WorkerOptions.builder().shutdownTimeout(Duration.ofMinutes(1)).build());
      assertThat(started.await(60, TimeUnit.SECONDS)).isTrue();
      Thread closing = Thread.currentThread();
      Thread releaser =
          new Thread(
              () -> {
                // The handler finishes only once the interrupted close waits (or has returned,
                // as it did when it gave up at the interrupt).
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (closing.getState() != Thread.State.TIMED_WAITING
                    && !closeReturned.get()
                    && System.nanoTime() < deadline) {
                  LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200)); // a bounded poll
                }
                mayFinish.countDown();
              },
              "test-releaser");
      releaser.start();
      closing.interrupt();
      gander.close();
      closeReturned.set(true);
      releaser.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(Thread.currentThread().isInterrupted()).as("flag kept after close").isTrue();
    } finally {
      Thread.interrupted();
      gander.close();
    }
    try (Gander again = Gander.open(db)) {
      assertThat(again.results().get(id).map(r -> r.as(String.class)))
          .as("the handler ran to its end and its job was acked, not given back")
          .contains("done");
      assertThat(again.queue("slow").stats().running()).isZero();
    }
  }
}
