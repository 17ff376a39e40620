package dev.gander.internal.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.internal.spi.JobOps;
import dev.gander.internal.spi.JobOps.Claimed;
import dev.gander.internal.spi.JobOps.Stale;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What many connections at once do to the job tables: what SQLite's single writer never sees. */
@RequiresPostgres
class PgJobsConcurrencyTest {
  private static final PgSchema SCHEMA = PgTestServer.freshSchema(PgJobsConcurrencyTest.class);
  private static final long T = 1_700_000_000_000L;
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
  void concurrentClaimersNeverTakeTheSameJob() throws Exception {
    String queue = "contended";
    int jobs = 300;
    backend
        .runner()
        .runWrite(
            tx -> {
              for (int i = 0; i < jobs; i++) {
                int state = i % 3 == 0 ? JobOps.SCHEDULED : JobOps.READY;
                backend
                    .jobs()
                    .insert(
                        tx,
                        new JobOps.NewJob(
                            queue, "{}", i % 4, T - i, state, 3, null, Long.MAX_VALUE, T));
              }
              return null;
            });
    int threads = 4;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<Long>>> results = new ArrayList<>();
      for (int w = 0; w < threads; w++) {
        String worker = "worker-" + w;
        results.add(
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  List<Long> mine = new ArrayList<>();
                  while (true) {
                    List<Claimed> got =
                        backend
                            .runner()
                            .runWrite(
                                tx ->
                                    backend.jobs().claim(tx, queue, worker, 7, T, T + 1000, 1000));
                    if (got.isEmpty()) {
                      return mine;
                    }
                    got.forEach(c -> mine.add(c.id()));
                  }
                }));
      }
      List<Long> all = new ArrayList<>();
      for (Future<List<Long>> f : results) {
        all.addAll(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(all).hasSize(jobs).doesNotHaveDuplicates();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void ofConcurrentInsertsWithOneUniqueKeyExactlyOneWins() throws Exception {
    int threads = 6;
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<OptionalLong>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  return backend
                      .runner()
                      .runWrite(
                          tx ->
                              backend
                                  .jobs()
                                  .insert(
                                      tx,
                                      new JobOps.NewJob(
                                          "unique",
                                          "{}",
                                          0,
                                          T,
                                          JobOps.READY,
                                          3,
                                          "once",
                                          Long.MAX_VALUE,
                                          T)));
                }));
      }
      Set<Long> ids = new HashSet<>();
      int empty = 0;
      for (Future<OptionalLong> f : results) {
        OptionalLong id = f.get(30, TimeUnit.SECONDS);
        if (id.isPresent()) {
          ids.add(id.getAsLong());
        } else {
          empty++;
        }
      }
      assertThat(ids).hasSize(1);
      assertThat(empty).isEqualTo(threads - 1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aSweepLeavesAloneWhatAnotherSweepHoldsAndAHeartbeatThatCameFirstKeepsItsLease()
      throws Exception {
    String queue = "swept";
    long id =
        backend
            .runner()
            .runWrite(
                tx ->
                    backend
                        .jobs()
                        .insert(
                            tx,
                            new JobOps.NewJob(
                                queue, "{}", 0, T, JobOps.READY, 3, null, Long.MAX_VALUE, T)))
            .getAsLong();
    Claimed c =
        backend
            .runner()
            .runWrite(tx -> backend.jobs().claim(tx, queue, "w", 1, T, T + 1000, 1000))
            .get(0);

    try (Connection first = PgTestServer.connect()) {
      first.setAutoCommit(false);
      PgTx sweep = new PgTx(first, true);
      List<Stale> held = backend.jobs().expiredLeases(sweep, T + 1000);
      assertThat(held).extracting(Stale::id).contains(id);
      // A second sweeper meanwhile skips the row the first one holds, rather than waiting.
      List<Stale> second =
          backend.runner().runWrite(tx -> backend.jobs().expiredLeases(tx, T + 1000));
      assertThat(second).extracting(Stale::id).doesNotContain(id);
      first.rollback();
    }

    // The worker heartbeats before the next sweep: that sweep no longer sees an expired lease.
    boolean extended =
        backend
            .runner()
            .runWrite(tx -> backend.jobs().heartbeat(tx, id, c.token(), T + 5000, 5000));
    assertThat(extended).isTrue();
    List<Stale> later = backend.runner().runWrite(tx -> backend.jobs().expiredLeases(tx, T + 1000));
    assertThat(later).extracting(Stale::id).doesNotContain(id);
  }
}
