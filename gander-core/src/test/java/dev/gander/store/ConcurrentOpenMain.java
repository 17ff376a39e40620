package dev.gander.store;

import dev.gander.sqlite.SqliteOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;

/**
 * A child process for {@link CrossProcessOpenTest}: prints {@code ready}, waits for {@code go} on
 * stdin, then opens the store at {@code args[0]} and writes {@code args[2]} rows tagged with
 * process id {@code args[1]}, one write each, and prints {@code done}. Exits 1 with the stack trace
 * on stderr on any failure.
 */
public final class ConcurrentOpenMain {
  private ConcurrentOpenMain() {}

  /**
   * Runs the child.
   *
   * @param args the database path, this process's id, the number of rows
   */
  public static void main(String[] args) {
    try {
      Path path = Path.of(args[0]);
      int proc = Integer.parseInt(args[1]);
      int rows = Integer.parseInt(args[2]);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      // Load the driver and its native library before "ready", so that after "go" the processes
      // really open the file at the same moment instead of one JVM's warm-up apart.
      try (Connection warm = DriverManager.getConnection("jdbc:sqlite::memory:")) {
        warm.createStatement().close();
      }
      SqliteOptions.defaults();
      System.out.println("ready");
      System.out.flush();
      String line = in.readLine();
      if (!"go".equals(line)) {
        throw new IllegalStateException("expected 'go' on stdin, got " + line);
      }
      try (Store store = Store.open(path)) {
        for (int i = 0; i < rows; i++) {
          int n = i;
          store.write(
              c -> {
                if (n == 0) {
                  try (PreparedStatement ps =
                      c.prepareStatement(
                          "CREATE TABLE IF NOT EXISTS rows (proc INTEGER NOT NULL, i INTEGER NOT NULL)")) {
                    ps.execute();
                  }
                }
                try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO rows (proc, i) VALUES (?, ?)")) {
                  ps.setInt(1, proc);
                  ps.setInt(2, n);
                  return ps.executeUpdate();
                }
              });
        }
      }
      System.out.println("done");
      System.out.flush();
      System.exit(0);
    } catch (Throwable t) {
      t.printStackTrace();
      System.err.flush();
      System.exit(1);
    }
  }
}
