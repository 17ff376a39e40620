package dev.gander.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.Gander;
import dev.gander.GanderException;
import dev.gander.internal.contract.Jvm;
import dev.gander.internal.contract.QueueChild;
import dev.gander.pubsub.Listener;
import dev.gander.pubsub.Notification;
import dev.gander.queue.Job;
import dev.gander.queue.Queue;
import dev.gander.stream.Event;
import dev.gander.stream.Stream;
import dev.gander.stream.Subscription;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * With file events a waiting thread runs the watch for other processes' commits itself while nobody
 * else does, and a signal from this process wakes it there with an interrupt that it takes back
 * (see {@code CommitWatcher}). Through the public API: such a wake-up never leaves the caller's
 * thread interrupted, a real interrupt still stops the wait, and waiters of every kind in one
 * process, one of them watching and the others served by it or by the watcher thread, all get what
 * other processes send.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WaitingThreadWatchTest {
  private static final int ROUNDS = 1_000;

  /** Rounds sent from this process after a pause longer than the watch's back-off. */
  private static final int SLOW_ROUNDS = 2;

  @TempDir Path dir;

  private Gander open() {
    return Gander.builder()
        .path(dir.resolve("app.db"))
        .sqlite(SqliteOptions.builder().wakeMode(WakeMode.FILE_EVENTS).build())
        .open();
  }

  private static void pause(boolean slow) throws InterruptedException {
    if (slow) {
      Thread.sleep(2_100);
    }
    jitter();
  }

  /** Spins a random few hundred microseconds, so that signals land at every point of a wait. */
  private static void jitter() {
    long until = System.nanoTime() + ThreadLocalRandom.current().nextLong(400_000);
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
  }

  /**
   * A waiter woken a thousand times at random moments of its wait, alternately by another instance
   * on the same file (a foreign commit, after which the next wait runs the watch) and by this one,
   * returns every item in order and is never left with its interrupt flag set. Waiters stop
   * watching for a second after a watching one was woken by its own process, so the last rounds
   * pause for longer than that (and the one-second cap on each wait) before each send from this
   * process: each of those wakes a waiter that runs the watch, by the interrupt it must take back.
   */
  @Test
  void aWaiterWokenFromThisProcessIsNeverLeftInterrupted() throws Exception {
    try (Gander here = open();
        Gander there = open()) {
      Stream stream = here.stream("ticks");
      Queue queue = here.queue("jobs");
      try (Subscription sub = stream.subscribe("reader");
          Listener listener = here.listen("pings")) {
        List<String> interrupted = Collections.synchronizedList(new ArrayList<>());
        BlockingQueue<Long> got = new ArrayBlockingQueue<>(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread waiter =
            new Thread(
                () -> {
                  try {
                    for (int i = 0; i < ROUNDS + SLOW_ROUNDS; i++) {
                      Optional<Event> e = sub.next(Duration.ofSeconds(30));
                      check(interrupted, "stream", i);
                      got.put(e.orElseThrow().payloadAs(Long.class));
                      Optional<Notification> n = listener.poll(Duration.ofSeconds(30));
                      check(interrupted, "listener", i);
                      got.put(n.orElseThrow().payloadAs(Long.class));
                      Optional<Job> j = queue.poll("w", Duration.ofSeconds(30));
                      check(interrupted, "queue", i);
                      j.orElseThrow().ack();
                      got.put(j.get().payloadAs(Long.class));
                    }
                  } catch (Throwable t) {
                    failed.set(t);
                  }
                },
                "waiter");
        waiter.start();
        for (long i = 0; i < ROUNDS + SLOW_ROUNDS; i++) {
          boolean slow = i >= ROUNDS;
          Gander sender = i % 2 == 0 && !slow ? there : here;
          pause(slow);
          sender.stream("ticks").publish("tick", i);
          assertThat(got.poll(30, TimeUnit.SECONDS)).as("event %d", i).isEqualTo(i);
          pause(slow);
          sender.notify("pings", i);
          assertThat(got.poll(30, TimeUnit.SECONDS)).as("notification %d", i).isEqualTo(i);
          pause(slow);
          sender.queue("jobs").enqueue(i);
          assertThat(got.poll(30, TimeUnit.SECONDS)).as("job %d", i).isEqualTo(i);
        }
        waiter.join(30_000);
        assertThat(failed.get()).isNull();
        assertThat(interrupted).isEmpty();
      }
    }
  }

  private static void check(List<String> interrupted, String what, int round) {
    if (Thread.currentThread().isInterrupted()) {
      interrupted.add(what + " " + round);
      Thread.interrupted();
    }
  }

  /**
   * An interrupt of a thread waiting for an event, a notification or a job (the first of them
   * running the watch itself) still stops its wait with an exception, and the flag stays set for
   * the caller to see.
   */
  @Test
  void anInterruptStillStopsAWaitingThreadAndStaysSet() throws Exception {
    try (Gander gander = open()) {
      Stream stream = gander.stream("ticks");
      Queue queue = gander.queue("jobs");
      try (Subscription sub = stream.subscribe("reader");
          Listener listener = gander.listen("pings")) {
        List<Runnable> waits =
            List.of(
                () -> sub.next(Duration.ofSeconds(60)),
                () -> listener.poll(Duration.ofSeconds(60)),
                () -> queue.poll("w", Duration.ofSeconds(60)));
        for (int round = 0; round < 3; round++) {
          for (Runnable wait : waits) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            boolean[] flagSet = {false};
            Thread t =
                new Thread(
                    () -> {
                      try {
                        wait.run();
                      } catch (Throwable e) {
                        thrown.set(e);
                      }
                      flagSet[0] = Thread.currentThread().isInterrupted();
                    });
            t.start();
            awaitBlocked(t);
            t.interrupt();
            t.join(30_000);
            assertThat(t.isAlive()).isFalse();
            assertThat(thrown.get())
                .isInstanceOf(GanderException.class)
                .hasCauseInstanceOf(InterruptedException.class);
            assertThat(flagSet[0]).isTrue();
          }
        }
        // The watch is still there for the next waiter: a wake-up from this process still works.
        stream.publish("tick", 7L);
        assertThat(sub.next(Duration.ofSeconds(30)).orElseThrow().payloadAs(Long.class))
            .isEqualTo(7L);
      }
    }
  }

  private static void awaitBlocked(Thread t) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.WAITING) {
      assertThat(System.nanoTime()).as("thread blocked in its wait").isLessThan(deadline);
      Thread.sleep(1);
    }
    // Blocked in its wait (the watch's poll or the key's monitor): an interrupt from here on,
    // wherever it lands, must end the wait.
  }

  /**
   * A subscriber, a listener and a queue poller wait in this process (whichever waits first runs
   * the watch, the others are woken by it or by the watcher thread) while three other processes
   * publish, notify and enqueue: each gets everything sent to it.
   */
  @Test
  void waitersOfEveryKindInOneProcessGetWhatOtherProcessesSend() throws Exception {
    int count = 200;
    try (Gander gander = open()) {
      Stream stream = gander.stream("feed");
      Queue queue = gander.queue(QueueChild.QUEUE, QueueChild.OPTIONS);
      try (Subscription sub = stream.subscribe("reader");
          Listener listener = gander.listen("pings")) {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        List<Integer> notes = Collections.synchronizedList(new ArrayList<>());
        Set<Integer> jobs = Collections.synchronizedSet(new HashSet<>());
        AtomicReference<Throwable> failed = new AtomicReference<>();
        List<Thread> threads =
            List.of(
                collector(
                    failed,
                    count,
                    () ->
                        sub.next(Duration.ofSeconds(60))
                            .map(e -> events.add(e.payloadAs(String.class)))),
                collector(
                    failed,
                    count,
                    () ->
                        listener
                            .poll(Duration.ofSeconds(60))
                            .map(n -> notes.add(n.payloadAs(Integer.class)))),
                collector(
                    failed,
                    count,
                    () ->
                        queue
                            .poll("here", Duration.ofSeconds(60))
                            .map(
                                j -> {
                                  j.ack();
                                  return jobs.add(j.payloadAs(QueueChild.Item.class).n());
                                })));
        threads.forEach(Thread::start);
        String target = QueueChild.sqlite(dir.resolve("app.db"));
        try (Jvm publisher =
                new Jvm("publisher", dir, QueueChild.class, "publish", target, "feed", "p", "200");
            Jvm notifier =
                new Jvm("notifier", dir, QueueChild.class, "notify", target, "pings", "200");
            Jvm producer =
                new Jvm("producer", dir, QueueChild.class, "produce", target, "p", "200")) {
          assertThat(publisher.next(60)).as(publisher.describe()).isEqualTo("published 200");
          assertThat(notifier.next(60)).as(notifier.describe()).isEqualTo("notified 200");
          assertThat(producer.next(60)).as(producer.describe()).isEqualTo("produced 200");
          for (Thread t : threads) {
            t.join(60_000);
            assertThat(t.isAlive()).as(t.getName()).isFalse();
          }
        }
        assertThat(failed.get()).isNull();
        List<String> expected = new ArrayList<>();
        List<Integer> numbers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          expected.add("p:" + i);
          numbers.add(i);
        }
        assertThat(events).containsExactlyElementsOf(expected);
        assertThat(notes).containsExactlyElementsOf(numbers);
        assertThat(jobs).containsExactlyInAnyOrderElementsOf(numbers);
      }
    }
  }

  /** A thread that takes {@code count} items with {@code take}, recording a failure. */
  private static Thread collector(
      AtomicReference<Throwable> failed, int count, java.util.function.Supplier<Optional<?>> take) {
    return new Thread(() -> collect(failed, count, take));
  }

  /** Takes {@code count} items with {@code take} (each returning empty if none came in time). */
  private static void collect(
      AtomicReference<Throwable> failed, int count, java.util.function.Supplier<Optional<?>> take) {
    try {
      int n = 0;
      while (n < count) {
        if (take.get().isEmpty()) {
          throw new AssertionError("nothing came in 60 s after " + n);
        }
        n++;
      }
    } catch (Throwable t) {
      failed.compareAndSet(null, t);
    }
  }
}
