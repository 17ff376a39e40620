package dev.gander.internal.contract;

import dev.gander.Gander;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The stream's contract on one SQLite file; a second instance is a second open of that file. */
class SqliteStreamContractTest extends StreamContract {
  @TempDir static Path dir;
  private static Gander gander;

  @BeforeAll
  static void open() {
    gander = Gander.open(dir.resolve("streams.db"));
  }

  @AfterAll
  static void close() {
    if (gander != null) {
      gander.close();
    }
  }

  @Override
  protected Gander gander() {
    return gander;
  }

  @Override
  protected Gander openAnother() {
    return Gander.open(dir.resolve("streams.db"));
  }

  @Override
  protected Gander openWithRetentionPeriod(Duration period) {
    return Gander.builder().path(dir.resolve("streams.db")).retentionPeriod(period).open();
  }

  /** On SQLite a compaction that removed something copies the WAL into the file and empties it. */
  @org.junit.jupiter.api.Test
  void aCompactionCheckpointsTheWal() throws Exception {
    dev.gander.stream.Stream s = gander.stream("checkpointed");
    s.publishAll("k", java.util.Collections.nCopies(2_000, "x".repeat(200)));
    dev.gander.stream.CompactReport r = s.forceCompact(1_500);
    org.assertj.core.api.Assertions.assertThat(r.removed()).isEqualTo(1_500);
    org.assertj.core.api.Assertions.assertThat(r.checkpointed()).isTrue();
    org.assertj.core.api.Assertions.assertThat(
            java.nio.file.Files.size(dir.resolve("streams.db-wal")))
        .isZero();
    org.assertj.core.api.Assertions.assertThat(s.compact(0).checkpointed())
        .as("nothing removed, nothing to give back")
        .isFalse();
  }
}
