package dev.gander.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.gander.Gander;
import dev.gander.bench.QueueScenario.Email;
import dev.gander.queue.Job;
import dev.gander.queue.Queue;
import dev.gander.queue.WorkerOptions;
import dev.gander.sqlite.SqliteOptions;
import dev.gander.sqlite.WakeMode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The wake-up and idle figures of the queue on SQLite: how long a job takes from the enqueue call
 * to the return of a blocked {@code poll}, in this process and in another JVM ({@link WakeChild})
 * for each wake mode, alone as {@code java -jar gander-bench.jar wake} or as part of {@link
 * QueueScenario}; and the CPU a process spends while its pollers or workers wait on an empty queue.
 */
final class WakeScenario {
  private WakeScenario() {}

  /** The wake-up figures alone: {@code java -jar gander-bench.jar wake}. */
  static void runWake(Bench.Table table) throws Exception {
    wake(table, Files.createTempDirectory("gander-bench-wake-"));
  }

  static void wake(Bench.Table table, Path dir) throws Exception {
    long[] inProcess = wakeInProcess(dir.resolve("wake.db"), 2_000);
    table.text(
        "wake, in-process (enqueue call to poll return)",
        QueueScenario.latency(inProcess),
        "-",
        "-");
    for (WakeMode mode : List.of(WakeMode.FILE_EVENTS, WakeMode.POLLING)) {
      long[] across = wakeAcrossProcesses(dir.resolve("wake-" + mode + ".db"), mode, 1_000);
      table.text(
          "wake, across processes, " + mode.name().toLowerCase(java.util.Locale.ROOT),
          QueueScenario.latency(across) + "; slowest rounds " + QueueScenario.slowest(across, 3),
          "-",
          "-");
    }
  }

  // --------------------------------------------------------------------- wake-up

  private static long[] wakeInProcess(Path file, int rounds) throws Exception {
    try (Gander g = Gander.open(file)) {
      Queue q = g.queue("wake");
      BlockingQueue<Long> seen = new ArrayBlockingQueue<>(1);
      Thread waiter =
          new Thread(
              () -> {
                while (!Thread.currentThread().isInterrupted()) {
                  Optional<Job> job;
                  try {
                    job = q.poll("waiter", Duration.ofSeconds(5));
                  } catch (RuntimeException e) {
                    return;
                  }
                  if (job.isPresent()) {
                    long latency = System.nanoTime() - job.get().payloadAs(Email.class).n();
                    job.get().ack();
                    seen.add(latency);
                  }
                }
              },
              "bench-waiter");
      waiter.setDaemon(true);
      waiter.start();
      long[] out = new long[rounds];
      for (int i = -200; i < rounds; i++) {
        Thread.sleep(1); // let the waiter block again, so each round measures a wake from sleep
        q.enqueue(new Email("wake", System.nanoTime()));
        long latency = seen.take();
        if (i >= 0) {
          out[i] = latency;
        }
      }
      waiter.interrupt();
      return out;
    }
  }

  /** Opens the file with a wake mode, the one SQLite option these scenarios vary. */
  private static Gander openWith(Path file, WakeMode mode) {
    return Gander.builder()
        .path(file)
        .sqlite(SqliteOptions.builder().wakeMode(mode).build())
        .open();
  }

  /**
   * A child JVM polls; this process enqueues one job at a time, stamped with {@code
   * System.nanoTime()}, and waits for its result before the next. On Linux {@code nanoTime} reads
   * {@code CLOCK_MONOTONIC}, which all processes share, so the child can subtract the stamp.
   */
  private static long[] wakeAcrossProcesses(Path file, WakeMode mode, int rounds) throws Exception {
    try (Gander g = openWith(file, mode)) {
      Queue q = g.queue("wake");
      Process child = Bench.childJvm(WakeChild.class, file.toString(), mode.name()).start();
      try (BufferedReader r =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        String ready = r.readLine();
        if (!"ready".equals(ready)) {
          throw new IllegalStateException("wake child did not start: " + ready);
        }
        long[] out = new long[rounds];
        for (int i = -100; i < rounds; i++) {
          Thread.sleep(2);
          q.enqueue(new Email("wake", System.nanoTime()));
          String line = r.readLine();
          if (line == null) {
            throw new IllegalStateException("wake child exited early");
          }
          long latency = Long.parseLong(line.trim());
          if (i >= 0) {
            out[i] = latency;
          }
        }
        child.getOutputStream().close();
        child.waitFor(10, TimeUnit.SECONDS);
        return out;
      } finally {
        child.destroyForcibly();
      }
    }
  }

  /** The polling side of {@link #wakeAcrossProcesses}: prints one latency (ns) per job. */
  static final class WakeChild {
    private WakeChild() {}

    public static void main(String[] args) throws Exception {
      Path file = Path.of(args[0]);
      WakeMode mode = WakeMode.valueOf(args[1]);
      try (Gander g = openWith(file, mode)) {
        Queue q = g.queue("wake");
        Bench.exitWhenStdinCloses();
        System.out.println("ready");
        System.out.flush();
        while (true) {
          Optional<Job> job = q.poll("child", Duration.ofSeconds(30));
          if (job.isEmpty()) {
            return;
          }
          long latency = System.nanoTime() - job.get().payloadAs(Email.class).n();
          System.out.println(latency);
          System.out.flush();
          job.get().ack();
        }
      }
    }
  }

  // ----------------------------------------------------------------------- idle

  /**
   * Process CPU over ten seconds with eight threads blocked in {@code poll} on an empty queue
   * ({@code file == null}: the same JVM without Gander, for the baseline of JIT and GC threads).
   */
  static double idleCpu(Path file, WakeMode mode) throws Exception {
    return idleCpu(file, mode, false);
  }

  static double idleCpu(Path file, WakeMode mode, boolean managed) throws Exception {
    OperatingSystemMXBean os = ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class);
    Gander g = file == null ? null : openWith(file, mode);
    List<Thread> pollers = new ArrayList<>();
    try {
      if (g != null && managed) {
        Queue q = g.queue("idle");
        for (int i = 0; i < 8; i++) {
          q.process(job -> null, WorkerOptions.builder().concurrency(1).build());
        }
      } else if (g != null) {
        Queue q = g.queue("idle");
        for (int i = 0; i < 8; i++) {
          String worker = "idle-" + i;
          Thread t =
              new Thread(
                  () -> {
                    try {
                      while (!Thread.currentThread().isInterrupted()) {
                        q.poll(worker, Duration.ofSeconds(30));
                      }
                    } catch (RuntimeException e) {
                      // Closing.
                    }
                  },
                  "bench-idle-" + i);
          t.setDaemon(true);
          t.start();
          pollers.add(t);
        }
      }
      Thread.sleep(2_000); // let start-up work (JIT, first reads) finish
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      Thread.sleep(10_000);
      return (double) (os.getProcessCpuTime() - cpu0) / (System.nanoTime() - t0);
    } finally {
      pollers.forEach(Thread::interrupt);
      if (g != null) {
        g.close();
      }
    }
  }
}
