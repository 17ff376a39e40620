package dev.gander.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.internal.spi.StreamOps;
import dev.gander.internal.spi.WakeKey;
import dev.gander.internal.sqlite.SqliteBackend;
import dev.gander.internal.sqlite.SqliteStore;
import dev.gander.sqlite.SqliteOptions;
import dev.gander.sqlite.WakeMode;
import dev.gander.store.StoreOptions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commit watcher's filter for streams, on a real SQLite file: it wakes when a stream moved
 * since its last look, and not again for an append of this process that already woke everyone.
 */
class StreamWakeCheckerTest {
  @TempDir Path dir;

  @Test
  void anAppendOfThisProcessIsNotReportedTwiceButAnotherOneAfterItIs() {
    SqliteStore store =
        SqliteStore.open(
            dir.resolve("w.db"), SqliteOptions.defaults(), StoreOptions.defaults(), false);
    try (SqliteBackend backend = new SqliteBackend(store, WakeMode.AUTO)) {
      StreamOps ops = backend.streams();
      StreamWakeChecker checker = new StreamWakeChecker(ops);
      WakeKey.StreamAppended key = new WakeKey.StreamAppended("orders");
      List<StreamOps.NewEvent> one = List.of(new StreamOps.NewEvent("k", "1", "{}", 0));

      assertThat(changed(backend, checker, key)).as("the first look wakes").isTrue();
      assertThat(changed(backend, checker, key)).as("nothing moved").isFalse();

      long mine = backend.transactions().runWrite(t -> ops.append(t, "orders", one));
      checker.appended(key, mine); // what this process's commit hook tells it
      assertThat(changed(backend, checker, key)).as("woken by the commit's own signal").isFalse();

      backend.transactions().runWrite(t -> ops.append(t, "orders", one)); // as if elsewhere
      assertThat(changed(backend, checker, key)).as("an append nobody announced").isTrue();

      checker.appended(key, 1); // a late hook of an older append changes nothing
      assertThat(changed(backend, checker, key)).isFalse();
    }
  }

  private static boolean changed(
      SqliteBackend backend, StreamWakeChecker checker, WakeKey.StreamAppended key) {
    return backend.transactions().runRead(t -> checker.changed(t, key));
  }
}
