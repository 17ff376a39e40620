package dev.gander.internal.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.internal.spi.ScheduleOps;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The compare-and-set under "a tick fires once": of runners that read the same cursor and try to
 * move it at the same moment, in concurrent transactions on separate connections, exactly one
 * succeeds (PostgreSQL re-checks the losing update's condition after the winner commits).
 */
@RequiresPostgres
class PgSchedulesTest {
  private static final PgSchema SCHEMA = PgTestServer.freshSchema(PgSchedulesTest.class);
  private static PgBackend backend;

  @BeforeAll
  static void open() {
    PgTestServer.require();
    backend = PgTestServer.open(SCHEMA);
  }

  @AfterAll
  static void close() throws Exception {
    if (backend != null) {
      backend.close();
    }
    PgTestServer.dropSchema(SCHEMA);
  }

  @Test
  void ofConcurrentAdvancesFromOneCursorExactlyOneWins() throws Exception {
    ScheduleOps ops = backend.schedules();
    ScheduleOps.Task task =
        new ScheduleOps.Task(
            "tick", "q", "* * * * * *", "UTC", "null", 0, 0, 0, "FIRE_ONCE", false, 0, 0);
    backend
        .transactions()
        .runWrite(
            t -> {
              ops.upsert(t, task, 1_000);
              return null;
            });
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 20; round++) {
        long from = 1_000 + round * 1_000L;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> tries = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          tries.add(
              pool.submit(
                  () -> {
                    go.await();
                    return backend
                        .transactions()
                        .runWrite(t -> ops.advance(t, "tick", from, from + 1_000, from + 1_000));
                  }));
        }
        go.countDown();
        int won = 0;
        for (Future<Boolean> f : tries) {
          won += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
        }
        assertThat(won).as("round %s", round).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
    ScheduleOps.Task after = backend.transactions().runRead(t -> ops.get(t, "tick")).orElseThrow();
    assertThat(after.lastFire()).isEqualTo(21_000);
    assertThat(after.lastJob()).isEqualTo(21_000);
    backend.transactions().runWrite(t -> ops.setPaused(t, "tick", true, 50_000));
    boolean moved = backend.transactions().runWrite(t -> ops.advance(t, "tick", 21_000, 22_000, 0));
    assertThat(moved).as("a paused task does not advance").isFalse();
  }
}
