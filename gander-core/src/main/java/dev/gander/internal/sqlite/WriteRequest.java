package dev.gander.internal.sqlite;

import dev.gander.GanderException;
import dev.gander.store.TxOutcome;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One caller's write: its work, then its outcome once the transaction it ran in commits. Touched by
 * the thread that runs it (the writer thread or the fast path, under the writer lock) and then by
 * the caller, after {@link #complete} publishes it.
 *
 * @param <T> the value's type
 */
final class WriteRequest<T extends @Nullable Object> {
  private static final Logger log = LoggerFactory.getLogger(WriteRequest.class);

  /** How a request may be grouped with others in one transaction. */
  enum Kind {
    /**
     * A caller's function ({@code Store.write}, {@code inTransaction}): it may have effects outside
     * the database and must not run twice, so in a group it runs in a savepoint of its own.
     */
    APPLICATION,
    /**
     * Gander's own work: pure database work that always commits and may run again. A group of these
     * runs without savepoints; when one fails, the others run again in a new transaction.
     */
    RERUNNABLE
  }

  /** Tells the writer thread to stop after what was queued before it. */
  static final WriteRequest<@Nullable Object> STOP =
      new WriteRequest<>(tx -> TxOutcome.commit(null), Kind.APPLICATION);

  private final SqliteTx.Work<TxOutcome<T>> work;
  private final CompletableFuture<@Nullable T> done = new CompletableFuture<>();
  private final Kind kind;

  /** Runs once the outcome is recorded: completes an async caller's future elsewhere. */
  @Nullable Runnable onDone;

  private @Nullable List<Runnable> hooks;
  private @Nullable T value;
  private boolean commit;
  private @Nullable Throwable failure;

  WriteRequest(SqliteTx.Work<TxOutcome<T>> work, Kind kind) {
    this.work = work;
    this.kind = kind;
  }

  boolean rerunnable() {
    return kind == Kind.RERUNNABLE;
  }

  /** Runs the work in {@code tx} and records its outcome. */
  void run(SqliteTx tx) throws SQLException {
    TxOutcome<T> outcome = work.run(tx);
    if (outcome == null) {
      throw new NullPointerException("a writeFlow function returned null instead of a TxOutcome");
    }
    value = outcome.value();
    commit = outcome.commit();
  }

  /** Whether the work asked to keep what it wrote. */
  boolean wantsCommit() {
    return commit;
  }

  @Nullable Throwable failure() {
    return failure;
  }

  void recordFailure(Throwable f) {
    failure = f;
  }

  /** Completes with the recorded outcome: the value, or the failure of the work. */
  void complete() {
    Throwable f = failure;
    if (f != null) {
      done.completeExceptionally(f);
    } else {
      done.complete(value);
    }
    Runnable r = onDone;
    if (r != null) {
      r.run();
    }
  }

  void fail(Throwable f) {
    failure = f;
    complete();
  }

  /** Forgets the outcome of a run whose transaction was rolled back, to run it again. */
  void reset() {
    value = null;
    commit = false;
    failure = null;
    hooks = null;
  }

  void addHook(Runnable hook) {
    List<Runnable> h = hooks;
    if (h == null) {
      h = new ArrayList<>(2);
      hooks = h;
    }
    h.add(hook);
  }

  int hookCount() {
    List<Runnable> h = hooks;
    return h == null ? 0 : h.size();
  }

  /** Drops the hooks registered after the first {@code count}: their savepoint was undone. */
  void dropHooksSince(int count) {
    List<Runnable> h = hooks;
    if (h != null && h.size() > count) {
      h.subList(count, h.size()).clear();
    }
  }

  /** Runs the after-commit hooks, if the work committed. */
  void runHooks() {
    List<Runnable> h = hooks;
    if (h == null || failure != null || !commit) {
      return;
    }
    for (Runnable r : h) {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.warn("an after-commit hook failed", e);
      }
    }
  }

  void completeInto(CompletableFuture<T> target) {
    Throwable f = failure;
    if (f != null) {
      target.completeExceptionally(f);
    } else {
      target.complete(value);
    }
  }

  /** Waits for the commit without giving up on interrupt: the outcome must reach the caller. */
  @SuppressWarnings("NullAway")
  T await() {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return done.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException) {
            throw (RuntimeException) cause;
          }
          if (cause instanceof Error) {
            throw (Error) cause;
          }
          throw new GanderException("write failed", cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
