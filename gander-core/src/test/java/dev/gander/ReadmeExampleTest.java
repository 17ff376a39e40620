package dev.gander;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the README's "Using it" example as written, so the README cannot drift from the API. */
class ReadmeExampleTest {
  @TempDir Path dir;

  @Test
  void readmeExampleRunsAndCommits() throws Exception {
    Path appDb = dir.resolve("app.db");
    try (Gander setup = Gander.open(appDb)) {
      setup
          .store()
          .write(c -> c.createStatement().executeUpdate("CREATE TABLE orders (id, total)"));
    }

    long counted;
    // --- README "Using it", verbatim but for the path ---
    try (Gander gander = Gander.open(appDb)) { // creates the file and its schema
      gander.inTransaction(
          tx -> { // BEGIN IMMEDIATE ... COMMIT
            try (PreparedStatement ps =
                tx.connection().prepareStatement("INSERT INTO orders (id, total) VALUES (?, ?)")) {
              ps.setLong(1, 42);
              ps.setLong(2, 9_900);
              ps.executeUpdate();
            }
          }); // throw inside to roll back

      long orders =
          gander
              .store()
              .read(
                  c -> { // a read-only connection, one snapshot
                    try (ResultSet rs =
                        c.createStatement().executeQuery("SELECT count(*) FROM orders")) {
                      rs.next();
                      return rs.getLong(1);
                    }
                  });
      // --- end of README example ---
      counted = orders;
    }
    assertThat(counted).isEqualTo(1);
  }
}
