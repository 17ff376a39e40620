package dev.gander.bench;

import dev.gander.Gander;
import dev.gander.queue.Job;
import dev.gander.queue.Queue;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The wake-up figures of {@link PostgresScenario}: how long a job takes from the enqueue call to
 * the return of a blocked {@code poll}, in this process ({@link #wakeInProcess}) and in another JVM
 * on the same schema ({@link #wakeAcrossProcesses}, whose polling side is {@link WakeChild}).
 */
final class PgWake {
  private PgWake() {}

  static long[] wakeInProcess(Gander g, int rounds) throws Exception {
    Queue q = g.queue("wake_local");
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
                  long latency =
                      System.nanoTime() - job.get().payloadAs(QueueScenario.Email.class).n();
                  job.get().ack();
                  seen.add(latency);
                }
              }
            },
            "bench-waiter");
    waiter.setDaemon(true);
    waiter.start();
    try {
      long[] out = new long[rounds];
      for (int i = -100; i < rounds; i++) {
        Thread.sleep(1); // let the waiter block again, so each round measures a wake from sleep
        q.enqueue(new QueueScenario.Email("wake", System.nanoTime()));
        Long latency = seen.poll(10, TimeUnit.SECONDS);
        if (latency == null) {
          throw new IllegalStateException("the in-process waiter did not get a job in 10 s");
        }
        if (i >= 0) {
          out[i] = latency;
        }
      }
      return out;
    } finally {
      waiter.interrupt();
    }
  }

  /**
   * A child JVM opens Gander on the same schema and polls; this process enqueues one job at a time,
   * stamped with {@code System.nanoTime()} (on Linux {@code CLOCK_MONOTONIC}, shared by all
   * processes), and waits for the child's reading before the next.
   */
  static long[] wakeAcrossProcesses(Gander g, String schema, String url, int rounds)
      throws Exception {
    Queue q = g.queue("wake");
    ProcessBuilder pb = Bench.childJvm(WakeChild.class, schema);
    // Not on the command line: the URL may hold a password.
    pb.environment().put(PgServer.URL_ENV, url);
    Process child = pb.start();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String ready = r.readLine();
      if (!"ready".equals(ready)) {
        throw new IllegalStateException("wake child did not start: " + ready);
      }
      long[] out = new long[rounds];
      for (int i = -100; i < rounds; i++) {
        Thread.sleep(2);
        q.enqueue(new QueueScenario.Email("wake", System.nanoTime()));
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
      child.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The polling side of {@link #wakeAcrossProcesses}: prints one latency (ns) per job. */
  static final class WakeChild {
    private WakeChild() {}

    public static void main(String[] args) throws Exception {
      try (Gander g = Gander.builder().postgres(PgServer.url()).schema(args[0]).open()) {
        Queue q = g.queue("wake");
        Bench.exitWhenStdinCloses();
        System.out.println("ready");
        System.out.flush();
        while (true) {
          Optional<Job> job = q.poll("child", Duration.ofSeconds(30));
          if (job.isEmpty()) {
            return;
          }
          long latency = System.nanoTime() - job.get().payloadAs(QueueScenario.Email.class).n();
          System.out.println(latency);
          System.out.flush();
          job.get().ack();
        }
      }
    }
  }
}
