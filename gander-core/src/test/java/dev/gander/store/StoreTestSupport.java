package dev.gander.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/** Helpers shared by the store tests: plain JDBC access, PRAGMA reads, threads, permissions. */
public final class StoreTestSupport {
  private StoreTestSupport() {}

  /** A RuntimeException thrown on purpose by a test's function, compared by identity. */
  public static final class Boom extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what the test was doing
     */
    public Boom(String message) {
      super(message);
    }
  }

  /** Something a test expects to throw. */
  @FunctionalInterface
  public interface Action {
    /**
     * Runs it.
     *
     * @throws Throwable what it throws
     */
    void run() throws Throwable;
  }

  /**
   * Runs {@code action}, asserts that it throws a {@code type}, and returns what it threw.
   *
   * @param type the expected type
   * @param action the action
   * @param <T> the expected type
   * @return the throwable
   */
  public static <T extends Throwable> T thrown(Class<T> type, Action action) {
    try {
      action.run();
    } catch (Throwable t) {
      if (!type.isInstance(t)) {
        throw new AssertionError("expected " + type.getName() + " but got " + t, t);
      }
      return type.cast(t);
    }
    throw new AssertionError("expected " + type.getName() + " but nothing was thrown");
  }

  /**
   * The primary SQLite result code of a Gander exception, which must carry one.
   *
   * @param e the exception
   * @return the low byte of its result code
   */
  public static int primaryCode(dev.gander.GanderException e) {
    java.util.OptionalInt code = e.vendorCode();
    if (code.isEmpty()) {
      throw new AssertionError("no vendor code (SQLite result code) in " + e, e);
    }
    return code.getAsInt() & 0xff;
  }

  /**
   * Waits for a latch inside a store function, which may throw only SQLException.
   *
   * @param latch the latch
   * @return whether it opened within 60 s
   */
  public static boolean await(java.util.concurrent.CountDownLatch latch) {
    try {
      return latch.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting", e);
    }
  }

  /**
   * Opens a plain sqlite-jdbc connection, outside any store.
   *
   * @param db the file
   * @return the connection, in auto-commit mode
   * @throws SQLException if it cannot be opened
   */
  public static Connection jdbc(Path db) throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + db);
  }

  /**
   * Runs one statement.
   *
   * @param c the connection
   * @param sql the statement
   * @throws SQLException on failure
   */
  public static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  /**
   * The first column of the first row of a query, as a long.
   *
   * @param c the connection
   * @param sql the query
   * @return the value
   * @throws SQLException on failure, or AssertionError when there is no row
   */
  public static long queryLong(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      if (!rs.next()) {
        throw new AssertionError("no row from: " + sql);
      }
      return rs.getLong(1);
    }
  }

  /**
   * The first column of the first row of a query, as a string.
   *
   * @param c the connection
   * @param sql the query
   * @return the value
   * @throws SQLException on failure, or AssertionError when there is no row
   */
  public static String queryString(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      if (!rs.next()) {
        throw new AssertionError("no row from: " + sql);
      }
      return String.valueOf(rs.getString(1));
    }
  }

  /**
   * Every row of a query, each row's columns joined with '|'.
   *
   * @param c the connection
   * @param sql the query
   * @return the rows in query order
   * @throws SQLException on failure
   */
  public static List<String> rows(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          if (i > 1) {
            row.append('|');
          }
          row.append(rs.getString(i));
        }
        out.add(row.toString());
      }
    }
    return out;
  }

  /**
   * Row count of a table through the store's read path.
   *
   * @param store the store
   * @param table the table
   * @return its row count
   */
  public static long count(Store store, String table) {
    return store.<Long>read(c -> queryLong(c, "SELECT count(*) FROM " + table));
  }

  /**
   * Row count of a table through a plain JDBC connection, outside the store.
   *
   * @param db the file
   * @param table the table
   * @return its row count
   * @throws SQLException on failure
   */
  public static long countJdbc(Path db, String table) throws SQLException {
    try (Connection c = jdbc(db)) {
      return queryLong(c, "SELECT count(*) FROM " + table);
    }
  }

  /**
   * The per-connection PRAGMAs Gander sets, read on {@code c}.
   *
   * @param c the connection
   * @return journal_mode, busy_timeout, synchronous and foreign_keys by name
   * @throws SQLException on failure
   */
  public static Map<String, String> pragmas(Connection c) throws SQLException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String p : List.of("journal_mode", "busy_timeout", "synchronous", "foreign_keys")) {
      out.put(p, queryString(c, "PRAGMA " + p).toLowerCase(java.util.Locale.ROOT));
    }
    return out;
  }

  /**
   * The live threads whose name starts with {@code gander-}.
   *
   * @return the threads
   */
  public static Set<Thread> liveGanderThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith("gander-"))
        .collect(Collectors.toSet());
  }

  /**
   * Names of threads, sorted, for messages.
   *
   * @param threads the threads
   * @return their names
   */
  public static List<String> names(Set<Thread> threads) {
    return threads.stream().map(Thread::getName).sorted().collect(Collectors.toList());
  }

  /**
   * Makes files and directories read-only for the duration of a test, even for root: {@code chmod}
   * first, then {@code chattr +i} when the path is still writable. {@link #close()} undoes
   * everything in reverse order so that {@code @TempDir} can delete the paths.
   */
  public static final class ReadOnlyPaths implements AutoCloseable {
    private interface Undo {
      void run() throws IOException;
    }

    private final Deque<Undo> undo = new ArrayDeque<>();

    /** Creates an empty set of changes. */
    public ReadOnlyPaths() {}

    /**
     * Makes {@code p} read-only, or aborts the test (as skipped) when that is not possible here.
     *
     * @param p a file or directory
     * @throws IOException if permissions cannot be read or set
     */
    public void makeReadOnly(Path p) throws IOException {
      boolean dir = Files.isDirectory(p);
      Set<PosixFilePermission> original = Files.getPosixFilePermissions(p);
      Files.setPosixFilePermissions(
          p, PosixFilePermissions.fromString(dir ? "r-xr-xr-x" : "r--r--r--"));
      undo.push(() -> Files.setPosixFilePermissions(p, original));
      if (Files.isWritable(p)) {
        // Root ignores the mode bits; the immutable attribute stops root too (ext4).
        if (run("chattr", "+i", p.toString()) == 0) {
          undo.push(
              () -> {
                int rc = run("chattr", "-i", p.toString());
                if (rc != 0) {
                  throw new IOException("chattr -i " + p + " exited with " + rc);
                }
              });
        }
      }
      if (Files.isWritable(p)) {
        try {
          close();
        } catch (IOException e) {
          e.printStackTrace();
        }
        Assumptions.abort(
            "cannot make "
                + p
                + " read-only here: chmod has no effect (running as root?) and chattr +i failed");
      }
    }

    /**
     * Undoes every change, newest first.
     *
     * @throws IOException if a change could not be undone
     */
    @Override
    public void close() throws IOException {
      IOException first = null;
      while (!undo.isEmpty()) {
        try {
          undo.pop().run();
        } catch (IOException e) {
          if (first == null) {
            first = e;
          }
        }
      }
      if (first != null) {
        throw first;
      }
    }

    private static int run(String... command) throws IOException {
      try {
        Process p =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return -1;
        }
        return p.exitValue();
      } catch (IOException e) {
        return -1; // chattr not installed
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while running " + String.join(" ", command), e);
      }
    }
  }
}
