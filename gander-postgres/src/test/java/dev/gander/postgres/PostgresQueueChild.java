package dev.gander.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.gander.Gander;
import dev.gander.LeaseLostException;
import dev.gander.queue.Job;
import dev.gander.queue.Queue;
import dev.gander.queue.QueueOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The child programs of {@link PostgresMultiProcessTest}: each opens Gander on the PostgreSQL URL
 * and schema given (through a small pool of its own, so that many children fit the server's
 * connection slots), does its part, and prints one line per event on stdout; it stops when its
 * stdin is closed.
 *
 * <ul>
 *   <li>{@code produce URL SCHEMA PRODUCER COUNT}: enqueues COUNT jobs, half one by one and half in
 *       batches of 50, then prints {@code produced COUNT}.
 *   <li>{@code work URL SCHEMA THREADS SLOW_MS HANG_AFTER}: THREADS threads poll and ack (result:
 *       this process's pid and the attempt), each printing {@code acked ID KEY} after its ack
 *       returned; every job takes SLOW_MS first. Once the process has acked HANG_AFTER jobs (never
 *       if negative), a thread that claims a job prints {@code holding ID} and hangs with the
 *       lease, waiting to be killed. Prints {@code working} once started.
 * </ul>
 */
final class PostgresQueueChild {
  static final String QUEUE = "shared";
  static final QueueOptions OPTIONS =
      QueueOptions.builder()
          .visibilityTimeout(Duration.ofSeconds(2))
          .maxAttempts(5)
          .backoffBase(Duration.ofMillis(10))
          .build();

  /** A job's payload: who made it and its number there. */
  record Item(String producer, int n) {
    String key() {
      return producer + "-" + n;
    }
  }

  private PostgresQueueChild() {}

  public static void main(String[] args) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    Thread stdin =
        new Thread(
            () -> {
              try {
                while (System.in.read() >= 0) {
                  // Closing stdin is the signal to stop.
                }
              } catch (java.io.IOException e) {
                // The parent went away: stop too.
              }
              stop.set(true);
            },
            "stdin");
    stdin.setDaemon(true);
    stdin.start();
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(args[1]);
    hc.setMaximumPoolSize(4);
    hc.setPoolName("child");
    try (HikariDataSource pool = new HikariDataSource(hc);
        Gander gander = Gander.builder().postgres(pool).schema(args[2]).open()) {
      switch (args[0]) {
        case "produce":
          produce(gander, args[3], Integer.parseInt(args[4]));
          break;
        case "work":
          work(
              gander,
              Integer.parseInt(args[3]),
              Long.parseLong(args[4]),
              Integer.parseInt(args[5]),
              stop);
          break;
        default:
          throw new IllegalArgumentException(args[0]);
      }
    }
  }

  private static void produce(Gander gander, String producer, int count) {
    Queue q = gander.queue(QUEUE, OPTIONS);
    int n = 0;
    while (n < count / 2) {
      q.enqueue(new Item(producer, n++));
    }
    while (n < count) {
      List<Item> batch = new ArrayList<>();
      for (int i = 0; i < 50 && n < count; i++) {
        batch.add(new Item(producer, n++));
      }
      q.enqueueAll(batch);
    }
    say("produced " + n);
  }

  private static void work(
      Gander gander, int threads, long slowMs, int hangAfter, AtomicBoolean stop)
      throws InterruptedException {
    long pid = ProcessHandle.current().pid();
    AtomicInteger acked = new AtomicInteger();
    Queue q = gander.queue(QUEUE, OPTIONS);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String worker = "w" + pid + "-" + t;
      Thread thread =
          new Thread(
              () -> {
                while (!stop.get()) {
                  Optional<Job> job = q.poll(worker, Duration.ofMillis(200));
                  if (job.isEmpty()) {
                    continue;
                  }
                  Job j = job.get();
                  Item item = j.payloadAs(Item.class);
                  if (hangAfter >= 0 && acked.get() >= hangAfter) {
                    say("holding " + j.id());
                    try {
                      Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                  if (slowMs > 0) {
                    try {
                      Thread.sleep(slowMs);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                  try {
                    j.ack(pid + ":" + j.attempt());
                    acked.incrementAndGet();
                    say("acked " + j.id() + " " + item.key());
                  } catch (LeaseLostException e) {
                    say("lost " + j.id() + " " + item.key());
                  }
                }
              },
              worker);
      thread.start();
      workers.add(thread);
    }
    say("working");
    for (Thread t : workers) {
      t.join();
    }
  }

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
