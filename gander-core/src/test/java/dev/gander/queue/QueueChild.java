package dev.gander.queue;

import dev.gander.Gander;
import dev.gander.LeaseLostException;
import dev.gander.sqlite.SqliteOptions;
import dev.gander.sqlite.WakeMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The child programs of {@link MultiProcessQueueTest}. Each opens the database given, does its
 * part, and prints one line per event on stdout; it stops when its stdin is closed.
 *
 * <ul>
 *   <li>{@code produce DB PRODUCER COUNT}: enqueues COUNT jobs, half one by one and half in batches
 *       of 50, then prints {@code produced COUNT}.
 *   <li>{@code work DB THREADS SLOW_MS HANG_AFTER}: THREADS threads poll and ack (result: this
 *       process's pid and the attempt), each printing {@code acked ID KEY} after its ack returned;
 *       every job takes SLOW_MS first. Once the process has acked HANG_AFTER jobs (never if
 *       negative), a thread that claims a job prints {@code holding ID} and hangs with the lease,
 *       waiting to be killed. Prints {@code working} once started.
 *   <li>{@code flood DB}: enqueues batches of 100 until killed, printing {@code batch N} after each
 *       commit.
 *   <li>{@code wait DB MODE}: with the given wake mode, prints {@code waiting}, then for each job
 *       it receives prints {@code got KEY}.
 * </ul>
 */
final class QueueChild {
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

  private QueueChild() {}

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
    Path db = Path.of(args[1]);
    switch (args[0]) {
      case "produce":
        produce(db, args[2], Integer.parseInt(args[3]));
        break;
      case "work":
        work(
            db,
            Integer.parseInt(args[2]),
            Long.parseLong(args[3]),
            Integer.parseInt(args[4]),
            stop);
        break;
      case "flood":
        flood(db);
        break;
      case "wait":
        await(db, WakeMode.valueOf(args[2]), stop);
        break;
      default:
        throw new IllegalArgumentException(args[0]);
    }
  }

  private static void produce(Path db, String producer, int count) {
    try (Gander gander = Gander.open(db)) {
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
  }

  private static void flood(Path db) {
    try (Gander gander = Gander.open(db)) {
      Queue q = gander.queue(QUEUE, OPTIONS);
      for (int batch = 1; ; batch++) {
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          items.add(new Item("flood" + batch, i));
        }
        q.enqueueAll(items);
        say("batch " + batch);
      }
    }
  }

  private static void work(Path db, int threads, long slowMs, int hangAfter, AtomicBoolean stop)
      throws InterruptedException {
    long pid = ProcessHandle.current().pid();
    AtomicInteger acked = new AtomicInteger();
    try (Gander gander = Gander.open(db)) {
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
  }

  private static void await(Path db, WakeMode mode, AtomicBoolean stop) {
    try (Gander gander =
        Gander.builder().path(db).sqlite(SqliteOptions.builder().wakeMode(mode).build()).open()) {
      Queue q = gander.queue(QUEUE, OPTIONS);
      say("waiting");
      while (!stop.get()) {
        Optional<Job> job = q.poll("waiter", Duration.ofSeconds(60));
        if (job.isPresent()) {
          job.get().ack();
          say("got " + job.get().payloadAs(Item.class).key());
        }
      }
    }
  }

  private static synchronized void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
