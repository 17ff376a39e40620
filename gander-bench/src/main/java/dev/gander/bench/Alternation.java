package dev.gander.bench;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The measuring harness of the figures that run for a fixed time rather than a fixed count (those
 * of {@link PostgresScenario}, and publish in {@link PgStreamScenario}): {@link Loop}s that each
 * run on a thread of their own until the bell, and the sides of a figure taking turns in {@value
 * #SLICES} slices of the measured time ({@link #alternate}, and {@link #slices} for figures that
 * prepare each round themselves), after a warm-up of {@code gander.bench.warmSeconds} (2 s) each;
 * {@code gander.bench.measureSeconds} sets the measured time ({@value #DEFAULT_MEASURE} s).
 */
final class Alternation {
  static final String DEFAULT_MEASURE = "5";
  static final double WARM =
      Double.parseDouble(System.getProperty("gander.bench.warmSeconds", "2"));
  static final double MEASURE =
      Double.parseDouble(System.getProperty("gander.bench.measureSeconds", DEFAULT_MEASURE));
  static final int SLICES = 10;

  private Alternation() {}

  /** The warm-up and measured seconds of {@link #alternate}'s sides, for a heading. */
  static String timing() {
    return String.format(Locale.ROOT, "%.0f s warm-up, %.0f s measured", WARM, MEASURE);
  }

  /**
   * A figure whose sides need no queue filled: each warms up for {@link #WARM} seconds, then they
   * run in turn.
   *
   * @return each side's jobs per second
   */
  static double[] alternate(int threads, LoopFactory... sides) throws Exception {
    List<List<Loop>> opened = new ArrayList<>();
    try {
      for (LoopFactory side : sides) {
        opened.add(open(threads, side));
      }
      for (List<Loop> side : opened) {
        run(side, WARM);
      }
      return slices(opened, 0, (done, fastest) -> {});
    } finally {
      for (List<Loop> side : opened) {
        close(side);
      }
    }
  }

  /** Called before each round of {@link #slices}, outside the measured time. */
  interface BeforeRound {
    /**
     * Prepares the next round.
     *
     * @param done jobs done so far by every side, warm-up included
     * @param fastest the highest pace of one side in one run so far, jobs per second
     */
    void prepare(long done, double fastest) throws SQLException;
  }

  /**
   * Runs the sides in turn, {@link #SLICES} times for a {@link #SLICES}th of {@link #MEASURE}
   * seconds each (after a warm-up of {@code warmSeconds} each), each round starting with the next
   * side, so that load from outside (another build on the machine, a checkpoint) falls on every
   * side alike.
   *
   * @return each side's jobs per second over its slices
   */
  static double[] slices(List<List<Loop>> sides, double warmSeconds, BeforeRound before)
      throws Exception {
    long done = 0;
    double fastest = 0;
    if (warmSeconds > 0) {
      before.prepare(done, fastest);
      for (List<Loop> side : sides) {
        Measured m = requireNotDry(run(side, warmSeconds));
        done += m.jobs();
        fastest = Math.max(fastest, m.rate());
      }
    }
    long[] jobs = new long[sides.size()];
    long[] nanos = new long[sides.size()];
    for (int r = 0; r < SLICES; r++) {
      before.prepare(done, fastest);
      for (int k = 0; k < sides.size(); k++) {
        int i = (r + k) % sides.size(); // each round starts with the next side
        Measured m = requireNotDry(run(sides.get(i), MEASURE / SLICES));
        jobs[i] += m.jobs();
        nanos[i] += m.nanos();
        done += m.jobs();
        fastest = Math.max(fastest, m.rate());
      }
    }
    double[] rates = new double[sides.size()];
    for (int i = 0; i < rates.length; i++) {
      rates[i] = jobs[i] / (nanos[i] / 1e9);
    }
    return rates;
  }

  private static Measured requireNotDry(Measured m) {
    if (m.dry()) {
      throw new IllegalStateException(
          "the queue ran dry while measuring: the fill was too small for this machine's pace");
    }
    return m;
  }

  // ------------------------------------------------------------- timed loops

  /** One step of a figure's loop, on one thread. */
  interface Loop {
    /**
     * Does one unit of work.
     *
     * @return how many jobs it did; 0 when the queue is empty, which ends this thread's loop
     */
    int step() throws Exception;

    /** Releases what the loop holds (its connection). */
    default void close() throws SQLException {}
  }

  interface LoopFactory {
    Loop open(int thread) throws Exception;
  }

  static List<Loop> open(int threads, LoopFactory loops) throws Exception {
    List<Loop> opened = new ArrayList<>(threads);
    try {
      for (int t = 0; t < threads; t++) {
        opened.add(loops.open(t));
      }
      return opened;
    } catch (Exception e) {
      close(opened);
      throw e;
    }
  }

  static void close(List<Loop> loops) throws SQLException {
    for (Loop loop : loops) {
      loop.close();
    }
  }

  /** Jobs done in a time, and whether the loops stopped early because the queue was empty. */
  record Measured(long jobs, long nanos, boolean dry) {
    double rate() {
      return jobs / (nanos / 1e9);
    }
  }

  /**
   * Runs each loop on a thread of its own for {@code seconds}, or until every loop found its queue
   * empty.
   */
  static Measured run(List<Loop> loops, double seconds) throws Exception {
    int threads = loops.size();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    LongAdder done = new LongAdder();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch start = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(threads);
    List<Future<?>> futures = new ArrayList<>(threads);
    try {
      for (Loop loop : loops) {
        futures.add(
            pool.submit(
                () -> {
                  try {
                    start.await();
                    while (!stop.get()) {
                      int n = loop.step();
                      if (n == 0) {
                        break;
                      }
                      done.add(n);
                    }
                  } finally {
                    finished.countDown();
                  }
                  return null;
                }));
      }
      long t0 = System.nanoTime();
      start.countDown();
      boolean dry = finished.await((long) (seconds * 1e9), TimeUnit.NANOSECONDS);
      stop.set(true);
      // Count what the loops finish after the bell too, and the time they took for it.
      finished.await();
      long t1 = System.nanoTime();
      rethrow(futures);
      return new Measured(done.sum(), t1 - t0, dry);
    } finally {
      stop.set(true);
      pool.shutdown();
      pool.awaitTermination(30, TimeUnit.SECONDS);
    }
  }

  private static void rethrow(List<Future<?>> futures) throws Exception {
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof Exception) {
          throw (Exception) e.getCause();
        }
        throw e;
      }
    }
  }
}
