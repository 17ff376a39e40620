package dev.gander.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.Gander;
import dev.gander.StorageFullException;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk (the file capped with {@code PRAGMA max_page_count}) while enqueueing: a clear error,
 * nothing reported as written that was not, and the queue works again once there is room.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class QueueStorageFullTest {
  @TempDir Path dir;

  private static void capGrowth(Gander gander, int pages) {
    gander
        .store()
        .write(
            c -> {
              try (Statement st = c.createStatement()) {
                long current;
                try (ResultSet rs = st.executeQuery("PRAGMA page_count")) {
                  rs.next();
                  current = rs.getLong(1);
                }
                try (ResultSet rs =
                    st.executeQuery("PRAGMA max_page_count = " + (current + pages))) {
                  rs.next();
                  return rs.getLong(1);
                }
              }
            });
  }

  private static void uncap(Gander gander) {
    gander
        .store()
        .write(
            c -> {
              try (Statement st = c.createStatement()) {
                st.executeQuery("PRAGMA max_page_count = 1073741823").close();
              }
              return null;
            });
  }

  @Test
  void aFullFileFailsTheEnqueueAllAndKeepsWhatWasCommitted() {
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue q = gander.queue("jobs");
      List<JobId> kept = q.enqueueAll(List.of("a", "b", "c"));
      capGrowth(gander, 10);
      List<String> big = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        big.add("x".repeat(10_000));
      }
      assertThatThrownBy(() -> q.enqueueAll(big))
          .isInstanceOf(StorageFullException.class)
          .hasMessageContaining("full");
      assertThat(q.stats().ready()).isEqualTo(3);
      uncap(gander);
      assertThat(q.enqueueAll(big)).hasSize(100);
      List<JobId> claimed = new ArrayList<>();
      for (Job j : q.claim("w", 3)) {
        claimed.add(j.id());
      }
      assertThat(claimed).isEqualTo(kept);
    }
  }

  @Test
  void concurrentEnqueuesIntoAFullFileNeverReportSuccessForLostJobs() throws Exception {
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue q = gander.queue("jobs");
      capGrowth(gander, 40);
      Set<JobId> reported = ConcurrentHashMap.newKeySet();
      Set<Integer> fullSeen = ConcurrentHashMap.newKeySet();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          int thread = t;
          futures.add(
              pool.submit(
                  () -> {
                    // Group-committed with the other threads' enqueues; some fail for room.
                    for (int i = 0; i < 400; i++) {
                      try {
                        reported.add(q.enqueue("p" + thread + "-" + i + "-" + "y".repeat(500)));
                      } catch (StorageFullException e) {
                        fullSeen.add(thread);
                      }
                    }
                    return null;
                  }));
        }
        for (Future<?> f : futures) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(fullSeen).as("threads that met a full file").isNotEmpty();
      assertThat(reported).as("some enqueues fit").isNotEmpty();
      // Exactly the jobs reported as enqueued are in the queue: no lost success, no ghost.
      uncap(gander);
      Set<JobId> stored = ConcurrentHashMap.newKeySet();
      for (List<Job> batch = q.claim("w", 500); !batch.isEmpty(); batch = q.claim("w", 500)) {
        for (Job j : batch) {
          stored.add(j.id());
        }
        q.ackAll(batch);
      }
      assertThat(stored).isEqualTo(reported);
    }
  }
}
