package dev.gander.internal.store;

import dev.gander.GanderClosedException;
import dev.gander.GanderException;
import dev.gander.NotAGanderDatabaseException;
import dev.gander.ReadOnlyDatabaseException;
import dev.gander.internal.Uninterruptibly;
import dev.gander.internal.spi.Tx;
import dev.gander.internal.spi.TxRunner;
import dev.gander.internal.spi.TxWork;
import dev.gander.store.SqlFunction;
import dev.gander.store.Store;
import dev.gander.store.StoreInfo;
import dev.gander.store.StoreOptions;
import dev.gander.store.Synchronous;
import dev.gander.store.Transaction;
import dev.gander.store.TransactionalCallable;
import dev.gander.store.TransactionalRunnable;
import dev.gander.store.TxOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteOpenMode;
import org.sqlite.core.DB;

/**
 * The SQLite {@link Store}: one writer connection driven by one writer thread with group commit, a
 * pool of read-only connections, and the schema migrations. See {@link Store} for the contract and
 * {@code docs/decisions.md} for why it is built this way.
 */
public final class SqliteStore implements Store, TxRunner {
  private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);

  /** The most requests one group commit takes; bounds the latency of the first in the batch. */
  private static final int MAX_BATCH = 1024;

  private static final String BATCH_SAVEPOINT = "gander_req";

  /** Set on a thread while it runs a write function, so that nested calls join its transaction. */
  private static final ThreadLocal<@Nullable TxContext> CURRENT = new ThreadLocal<>();

  private final Path path;
  private final String name;
  private final StoreOptions options;
  private final boolean readOnly;
  private final SqliteErrors errors;
  private final ReaderPool readers;

  // The writer side; all null for a read-only store.
  private final @Nullable Connection writer;
  private final @Nullable GuardedConnection guardedWriter;
  private final @Nullable WriterStatements tx;
  private final ReentrantLock writerLock = new ReentrantLock();

  /** Callers inside {@link #writeFlow} right now; the fast path is for a lone writer only. */
  private final AtomicInteger activeWriters = new AtomicInteger();

  private final LinkedBlockingQueue<WriteRequest<?>> queue = new LinkedBlockingQueue<>();
  private final @Nullable Thread writerThread;
  private final @Nullable TxContext writerContext;
  private final LazyExecutor callbacks;

  private final List<Connection> auxiliary = new ArrayList<>();
  private final Object lifecycle = new Object();
  private volatile boolean closed;

  private SqliteStore(
      Path path,
      StoreOptions options,
      boolean readOnly,
      @Nullable Connection writer,
      ReaderPool readers) {
    this.path = path;
    this.name = path.getFileName().toString();
    this.options = options;
    this.readOnly = readOnly;
    this.errors = new SqliteErrors(path, options.busyTimeout());
    this.readers = readers;
    this.writer = writer;
    this.callbacks = new LazyExecutor("gander-callback-" + name, 1);
    if (writer != null) {
      this.guardedWriter = new GuardedConnection(writer);
      this.writerContext = new TxContext(this, writer, guardedWriter.connection());
      try {
        this.tx = new WriterStatements(writer);
      } catch (SQLException e) {
        throw errors.translate(e);
      }
      Thread t = new Thread(this::writerLoop, "gander-writer-" + name);
      t.setDaemon(true);
      this.writerThread = t;
      t.start();
    } else {
      this.guardedWriter = null;
      this.writerContext = null;
      this.tx = null;
      this.writerThread = null;
    }
  }

  /**
   * Opens a store; see {@link Store#open(Path, StoreOptions)} and {@link Store#openReadOnly}.
   *
   * @param path the database file
   * @param options the options
   * @param readOnly whether to open without a writer
   * @return the open store
   */
  public static SqliteStore open(Path path, StoreOptions options, boolean readOnly) {
    Path file = path.toAbsolutePath().normalize();
    checkFile(file, readOnly);
    ReadOnlyAccess access = readOnly ? ReadOnlyAccess.of(file) : ReadOnlyAccess.NORMAL;
    if (access == ReadOnlyAccess.IMPOSSIBLE) {
      throw ReadOnlyAccess.impossible(file);
    }
    SqliteErrors errors = new SqliteErrors(file, options.busyTimeout());
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
      return new SqliteStore(file, options, readOnly, writer, readers);
    } catch (SQLException e) {
      closeQuietly(writer);
      if (readers != null) {
        readers.closeAll();
      }
      throw errors.translate(e);
    } catch (RuntimeException e) {
      closeQuietly(writer);
      if (readers != null) {
        readers.closeAll();
      }
      throw e;
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

  private static Connection openWriter(Path file, StoreOptions options) throws SQLException {
    SQLiteConfig config = baseConfig(options);
    config.setSynchronous(
        options.synchronous() == Synchronous.FULL
            ? SQLiteConfig.SynchronousMode.FULL
            : SQLiteConfig.SynchronousMode.NORMAL);
    Connection c = config.createConnection("jdbc:sqlite:" + file);
    try {
      // Refuse before changing anything: the switch to WAL rewrites the file's header and
      // creates the -wal and -shm files, and a file Gander refuses must be left as it was.
      checkBeforeChanging(c, file);
      switchToWal(c, file, options);
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

  static SQLiteConfig baseConfig(StoreOptions options) {
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
  private static void switchToWal(Connection c, Path file, StoreOptions options)
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
    ReaderPool.Reader r = readers.acquire();
    try {
      int version = Migrations.currentVersion(r.connection, file);
      if (version == 0) {
        throw new NotAGanderDatabaseException(
            "The file "
                + file
                + " holds no Gander schema: open it for writing once (Store.open) to create it.");
      }
      if (version > Migrations.LATEST) {
        throw Migrations.newerSchema(file, version);
      }
    } finally {
      readers.release(r);
    }
  }

  // ---------------------------------------------------------------- writes

  @Override
  public <T extends @Nullable Object> T write(SqlFunction<T> fn) {
    return writeFlow(c -> TxOutcome.commit(fn.apply(c)));
  }

  @Override
  public <T extends @Nullable Object> T writeFlow(SqlFunction<TxOutcome<T>> fn) {
    TxContext ctx = CURRENT.get();
    if (ctx != null && ctx.store == this) {
      return nested(ctx, fn);
    }
    checkWritable();
    return execute(new WriteRequest<>(fn));
  }

  /**
   * A write of Gander's own: pure database work that always commits and may safely run again.
   * Grouped with other such writes without savepoints (see {@link #runOptimistically}). Joins the
   * enclosing transaction when called inside a write function, like {@link #write}.
   *
   * @param fn the work
   * @param <T> the value's type
   * @return the value, after commit
   */
  public <T extends @Nullable Object> T writeRerunnable(SqlFunction<T> fn) {
    SqlFunction<TxOutcome<T>> flow = c -> TxOutcome.commit(fn.apply(c));
    TxContext ctx = CURRENT.get();
    if (ctx != null && ctx.store == this) {
      return nested(ctx, flow);
    }
    checkWritable();
    WriteRequest<T> req = new WriteRequest<>(flow);
    req.rerunnable = true;
    return execute(req);
  }

  private <T extends @Nullable Object> T execute(WriteRequest<T> req) {
    if (Thread.currentThread() == writerThread) {
      throw new IllegalStateException(
          "Store.write called on the writer thread outside a write function: this would wait"
              + " for itself");
    }
    int writers = activeWriters.incrementAndGet();
    try {
      if (writers == 1 && queue.isEmpty() && writerLock.tryLock()) {
        // Fast path: nobody else is writing, so run on this thread and skip two hand-offs.
        // With other writers about, queue instead so that the writer thread can batch.
        try {
          if (closed) {
            throw closedException();
          }
          runBatch(List.of(req));
        } finally {
          writerLock.unlock();
        }
      } else {
        submit(req);
      }
      return req.await();
    } finally {
      activeWriters.decrementAndGet();
    }
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> writeAsync(SqlFunction<T> fn) {
    refuseInsideWrite("writeAsync");
    checkWritable();
    WriteRequest<T> req = new WriteRequest<>(c -> TxOutcome.commit(fn.apply(c)));
    CompletableFuture<T> result = new CompletableFuture<>();
    // Complete the caller's future on the callback thread, never on the writer thread: a
    // dependent stage that writes would otherwise wait for the very thread running it.
    req.onDone = () -> callbacks.execute(() -> req.completeInto(result));
    submit(req);
    return result;
  }

  @Override
  public void inTransaction(TransactionalRunnable work) {
    transactionResult(
        t -> {
          work.run(t);
          return null;
        });
  }

  @Override
  public <T extends @Nullable Object> T transactionResult(TransactionalCallable<T> work) {
    return write(
        c -> {
          TransactionImpl t = new TransactionImpl(this, c, context());
          try {
            return work.call(t);
          } finally {
            t.end();
          }
        });
  }

  private <T extends @Nullable Object> T nested(TxContext ctx, SqlFunction<TxOutcome<T>> fn) {
    String savepoint = "gander_nested_" + (++ctx.depth);
    WriteRequest<?> req = ctx.request;
    // After-commit hooks registered inside a savepoint that is rolled back must not run: they
    // would report work (a settled job, a wake-up) that was undone.
    int hooksBefore = req == null || req.hooks == null ? 0 : req.hooks.size();
    try (Statement st = ctx.raw.createStatement()) {
      st.execute("SAVEPOINT " + savepoint);
      TxOutcome<T> outcome;
      try {
        outcome = fn.apply(ctx.guarded);
      } catch (SQLException | RuntimeException | Error e) {
        dropHooksSince(req, hooksBefore);
        st.execute("ROLLBACK TO " + savepoint);
        st.execute("RELEASE " + savepoint);
        throw e;
      }
      if (!outcome.commit()) {
        dropHooksSince(req, hooksBefore);
        st.execute("ROLLBACK TO " + savepoint);
      }
      st.execute("RELEASE " + savepoint);
      return outcome.value();
    } catch (SQLException e) {
      throw errors.translate(e);
    } finally {
      ctx.depth--;
    }
  }

  private static void dropHooksSince(@Nullable WriteRequest<?> req, int count) {
    if (req != null && req.hooks != null && req.hooks.size() > count) {
      req.hooks.subList(count, req.hooks.size()).clear();
    }
  }

  private void submit(WriteRequest<?> req) {
    synchronized (lifecycle) {
      if (closed) {
        throw closedException();
      }
      queue.add(req);
    }
  }

  private void writerLoop() {
    List<WriteRequest<?>> batch = new ArrayList<>();
    boolean stopping = false;
    while (!stopping) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        // Only close() interrupts, and only after the queue was drained or timed out.
        break;
      }
      queue.drainTo(batch, MAX_BATCH - 1);
      stopping = batch.remove(WriteRequest.STOP);
      if (!batch.isEmpty()) {
        writerLock.lock();
        try {
          runBatch(batch);
        } finally {
          writerLock.unlock();
        }
      }
      batch.clear();
    }
  }

  /**
   * Runs requests one after another in as few {@code BEGIN IMMEDIATE} transactions as possible,
   * then completes each. Called with {@link #writerLock} held.
   */
  private void runBatch(List<WriteRequest<?>> batch) {
    WriterStatements s = tx;
    int i = 0;
    while (i < batch.size()) {
      try {
        s.begin();
      } catch (SQLException e) {
        GanderException failure = errors.translate(e);
        for (int j = i; j < batch.size(); j++) {
          batch.get(j).fail(failure);
        }
        return;
      }
      if (batch.size() - i > 1 && allRerunnable(batch, i)) {
        List<WriteRequest<?>> group = batch.subList(i, batch.size());
        i = batch.size();
        runOptimistically(s, group);
        continue;
      }
      boolean savepoints = batch.size() - i > 1;
      List<WriteRequest<?>> done = new ArrayList<>(batch.size() - i);
      GanderException lost = null;
      while (i < batch.size()) {
        WriteRequest<?> req = batch.get(i++);
        if (savepoints) {
          lost = runInSavepoint(s, req);
        } else {
          // Alone in its transaction: a failure is undone by rolling the transaction back.
          runFunction(req);
        }
        if (lost != null) {
          // SQLite rolled the whole transaction back (SQLITE_FULL, an I/O error, or a function
          // that ended it itself): nothing of it is kept, so nobody in it may see success.
          req.complete();
          for (WriteRequest<?> earlier : done) {
            earlier.fail(lost);
          }
          rollbackQuietly(s);
          break;
        }
        done.add(req);
      }
      if (lost != null) {
        continue;
      }
      finish(s, done);
    }
  }

  private static boolean allRerunnable(List<WriteRequest<?>> batch, int from) {
    for (int j = from; j < batch.size(); j++) {
      if (!batch.get(j).rerunnable) {
        return false;
      }
    }
    return true;
  }

  /**
   * Runs a group of Gander's own writes without savepoints, in an open transaction. They are
   * rerunnable (pure database work that always commits), so when one fails the transaction is
   * rolled back, that one fails alone, and the others run again in a new transaction. This saves
   * the two savepoint statements per request that make up most of a group commit's overhead.
   */
  private void runOptimistically(WriterStatements s, List<WriteRequest<?>> group) {
    List<WriteRequest<?>> ran = new ArrayList<>(group.size());
    for (int j = 0; j < group.size(); j++) {
      WriteRequest<?> req = group.get(j);
      runFunction(req);
      if (req.failure != null) {
        rollbackQuietly(s);
        req.complete();
        List<WriteRequest<?>> again = new ArrayList<>(ran);
        again.addAll(group.subList(j + 1, group.size()));
        again.forEach(WriteRequest::reset);
        runBatch(again);
        return;
      }
      ran.add(req);
    }
    finish(s, ran);
  }

  /** Commits (or rolls back, if no request wants its work) and completes every request. */
  private void finish(WriterStatements s, List<WriteRequest<?>> done) {
    boolean anyCommit = false;
    for (WriteRequest<?> req : done) {
      anyCommit |= req.commit;
    }
    try {
      if (anyCommit) {
        s.commit();
      } else {
        s.rollback();
      }
      for (WriteRequest<?> req : done) {
        req.runHooks();
      }
      done.forEach(WriteRequest::complete);
    } catch (SQLException e) {
      rollbackQuietly(s);
      GanderException failure = errors.translate(e);
      for (WriteRequest<?> req : done) {
        if (req.failure == null) {
          req.fail(failure);
        } else {
          req.complete();
        }
      }
    }
  }

  /** Runs one request of a group in its own savepoint so that its failure rolls back alone. */
  private @Nullable GanderException runInSavepoint(WriterStatements s, WriteRequest<?> req) {
    try {
      s.exec("SAVEPOINT " + BATCH_SAVEPOINT);
    } catch (SQLException e) {
      GanderException failure = errors.translate(e);
      req.failure = failure;
      return failure;
    }
    runFunction(req);
    try {
      if (req.failure != null || !req.commit) {
        s.exec("ROLLBACK TO " + BATCH_SAVEPOINT);
      }
      s.exec("RELEASE " + BATCH_SAVEPOINT);
      return null;
    } catch (SQLException e) {
      GanderException failure =
          new GanderException(
              "The transaction on "
                  + path
                  + " was rolled back by SQLite while a write ran: retry the write",
              req.failure != null ? req.failure : e);
      if (req.failure == null) {
        req.failure = failure;
      }
      return failure;
    }
  }

  /** Runs a request's function with the nesting context set; records its outcome or failure. */
  private void runFunction(WriteRequest<?> req) {
    GuardedConnection guarded = guardedWriter;
    TxContext ctx = writerContext;
    ctx.depth = 0;
    ctx.request = req;
    CURRENT.set(ctx);
    try {
      req.run(guarded.connection());
    } catch (SQLException e) {
      req.failure = errors.translate(e);
    } catch (RuntimeException | Error e) {
      req.failure = e;
    } finally {
      CURRENT.remove();
      ctx.request = null;
      guarded.closeOpened();
    }
  }

  /**
   * Rolls back what is left of the transaction. Failing here is expected and harmless: SQLite may
   * have rolled it back by itself already (SQLITE_FULL, an I/O error).
   */
  private static void rollbackQuietly(WriterStatements s) {
    try {
      s.rollback();
    } catch (SQLException ignored) {
      // No transaction was active any more.
    }
  }

  // ------------------------------------------------------------- TxRunner

  @Override
  public <T extends @Nullable Object> T runWrite(TxWork<T> work) {
    return writeRerunnable(c -> work.run(context()));
  }

  @Override
  public <T extends @Nullable Object> T runWrite(Transaction caller, TxWork<T> work) {
    Objects.requireNonNull(caller, "caller");
    if (!(caller instanceof TransactionImpl) || ((TransactionImpl) caller).store() != this) {
      throw new IllegalArgumentException(
          "The transaction belongs to another database: use it only with the Gander whose"
              + " inTransaction gave it");
    }
    TxContext ctx = ((TransactionImpl) caller).context();
    return nested(ctx, c -> TxOutcome.commit(work.run(ctx)));
  }

  @Override
  public <T extends @Nullable Object> T runRead(TxWork<T> work) {
    return read(c -> work.run(new ReadTx(c)));
  }

  /** A read's transaction: nothing commits, so nothing runs after a commit. */
  private record ReadTx(Connection connection) implements Tx {
    @Override
    public void afterCommit(Runnable hook) {
      throw new IllegalStateException("afterCommit in a read");
    }
  }

  // ----------------------------------------------------------------- reads

  @Override
  public <T extends @Nullable Object> T read(SqlFunction<T> fn) {
    TxContext ctx = CURRENT.get();
    if (ctx != null && ctx.store == this) {
      try {
        return fn.apply(ctx.guarded);
      } catch (SQLException e) {
        throw errors.translate(e);
      }
    }
    checkOpen();
    ReaderPool.Reader r;
    try {
      r = readers.acquire();
    } catch (SQLException e) {
      throw errors.translate(e);
    }
    try {
      return r.run(fn);
    } catch (SQLException e) {
      throw errors.translate(e);
    } finally {
      readers.release(r);
    }
  }

  @Override
  public <T extends @Nullable Object> CompletableFuture<T> readAsync(SqlFunction<T> fn) {
    refuseInsideWrite("readAsync");
    checkOpen();
    CompletableFuture<T> result = new CompletableFuture<>();
    readers
        .executor()
        .execute(
            () -> {
              try {
                result.complete(read(fn));
              } catch (Throwable t) {
                result.completeExceptionally(t);
              }
            });
    return result;
  }

  /**
   * Opens an extra read-only connection that the store closes when it closes, for a component that
   * needs its own (the commit watcher). Never opened or closed by anyone else, so it cannot drop
   * SQLite's POSIX locks by closing a descriptor of the file.
   *
   * @return the connection
   */
  public Connection openAuxiliaryReader() {
    checkOpen();
    try {
      Connection c = readers.openConnection();
      synchronized (auxiliary) {
        auxiliary.add(c);
      }
      return c;
    } catch (SQLException e) {
      throw errors.translate(e);
    }
  }

  /**
   * Translates a driver exception the way every store operation does.
   *
   * @param e the exception
   * @return the Gander exception
   */
  public GanderException translate(SQLException e) {
    return errors.translate(e);
  }

  // ------------------------------------------------------------ lifecycle

  @Override
  public StoreInfo info() {
    return read(
        c -> {
          int version = Migrations.currentVersion(c, path);
          // An immutable connection reports "delete": it ignores the WAL the file is in.
          String journal =
              readers.access() == ReadOnlyAccess.IMMUTABLE ? "wal" : pragma(c, "journal_mode");
          int pageSize = Integer.parseInt(pragma(c, "page_size"));
          long size = fileSize(path) + fileSize(Path.of(path + "-wal"));
          return new StoreInfo(
              path,
              version,
              journal.toLowerCase(Locale.ROOT),
              options.synchronous(),
              pageSize,
              size,
              readOnly);
        });
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

  @Override
  public Path path() {
    return path;
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      queue.add(WriteRequest.STOP);
    }
    long timeoutNanos = options.closeTimeout().toNanos();
    long deadline = System.nanoTime() + timeoutNanos;
    // Every wait below runs to its deadline even if this thread is interrupted (the flag is kept
    // for the caller): giving up early would leak the writer connection and leave the WAL behind.
    Thread t = writerThread;
    if (t != null) {
      if (!Uninterruptibly.join(t, deadline)) {
        log.warn(
            "Closing {}: queued writes did not finish within {}; failing the rest",
            path,
            options.closeTimeout());
        failQueued();
        t.interrupt();
        Uninterruptibly.join(t, System.nanoTime() + timeoutNanos);
      }
      failQueued();
    }
    readers.close(Math.max(0, deadline - System.nanoTime()));
    synchronized (auxiliary) {
      auxiliary.forEach(SqliteStore::closeQuietly);
      auxiliary.clear();
    }
    callbacks.shutdown(Math.max(0, deadline - System.nanoTime()));
    Connection w = writer;
    if (w != null) {
      boolean locked =
          Uninterruptibly.awaitUntil(
              deadline, nanos -> writerLock.tryLock(nanos, TimeUnit.NANOSECONDS));
      if (!locked || (t != null && t.isAlive())) {
        log.error(
            "Closing {}: a write is still running after {}; leaving the writer connection open",
            path,
            options.closeTimeout());
        return;
      }
      try {
        checkpoint(w);
      } finally {
        closeQuietly(w);
        writerLock.unlock();
      }
    }
    log.debug("Closed {}", path);
  }

  private void checkpoint(Connection w) {
    try (Statement st = w.createStatement()) {
      // Do not wait long for other processes' readers: they will checkpoint later themselves.
      st.execute("PRAGMA busy_timeout=" + Math.min(options.busyTimeout().toMillis(), 1000));
      try (ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
        if (rs.next() && rs.getInt(1) != 0) {
          log.debug("Closing {}: WAL checkpoint was blocked by another connection", path);
        }
      }
    } catch (SQLException e) {
      log.warn("Closing {}: WAL checkpoint failed: {}", path, e.getMessage());
    }
  }

  private void failQueued() {
    List<WriteRequest<?>> left = new ArrayList<>();
    queue.drainTo(left);
    for (WriteRequest<?> req : left) {
      if (req != WriteRequest.STOP) {
        req.fail(closedException());
      }
    }
  }

  // --------------------------------------------------------------- helpers

  private void checkOpen() {
    if (closed) {
      throw closedException();
    }
  }

  private void checkWritable() {
    if (readOnly) {
      throw new ReadOnlyDatabaseException(
          "The store for "
              + path
              + " was opened read-only (Store.openReadOnly): open it with Store.open to write.");
    }
    checkOpen();
  }

  private void refuseInsideWrite(String method) {
    TxContext ctx = CURRENT.get();
    if (ctx != null && ctx.store == this) {
      throw new IllegalStateException(
          method
              + " was called inside a write function of the same store; its future could only"
              + " complete after this transaction, so waiting on it would never end. Call the"
              + " synchronous method instead: it joins the enclosing transaction.");
    }
  }

  /**
   * The exception for use after close.
   *
   * @return a new exception naming the file
   */
  public GanderClosedException closedException() {
    return new GanderClosedException(
        "The Gander store for " + path + " is closed: open a new one to continue.");
  }

  /**
   * Runs fixed SQL through sqlite3_exec. Used for transaction control instead of statements
   * prepared once, which sqlite-jdbc finalizes for good when their step fails (see {@link
   * WriterStatements}).
   */
  static void exec(DB db, String sql) throws SQLException {
    int rc = db._exec(sql);
    if (rc != 0) {
      throw new SQLException(sql + " failed with SQLite result code " + rc, null, rc);
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

  @Override
  public String toString() {
    return "SqliteStore[" + path + (readOnly ? ", read-only" : "") + "]";
  }

  // ---------------------------------------------------------------- types

  /**
   * The writer's transaction statements, run through sqlite3_exec rather than prepared once.
   * sqlite-jdbc finalizes a prepared statement whose step fails with most error codes (SQLITE_FULL,
   * SQLITE_IOERR, and the SQLITE_ERROR of a {@code ROLLBACK} after SQLite already rolled back),
   * while the statement still looks open; a {@code COMMIT} or {@code ROLLBACK} prepared once then
   * failed with "statement is not executing" for the rest of the store's life. Nothing prepared,
   * nothing to break; it also skips the driver's auto-commit bookkeeping after each statement.
   */
  private static final class WriterStatements {
    private final DB db;

    WriterStatements(Connection c) throws SQLException {
      db = c.unwrap(SQLiteConnection.class).getDatabase();
    }

    /**
     * Runs fixed SQL through sqlite3_exec, skipping the JDBC statement machinery: the savepoint of
     * every grouped request costs about half as much this way.
     */
    void exec(String sql) throws SQLException {
      SqliteStore.exec(db, sql);
    }

    void begin() throws SQLException {
      exec("BEGIN IMMEDIATE");
    }

    void commit() throws SQLException {
      exec("COMMIT");
    }

    void rollback() throws SQLException {
      exec("ROLLBACK");
    }
  }

  /**
   * What a thread running a write function knows about its transaction. Gander's own operations use
   * it for statements prepared once and for work to do after the commit.
   */
  public static final class TxContext implements Tx {
    final SqliteStore store;
    final Connection raw;
    final Connection guarded;
    private final java.util.HashMap<String, PreparedStatement> statements =
        new java.util.HashMap<>();
    @Nullable WriteRequest<?> request;
    int depth;

    TxContext(SqliteStore store, Connection raw, Connection guarded) {
      this.store = store;
      this.raw = raw;
      this.guarded = guarded;
    }

    @Override
    public Connection connection() {
      return raw;
    }

    /**
     * A statement on the writer connection, prepared on first use and kept for the store's life.
     * Close its result sets; do not close it.
     *
     * @param sql the SQL
     * @return the statement, parameters cleared
     * @throws SQLException if it cannot be prepared
     */
    public PreparedStatement prepared(String sql) throws SQLException {
      PreparedStatement ps = statements.get(sql);
      if (ps != null) {
        try {
          ps.clearParameters();
          return ps;
        } catch (SQLException e) {
          // sqlite-jdbc finalizes a statement whose step failed with some errors (SQLITE_FULL
          // among them) while isClosed() still says false: prepare it again.
          try {
            ps.close();
          } catch (SQLException ignored) {
            // Already finalized; nothing to release.
          }
        }
      }
      ps = raw.prepareStatement(sql);
      statements.put(sql, ps);
      return ps;
    }

    /**
     * Runs {@code hook} after the transaction this write belongs to commits; never if the write
     * fails. Hooks are wake-up signals: they must be quick and must not throw.
     *
     * @param hook what to run
     */
    @Override
    public void afterCommit(Runnable hook) {
      WriteRequest<?> r = request;
      if (r == null) {
        throw new IllegalStateException("afterCommit outside a write function");
      }
      if (r.hooks == null) {
        r.hooks = new ArrayList<>(2);
      }
      r.hooks.add(hook);
    }
  }

  /**
   * The transaction context of the write function running on this thread.
   *
   * @return the context
   * @throws IllegalStateException if no write function of this store runs on this thread
   */
  public TxContext context() {
    TxContext ctx = CURRENT.get();
    if (ctx == null || ctx.store != this) {
      throw new IllegalStateException("not inside a write function of " + this);
    }
    return ctx;
  }

  /** One caller's write: its function, then its outcome once the batch commits. */
  static final class WriteRequest<T extends @Nullable Object> {
    static final WriteRequest<@Nullable Object> STOP = new WriteRequest<>(c -> null);

    private final SqlFunction<TxOutcome<T>> fn;
    private final CompletableFuture<@Nullable T> done = new CompletableFuture<>();
    @Nullable Runnable onDone;
    @Nullable List<Runnable> hooks;

    /** Gander's own work: safe to run again, always commits. Grouped without savepoints. */
    boolean rerunnable;

    @Nullable T value;
    boolean commit;
    @Nullable Throwable failure;

    WriteRequest(SqlFunction<TxOutcome<T>> fn) {
      this.fn = fn;
    }

    void run(Connection c) throws SQLException {
      TxOutcome<T> outcome = fn.apply(c);
      if (outcome == null) {
        throw new NullPointerException("a writeFlow function returned null instead of a TxOutcome");
      }
      value = outcome.value();
      commit = outcome.commit();
    }

    /** Completes with the recorded outcome: the value, or the failure of the function. */
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

    void reset() {
      value = null;
      commit = false;
      failure = null;
      hooks = null;
    }

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
}
