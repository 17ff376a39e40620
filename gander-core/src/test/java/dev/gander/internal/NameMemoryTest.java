package dev.gander.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.Gander;
import dev.gander.queue.JobId;
import dev.gander.queue.Queue;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Memory per name (queue, key) is released when nothing waits on it. */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NameMemoryTest {
  @TempDir Path dir;

  @Test
  void waitingOnThousandsOfDistinctQueuesLeavesNoKeyBehind() {
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      GanderImpl impl = (GanderImpl) gander;
      for (int i = 0; i < 2_000; i++) {
        Queue q = gander.queue("queue-" + i);
        assertThat(q.poll("w", Duration.ofMillis(1))).isEmpty();
        assertThat(q.awaitDrained(Duration.ZERO)).isTrue();
        if (i % 100 == 0) {
          JobId id = q.enqueue("x");
          assertThat(gander.results().awaitEnd(id, Duration.ofMillis(1)).state().isFinal())
              .isFalse();
          q.claim("w").orElseThrow().ack();
        }
      }
      assertThat(impl.wakeKeyCount()).isZero();
    }
  }
}
