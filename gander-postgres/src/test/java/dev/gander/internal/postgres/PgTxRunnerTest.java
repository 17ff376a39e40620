package dev.gander.internal.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.gander.ConnectionLostException;
import dev.gander.DatabaseAccessDeniedException;
import dev.gander.DatabaseBusyException;
import dev.gander.DatabaseUnavailableException;
import dev.gander.GanderClosedException;
import dev.gander.GanderException;
import dev.gander.ReadOnlyDatabaseException;
import dev.gander.internal.spi.Tx;
import dev.gander.store.Transaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@RequiresPostgres
class PgTxRunnerTest {
  private static final PgSchema SCHEMA = PgTestServer.freshSchema(PgTxRunnerTest.class);
  private static PgBackend backend;
  private static PgTxRunner runner;

  @BeforeAll
  static void open() throws SQLException {
    PgTestServer.require();
    backend = PgTestServer.open(SCHEMA);
    runner = backend.runner();
    exec("CREATE TABLE {schema}.orders (id int PRIMARY KEY)");
  }

  @AfterAll
  static void close() throws Exception {
    if (backend != null) {
      backend.close();
    }
    PgTestServer.dropSchema(SCHEMA);
  }

  @BeforeEach
  void empty() throws SQLException {
    exec("TRUNCATE {schema}.orders");
  }

  private static void exec(String sql) throws SQLException {
    try (Connection c = PgTestServer.connect();
        Statement st = c.createStatement()) {
      st.execute(SCHEMA.sql(sql));
    }
  }

  /** Counts the orders from a connection of its own: what others see committed. */
  private static int committedOrders() throws SQLException {
    try (Connection c = PgTestServer.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(SCHEMA.sql("SELECT count(*) FROM {schema}.orders"))) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static void order(Connection c, int id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(SCHEMA.sql("INSERT INTO {schema}.orders (id) VALUES (?)"))) {
      ps.setInt(1, id);
      ps.executeUpdate();
    }
  }

  private static int backendPid(Tx tx) throws SQLException {
    try (Statement st = tx.connection().createStatement();
        ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static void terminate(int pid) throws SQLException {
    try (Connection c = PgTestServer.connect();
        PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
      ps.setInt(1, pid);
      ps.executeQuery().close();
    }
  }

  // ------------------------------------------------------------------ writes

  @Test
  void aWriteCommitsAndReturnsItsValue() throws SQLException {
    String value =
        runner.runWrite(
            tx -> {
              order(tx.connection(), 1);
              return "done";
            });
    assertThat(value).isEqualTo("done");
    assertThat(committedOrders()).isEqualTo(1);
  }

  @Test
  void aWriteThatThrowsRollsBackAndRethrows() throws SQLException {
    IllegalStateException boom = new IllegalStateException("boom");
    assertThatThrownBy(
            () ->
                runner.runWrite(
                    tx -> {
                      order(tx.connection(), 1);
                      throw boom;
                    }))
        .isSameAs(boom);
    assertThat(committedOrders()).isZero();
  }

  @Test
  void hooksRunAfterTheCommitAndNeverAfterARollback() throws SQLException {
    List<Integer> seenByHook = new ArrayList<>();
    runner.runWrite(
        tx -> {
          order(tx.connection(), 1);
          tx.afterCommit(
              () -> {
                try {
                  seenByHook.add(committedOrders());
                } catch (SQLException e) {
                  throw new IllegalStateException(e);
                }
              });
          assertThat(seenByHook).as("not before the commit").isEmpty();
          return null;
        });
    assertThat(seenByHook).containsExactly(1);

    AtomicInteger ran = new AtomicInteger();
    assertThatThrownBy(
            () ->
                runner.runWrite(
                    tx -> {
                      tx.afterCommit(ran::incrementAndGet);
                      throw new IllegalStateException("rolled back");
                    }))
        .hasMessage("rolled back");
    assertThat(ran).hasValue(0);
  }

  @Test
  void aHookThatThrowsDoesNotStopTheOthers() {
    AtomicInteger ran = new AtomicInteger();
    runner.runWrite(
        tx -> {
          tx.afterCommit(
              () -> {
                throw new IllegalStateException("bad hook");
              });
          tx.afterCommit(ran::incrementAndGet);
          return null;
        });
    assertThat(ran).hasValue(1);
  }

  @Test
  void aConflictRunsTheWriteAgain() throws SQLException {
    AtomicInteger runs = new AtomicInteger();
    runner.runWrite(
        tx -> {
          order(tx.connection(), runs.get() + 1);
          if (runs.incrementAndGet() < 3) {
            throw new SQLException("could not serialize access", "40001");
          }
          return null;
        });
    assertThat(runs).hasValue(3);
    assertThat(committedOrders()).as("only the last run committed").isEqualTo(1);
  }

  @Test
  void aConflictThatPersistsIsReportedAsBusy() {
    AtomicInteger runs = new AtomicInteger();
    assertThatThrownBy(
            () ->
                runner.runWrite(
                    tx -> {
                      runs.incrementAndGet();
                      throw new SQLException("deadlock detected", "40P01");
                    }))
        .isInstanceOf(DatabaseBusyException.class)
        .hasMessageContaining("retry");
    assertThat(runs).hasValue(PgTxRunner.MAX_ATTEMPTS);
  }

  @Test
  void aWriteWhoseConnectionIsKilledBeforeTheCommitRunsAgainOnAnother() throws SQLException {
    AtomicInteger runs = new AtomicInteger();
    List<Integer> pids = new ArrayList<>();
    runner.runWrite(
        tx -> {
          int pid = backendPid(tx);
          pids.add(pid);
          order(tx.connection(), 7);
          if (runs.incrementAndGet() == 1) {
            terminate(pid);
            order(tx.connection(), 8); // fails: the server ended this session
          }
          return null;
        });
    assertThat(runs).hasValue(2);
    assertThat(pids.get(1)).isNotEqualTo(pids.get(0));
    assertThat(committedOrders()).isEqualTo(1);
  }

  @Test
  void serverTimeIsTheServersClock() {
    long before = System.currentTimeMillis();
    long server = runner.runRead(PgTxRunner::serverNowMillis);
    long after = System.currentTimeMillis();
    // The same machine: the server's clock agrees with ours within a few seconds.
    assertThat(server).isBetween(before - 5_000, after + 5_000);
  }

  // ------------------------------------------------------------------- reads

  @Test
  void aReadSeesOneSnapshot() throws SQLException {
    exec("INSERT INTO {schema}.orders VALUES (1)");
    List<Integer> counts =
        runner.runRead(
            tx -> {
              List<Integer> out = new ArrayList<>();
              out.add(count(tx));
              exec("INSERT INTO {schema}.orders VALUES (2)");
              out.add(count(tx));
              return out;
            });
    assertThat(counts).containsExactly(1, 1);
  }

  private static int count(Tx tx) throws SQLException {
    try (Statement st = tx.connection().createStatement();
        ResultSet rs = st.executeQuery(SCHEMA.sql("SELECT count(*) FROM {schema}.orders"))) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void aReadCannotWrite() {
    assertThatThrownBy(
            () ->
                runner.runRead(
                    tx -> {
                      order(tx.connection(), 1);
                      return null;
                    }))
        .isInstanceOf(ReadOnlyDatabaseException.class);
    assertThatThrownBy(
            () ->
                runner.runRead(
                    tx -> {
                      tx.afterCommit(() -> {});
                      return null;
                    }))
        .isInstanceOf(IllegalStateException.class);
  }

  // ------------------------------------------------------- caller transactions

  @Test
  void gandersWorkCommitsWithTheCallersTransaction() throws SQLException {
    AtomicInteger hooks = new AtomicInteger();
    runner.inTransaction(
        t -> {
          order(t.connection(), 1);
          runner.runWrite(
              t,
              tx -> {
                order(tx.connection(), 2);
                tx.afterCommit(hooks::incrementAndGet);
                return null;
              });
          assertThat(hooks).as("not before the caller's commit").hasValue(0);
          return null;
        });
    assertThat(committedOrders()).isEqualTo(2);
    assertThat(hooks).hasValue(1);
  }

  @Test
  void gandersWorkRollsBackWithTheCallersTransaction() throws SQLException {
    AtomicInteger hooks = new AtomicInteger();
    assertThatThrownBy(
            () ->
                runner.inTransaction(
                    t -> {
                      runner.runWrite(
                          t,
                          tx -> {
                            order(tx.connection(), 2);
                            tx.afterCommit(hooks::incrementAndGet);
                            return null;
                          });
                      throw new IllegalStateException("caller changed its mind");
                    }))
        .hasMessage("caller changed its mind");
    assertThat(committedOrders()).isZero();
    assertThat(hooks).hasValue(0);
  }

  @Test
  void aFailedGanderWriteLeavesTheCallersTransactionUsable() throws SQLException {
    AtomicInteger hooks = new AtomicInteger();
    runner.inTransaction(
        t -> {
          order(t.connection(), 1);
          assertThatThrownBy(
                  () ->
                      runner.runWrite(
                          t,
                          tx -> {
                            tx.afterCommit(hooks::incrementAndGet);
                            order(tx.connection(), 1); // duplicate key
                            return null;
                          }))
              .isInstanceOf(GanderException.class);
          order(t.connection(), 2);
          return null;
        });
    assertThat(committedOrders()).isEqualTo(2);
    assertThat(hooks).as("the failed write's hooks are dropped").hasValue(0);
  }

  @Test
  void theCallersConnectionRefusesToEndTheTransaction() {
    runner.inTransaction(
        t -> {
          assertThatThrownBy(() -> t.connection().commit()).isInstanceOf(SQLException.class);
          assertThatThrownBy(() -> t.connection().rollback()).isInstanceOf(SQLException.class);
          assertThatThrownBy(() -> t.connection().setAutoCommit(true))
              .isInstanceOf(SQLException.class);
          assertThatThrownBy(() -> t.connection().close()).isInstanceOf(SQLException.class);
          return null;
        });
  }

  @Test
  void aTransactionIsUsableOnlyWhileItsWorkRuns() {
    Transaction[] kept = new Transaction[1];
    runner.inTransaction(
        t -> {
          kept[0] = t;
          return null;
        });
    assertThatThrownBy(() -> kept[0].connection()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> runner.runWrite(kept[0], tx -> null))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aTransactionOfAnotherDatabaseIsRefused() {
    Transaction foreign = () -> null;
    assertThatThrownBy(() -> runner.runWrite(foreign, tx -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("another database");
  }

  @Test
  void aCallersTransactionWhoseConnectionIsKilledReportsTheLoss() throws SQLException {
    assertThatThrownBy(
            () ->
                runner.inTransaction(
                    t -> {
                      order(t.connection(), 1);
                      try (Statement st = t.connection().createStatement();
                          ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
                        rs.next();
                        terminate(rs.getInt(1));
                      }
                      order(t.connection(), 2);
                      return null;
                    }))
        .isInstanceOf(ConnectionLostException.class)
        .hasMessageContaining("nothing of it was written");
    assertThat(committedOrders()).isZero();
    runner.runWrite(tx -> null); // the pool replaced the dead connection
  }

  // ------------------------------------------------------------------ errors

  @Test
  void aServerThatIsNotThereIsReportedAsUnavailable() {
    assertThatThrownBy(
            () ->
                PgBackend.open(
                    PgConfig.url(
                            "jdbc:postgresql://127.0.0.1:1/test?user=postgres&connectTimeout=2")
                        .withSchema(SCHEMA.name())
                        .withPoolSize(1)))
        .isInstanceOf(DatabaseUnavailableException.class)
        .isNotInstanceOf(ConnectionLostException.class)
        .hasMessageContaining("Cannot connect to PostgreSQL jdbc:postgresql://127.0.0.1:1/test")
        .hasMessageContaining("Nothing was written")
        .satisfies(e -> assertThat(((GanderException) e).sqlState()).hasValue("08001"));
  }

  @Test
  void aUserTheServerDoesNotKnowIsReportedAsAccessDenied() {
    // The test server trusts every local user, so a bad password cannot be tried; an unknown
    // role fails the same way (SQL state 28000).
    String url = "jdbc:postgresql://127.0.0.1:5432/test?user=gander_no_such_role";
    if (!PgTestServer.URL.startsWith("jdbc:postgresql://127.0.0.1:5432/")) {
      url = PgTestServer.URL.replaceAll("user=[^&]*", "user=gander_no_such_role");
    }
    String target = url;
    assertThatThrownBy(
            () -> PgBackend.open(PgConfig.url(target).withSchema(SCHEMA.name()).withPoolSize(1)))
        .isInstanceOf(DatabaseAccessDeniedException.class)
        .hasMessageContaining("gander_no_such_role")
        .hasMessageContaining("retrying will not help");
  }

  @Test
  void aDatabaseThatDoesNotExistSaysSo() {
    String url = PgTestServer.URL.replaceFirst("/test(\\?|$)", "/gander_no_such_db$1");
    assertThatThrownBy(
            () -> PgBackend.open(PgConfig.url(url).withSchema(SCHEMA.name()).withPoolSize(1)))
        .isInstanceOf(GanderException.class)
        .hasMessageContaining("Create the database");
  }

  // --------------------------------------------------------------- lifecycle

  @Test
  void theApplicationsDataSourceIsUsedAndLeftOpen() throws SQLException {
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(PgTestServer.URL);
    hc.setMaximumPoolSize(2);
    hc.setPoolName("app-pool");
    try (HikariDataSource app = new HikariDataSource(hc)) {
      PgBackend own = PgBackend.open(PgConfig.dataSource(app).withSchema(SCHEMA.name()));
      own.runner()
          .runWrite(
              tx -> {
                order(tx.connection(), 1);
                return null;
              });
      own.close();
      own.close();
      assertThat(app.isClosed()).isFalse();
      assertThat(committedOrders()).isEqualTo(1);
      try (Connection c = app.getConnection()) {
        assertThat(c.getAutoCommit()).as("autocommit given back as found").isTrue();
      }
      assertThatThrownBy(() -> own.runner().runWrite(tx -> null))
          .isInstanceOf(GanderClosedException.class)
          .hasMessageContaining("is closed");
      assertThat(own.runner().isClosed()).isTrue();
    }
  }
}
