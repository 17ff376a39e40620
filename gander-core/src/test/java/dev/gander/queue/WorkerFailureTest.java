package dev.gander.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.Gander;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a managed worker does with a job whose handler fails, or whose result cannot be stored: the
 * job is settled at once with the real cause as its error, never left leased.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WorkerFailureTest {
  private static final int MAX_ERROR_BYTES = 4096;

  @TempDir Path dir;

  private static QueueOptions.Builder fastRetries(int maxAttempts) {
    return QueueOptions.builder()
        .maxAttempts(maxAttempts)
        .backoffBase(Duration.ofMillis(5))
        .backoffCap(Duration.ofMillis(20));
  }

  /** Jackson fails on a direct self-reference. */
  public static final class Loop {
    public Loop getSelf() {
      return this;
    }
  }

  /** Jackson wraps what a getter throws. */
  public static final class BrokenGetter {
    public String getValue() {
      throw new IllegalStateException("getter broke");
    }
  }

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void aResultThatCannotBeStoredDeadLettersTheJobAtOnceWithTheCodecError() throws Exception {
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      // A long lease: a job left leased would not come back within the test.
      Queue q =
          gander.queue(
              "jobs",
              fastRetries(3).maxPayloadBytes(64).visibilityTimeout(Duration.ofHours(1)).build());
      JobId loop = q.enqueue("loop");
      JobId getter = q.enqueue("getter");
      JobId big = q.enqueue("big");
      Map<JobId, Integer> runs = new ConcurrentHashMap<>();
      try (Worker worker =
          q.process(
              job -> {
                runs.merge(job.id(), 1, Integer::sum);
                switch (job.payloadAs(String.class)) {
                  case "loop":
                    return new Loop();
                  case "getter":
                    return new BrokenGetter();
                  default:
                    return "x".repeat(1000); // over maxPayloadBytes
                }
              },
              WorkerOptions.builder().concurrency(2).build())) {
        Await.until("three dead letters", () -> q.stats().dead() == 3);
        assertThat(worker.failed()).isEqualTo(3);
        assertThat(worker.processed()).isZero();
      }
      assertThat(runs).containsOnly(Map.entry(loop, 1), Map.entry(getter, 1), Map.entry(big, 1));
      QueueStats stats = q.stats();
      assertThat(stats.ready() + stats.scheduled() + stats.running()).isZero();
      List<DeadLetter> dead = q.deadLetters(10);
      assertThat(dead).allSatisfy(d -> assertThat(d.reason()).isEqualTo("failed"));
      assertThat(dead).allSatisfy(d -> assertThat(d.attempts()).isEqualTo(1));
      assertThat(errorOf(dead, loop))
          .startsWith("dev.gander.PayloadCodecException: Cannot serialise the result")
          .contains("self-reference");
      assertThat(errorOf(dead, getter))
          .startsWith("dev.gander.PayloadCodecException: Cannot serialise the result")
          .contains("getter broke");
      assertThat(errorOf(dead, big))
          .startsWith("dev.gander.PayloadTooLargeException: The result is 1002 bytes of JSON");
      assertThat(gander.results().get(loop)).isEmpty();
    }
  }

  private static String errorOf(List<DeadLetter> dead, JobId id) {
    return dead.stream()
        .filter(d -> d.id().equals(id))
        .findFirst()
        .orElseThrow()
        .lastError()
        .orElseThrow();
  }

  private static int recurse(int depth) {
    return recurse(depth + 1) + 1;
  }

  @Test
  void aStackOverflowErrorIsRetriedWithBackoffLikeAnException() throws Exception {
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue q = gander.queue("jobs", fastRetries(3).visibilityTimeout(Duration.ofHours(1)).build());
      JobId id = q.enqueue("deep");
      try (Worker worker =
          q.process(
              job -> job.attempt() == 1 ? recurse(0) : job.lastError().orElse("none"),
              WorkerOptions.defaults())) {
        Await.until("acked on the second attempt", () -> worker.processed() == 1);
        assertThat(worker.failed()).isEqualTo(1);
      }
      String error = gander.results().get(id).orElseThrow().as(String.class);
      assertThat(error).startsWith("java.lang.StackOverflowError").contains("\n\tat ");
      assertThat(bytes(error)).isLessThanOrEqualTo(MAX_ERROR_BYTES);
      assertThat(q.stats().dead()).isZero();
    }
  }

  @Test
  void theStoredErrorHasTheClassMessageAndTopOfTheStackTrace() throws Exception {
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue q = gander.queue("jobs", fastRetries(3).build());
      JobId id = q.enqueue("boom");
      try (Worker worker =
          q.process(
              job -> {
                if (job.attempt() == 1) {
                  throw new IllegalStateException("boom");
                }
                return job.lastError().orElse("none");
              },
              WorkerOptions.defaults())) {
        Await.until("acked on the second attempt", () -> worker.processed() == 1);
        assertThat(worker.failed()).isEqualTo(1);
      }
      String error = gander.results().get(id).orElseThrow().as(String.class);
      assertThat(error)
          .startsWith("java.lang.IllegalStateException: boom\n\tat ")
          .contains("\tat dev.gander.queue.WorkerFailureTest");
      assertThat(bytes(error)).isLessThanOrEqualTo(MAX_ERROR_BYTES);
    }
  }

  /** A chain of causes as deep as a recursive parser might build, each with a long message. */
  private static Exception deepChain(int depth) {
    Exception e = new java.io.IOException("root cause: disk on fire");
    for (int i = 0; i < depth; i++) {
      e = new RuntimeException("level " + i + " é€😀".repeat(20), e);
    }
    return e;
  }

  @Test
  void errorsAreBoundedToFourKibibytesOfUtf8WhateverTheException() throws Exception {
    RuntimeException cycleA = new RuntimeException("a");
    RuntimeException cycleB = new RuntimeException("b", cycleA);
    cycleA.initCause(cycleB);
    Map<String, Exception> thrown =
        Map.of(
            "deep",
            deepChain(10_000),
            "long",
            new IllegalArgumentException("€".repeat(100_000)),
            "cycle",
            cycleA,
            "rude",
            new RuntimeException() {
              private static final long serialVersionUID = 1L;

              @Override
              public String getMessage() {
                throw new UnsupportedOperationException("no message for you");
              }
            });
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue q = gander.queue("jobs", fastRetries(1).visibilityTimeout(Duration.ofHours(1)).build());
      Map<JobId, String> kinds = new ConcurrentHashMap<>();
      for (String kind : thrown.keySet()) {
        kinds.put(q.enqueue(kind), kind);
      }
      try (Worker worker =
          q.process(
              job -> {
                throw thrown.get(job.payloadAs(String.class));
              },
              WorkerOptions.defaults())) {
        Await.until("all dead", () -> q.stats().dead() == thrown.size());
        assertThat(worker.failed()).isEqualTo(thrown.size());
      }
      List<DeadLetter> dead = q.deadLetters(10);
      assertThat(dead).allSatisfy(d -> assertThat(d.reason()).isEqualTo("failed"));
      for (DeadLetter d : dead) {
        String kind = kinds.get(d.id());
        String error = d.lastError().orElseThrow();
        assertThat(bytes(error)).as(kind).isLessThanOrEqualTo(MAX_ERROR_BYTES);
        assertThat(error).as(kind).contains("\tat ");
        switch (kind) {
          case "deep":
            assertThat(error)
                .startsWith("java.lang.RuntimeException: level 9999 ")
                .contains("Caused by: java.io.IOException: root cause: disk on fire");
            break;
          case "long":
            assertThat(error).startsWith("java.lang.IllegalArgumentException: €€€");
            break;
          case "cycle":
            assertThat(error).startsWith("java.lang.RuntimeException: a");
            break;
          default:
            assertThat(error).startsWith("dev.gander.queue.WorkerFailureTest$");
        }
      }
    }
  }
}
