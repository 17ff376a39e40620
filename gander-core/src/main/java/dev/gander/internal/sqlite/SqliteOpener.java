package dev.gander.internal.sqlite;

import dev.gander.GanderException;
import dev.gander.NotAGanderDatabaseException;
import dev.gander.ReadOnlyDatabaseException;
import dev.gander.sqlite.SqliteInfo;
import dev.gander.sqlite.SqliteOptions;
import dev.gander.sqlite.Synchronous;
import dev.gander.store.StoreInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * Opens a database file: the checks on the file and its directory that let errors say what to do,
 * how a read-only store can read it ({@link ReadOnlyAccess}), the connection settings, the switch
 * to WAL and the schema migrations. A file Gander refuses is refused before anything in it changes.
 */
final class SqliteOpener {
  private static final Logger log = LoggerFactory.getLogger(SqliteOpener.class);

  /**
   * The connections of a newly opened store.
   *
   * @param file the database file, absolute
   * @param writer the writer connection, migrated and in WAL mode; null for a read-only store
   * @param readers the read pool
   */
  record Opened(Path file, @Nullable Connection writer, ReaderPool readers) {}

  private SqliteOpener() {}

  /**
   * Opens {@code path} for a store; see {@code Store.open} and {@code Store.openReadOnly}.
   *
   * @param path the database file
   * @param options the options
   * @param readOnly whether to open without a writer
   * @return the connections
   * @throws GanderException if the file cannot be used, with what to do about it
   */
  static Opened open(Path path, SqliteOptions options, boolean readOnly) {
    Path file = path.toAbsolutePath().normalize();
    checkFile(file, readOnly);
    ReadOnlyAccess access = readOnly ? ReadOnlyAccess.of(file) : ReadOnlyAccess.NORMAL;
    if (access == ReadOnlyAccess.IMPOSSIBLE) {
      throw ReadOnlyAccess.impossible(file);
    }
    Connection writer = null;
    ReaderPool readers = null;
    try {
      if (!readOnly) {
        writer = openWriter(file, options);
      }
      readers = new ReaderPool(file, access, options);
      if (readOnly) {
        checkReadOnlySchema(file, readers);
      }
      return new Opened(file, writer, readers);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(writer);
      if (readers != null) {
        readers.closeAll();
      }
      if (e instanceof SQLException) {
        throw new SqliteErrors(file, options.busyTimeout()).translate((SQLException) e);
      }
      throw (RuntimeException) e;
    }
  }

  private static void checkFile(Path file, boolean readOnly) {
    Path dir = file.getParent();
    if (Files.isDirectory(file)) {
      throw new NotAGanderDatabaseException(
          file + " is a directory, not a database file: give the path of a file inside it");
    }
    if (readOnly) {
      if (!Files.exists(file)) {
        throw new NotAGanderDatabaseException(
            "There is no database at "
                + file
                + ": a read-only store opens an existing Gander database only.");
      }
      return;
    }
    if (dir == null || !Files.isDirectory(dir)) {
      throw new GanderException(
          "The directory of " + file + " does not exist: create it before opening the database.");
    }
    if (!Files.isWritable(dir)) {
      throw new ReadOnlyDatabaseException(cannotWriteDirectory(file, dir));
    }
    if (Files.exists(file) && !Files.isWritable(file)) {
      throw new ReadOnlyDatabaseException(
          "The database file "
              + file
              + " is read-only. Make it writable, or open it with Store.openReadOnly.");
    }
  }

  /** The advice for a writer in a read-only directory: Store.openReadOnly only where it works. */
  private static String cannotWriteDirectory(Path file, Path dir) {
    String name = file.getFileName().toString();
    if (!Files.exists(file)) {
      return "Cannot write in the directory "
          + dir
          + ": Gander needs to create "
          + name
          + " and its -wal and -shm files there. Make the directory writable.";
    }
    String message =
        "Cannot write in the directory "
            + dir
            + ": Gander needs to create and remove the -wal and -shm files of "
            + name
            + " there. Make the directory writable";
    if (ReadOnlyAccess.of(file) == ReadOnlyAccess.IMPOSSIBLE) {
      return message
          + "; reading it read-only does not work there either, because "
          + ReadOnlyAccess.whyImpossible(file)
          + ".";
    }
    return message + ", or read the database with Store.openReadOnly.";
  }

  private static Connection openWriter(Path file, SqliteOptions options) throws SQLException {
    Connection c = writableConfig(options).createConnection("jdbc:sqlite:" + file);
    try {
      // Refuse before changing anything: the switch to WAL rewrites the file's header and
      // creates the -wal and -shm files, and a file Gander refuses must be left as it was.
      checkBeforeChanging(c, file);
      pageSizeOfANewFile(c, file, options.pageSize());
      switchToWal(c, file, options);
      noAutomaticCheckpoints(c);
      Migrations.migrate(c, file, System.currentTimeMillis());
      return c;
    } catch (SQLException | RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
  }

  /**
   * Runs {@link Migrations#check} in a read transaction, which changes nothing in the file in
   * whatever journal mode it is. {@link Migrations#migrate} checks again under the write lock.
   */
  private static void checkBeforeChanging(Connection c, Path file) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("BEGIN");
      boolean checked = false;
      try {
        Migrations.check(c, file);
        checked = true;
      } finally {
        if (checked) {
          st.execute("COMMIT");
        } else {
          try {
            st.execute("ROLLBACK");
          } catch (SQLException ignored) {
            // Only reads ran; the refusal being thrown is what matters.
          }
        }
      }
    }
  }

  /**
   * Sets the page size of a database that holds no page yet (a file Gander creates, or an empty
   * one); the switch to WAL that follows writes the first page with it. A database that exists
   * keeps its page size: SQLite cannot change it in WAL mode, and rewriting the file to change it
   * is not what opening should do.
   */
  private static void pageSizeOfANewFile(Connection c, Path file, int pageSize)
      throws SQLException {
    if (!pragma(c, "page_count").equals("0")) {
      int existing = Integer.parseInt(pragma(c, "page_size"));
      if (existing != pageSize) {
        log.debug(
            "{} keeps its page size of {} bytes; the configured {} applies to new files only",
            file,
            existing,
            pageSize);
      }
      return;
    }
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA page_size=" + pageSize);
    }
  }

  /**
   * Opens the connection a store's {@link WalCheckpointer} runs on. It may write, since a
   * checkpoint writes the database file, and syncs as the writer does; it never commits, never
   * checkpoints on its own, and never waits in SQLite's busy handler (busy timeout 0): the
   * checkpointer waits its own way.
   *
   * @param file the database file, already in WAL mode
   * @param options the store's options
   * @return the connection
   * @throws SQLException if it cannot be opened
   */
  static Connection openCheckpointConnection(Path file, SqliteOptions options) throws SQLException {
    SQLiteConfig config = writableConfig(options);
    config.setBusyTimeout(0);
    Connection c = config.createConnection("jdbc:sqlite:" + file);
    try {
      noAutomaticCheckpoints(c);
      return c;
    } catch (SQLException | RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
  }

  private static SQLiteConfig writableConfig(SqliteOptions options) {
    SQLiteConfig config = baseConfig(options);
    config.setSynchronous(
        options.synchronous() == Synchronous.FULL
            ? SQLiteConfig.SynchronousMode.FULL
            : SQLiteConfig.SynchronousMode.NORMAL);
    return config;
  }

  /**
   * Turns SQLite's automatic checkpoint off on a connection that may write: it would run inside the
   * commit that takes the WAL past 1,000 pages. The store's {@link WalCheckpointer} runs them.
   */
  private static void noAutomaticCheckpoints(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("PRAGMA wal_autocheckpoint=0");
    }
  }

  /** The settings of every connection of a store. */
  static SQLiteConfig baseConfig(SqliteOptions options) {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout((int) options.busyTimeout().toMillis());
    config.enforceForeignKeys(true);
    config.setOpenMode(SQLiteOpenMode.NOMUTEX);
    // Savepoints (one per request in a group commit) write a sub-journal; keep it in memory.
    config.setTempStore(SQLiteConfig.TempStore.MEMORY);
    return config;
  }

  /**
   * Switches the file to WAL. SQLite does not call the busy handler for this switch, so when
   * several processes open a new file at once, all but one get SQLITE_BUSY: retry with a bounded
   * backoff, up to the busy timeout.
   */
  private static void switchToWal(Connection c, Path file, SqliteOptions options)
      throws SQLException {
    long deadline = System.nanoTime() + options.busyTimeout().toNanos();
    long backoffMillis = 1;
    while (true) {
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("PRAGMA journal_mode=WAL")) {
        String mode = rs.next() ? rs.getString(1) : "";
        if (!"wal".equalsIgnoreCase(mode)) {
          throw new GanderException(
              "The database "
                  + file
                  + " could not be switched to WAL (journal mode is '"
                  + mode
                  + "'). Gander needs a file on a local filesystem that supports WAL.");
        }
        return;
      } catch (SQLException e) {
        if (!SqliteErrors.isBusy(e) || System.nanoTime() > deadline) {
          throw e;
        }
      }
      try {
        Thread.sleep(backoffMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GanderException("Interrupted while opening " + file, e);
      }
      backoffMillis = Math.min(backoffMillis * 2, 50);
    }
  }

  private static void checkReadOnlySchema(Path file, ReaderPool readers) throws SQLException {
    int version = readers.read(tx -> Migrations.currentVersion(tx.connection(), file));
    if (version == 0) {
      throw new NotAGanderDatabaseException(
          "The file "
              + file
              + " holds no Gander schema: open it for writing once (Store.open) to create it.");
    }
    if (version > Migrations.LATEST) {
      throw Migrations.newerSchema(file, version);
    }
  }

  /**
   * What a store tells of its file, read on {@code c}.
   *
   * @param c a connection to the file, in a read transaction
   * @param file the file
   * @param access how the read connections open it
   * @param synchronous the writer's setting
   * @param readOnly whether the store has no writer
   * @return the facts
   */
  static StoreInfo describe(
      Connection c, Path file, ReadOnlyAccess access, Synchronous synchronous, boolean readOnly)
      throws SQLException {
    int version = Migrations.currentVersion(c, file);
    // An immutable connection reports "delete": it ignores the WAL the file is in.
    String journal = access == ReadOnlyAccess.IMMUTABLE ? "wal" : pragma(c, "journal_mode");
    int pageSize = Integer.parseInt(pragma(c, "page_size"));
    long size = fileSize(file) + fileSize(Path.of(file + "-wal"));
    SqliteInfo sqlite =
        new SqliteInfo(file, journal.toLowerCase(Locale.ROOT), synchronous, pageSize);
    return new StoreInfo(
        StoreInfo.SQLITE, file.toString(), version, size, readOnly, Optional.of(sqlite));
  }

  private static String pragma(Connection c, String name) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA " + name)) {
      return rs.next() ? rs.getString(1) : "";
    }
  }

  private static long fileSize(Path p) {
    try {
      return Files.exists(p) ? Files.size(p) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  static void closeQuietly(@Nullable Connection c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (SQLException e) {
      log.warn("Closing a connection failed: {}", e.getMessage());
    }
  }
}
