package dev.gander.internal.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.NotAGanderDatabaseException;
import dev.gander.SchemaVersionException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@RequiresPostgres
class PgMigrationsTest {
  private final List<PgSchema> made = new ArrayList<>();

  @BeforeAll
  static void server() {
    PgTestServer.require();
  }

  @AfterEach
  void drop() throws SQLException {
    for (PgSchema s : made) {
      PgTestServer.dropSchema(s);
    }
  }

  private PgSchema schema() {
    PgSchema s = PgTestServer.freshSchema(PgMigrationsTest.class);
    made.add(s);
    return s;
  }

  private static String one(PgSchema schema, String sql) throws SQLException {
    try (Connection c = PgTestServer.connect();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(schema.sql(sql))) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static void exec(PgSchema schema, String sql) throws SQLException {
    try (Connection c = PgTestServer.connect();
        Statement st = c.createStatement()) {
      st.execute(schema.sql(sql));
    }
  }

  @Test
  void createsTheSchemaAndRecordsEachMigration() throws SQLException {
    PgSchema s = schema();
    try (Connection c = PgTestServer.connect()) {
      assertThat(PgMigrations.migrate(c, s, "test")).isEqualTo(PgMigrations.LATEST);
      assertThat(c.getAutoCommit()).as("left as it was").isTrue();
      assertThat(PgMigrations.migrate(c, s, "test")).as("already current").isZero();
    }
    assertThat(one(s, "SELECT value FROM {schema}.gander_meta WHERE key = 'schema_version'"))
        .isEqualTo(Integer.toString(PgMigrations.LATEST));
    assertThat(
            one(
                s,
                "SELECT string_agg(version || ':' || name, ',' ORDER BY version)"
                    + " FROM {schema}.gander_migrations"))
        .isEqualTo("1:meta,2:queues,3:streams,4:coordination,5:schedules");
    assertThat(
            one(
                s,
                "SELECT indexdef FROM pg_indexes WHERE schemaname = '"
                    + s.name()
                    + "' AND indexname = 'gander_jobs_unique'"))
        .contains("UNIQUE")
        .contains("WHERE (unique_key IS NOT NULL)");
  }

  @Test
  void eightConnectionsMigratingAtOnceMigrateOnce() throws Exception {
    PgSchema s = schema();
    int n = 8;
    CyclicBarrier start = new CyclicBarrier(n);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<Integer>> applied = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        applied.add(
            pool.submit(
                () -> {
                  try (Connection c = PgTestServer.connect()) {
                    start.await(10, TimeUnit.SECONDS);
                    return PgMigrations.migrate(c, s, "test");
                  }
                }));
      }
      int total = 0;
      for (Future<Integer> f : applied) {
        total += f.get(30, TimeUnit.SECONDS);
      }
      assertThat(total).isEqualTo(PgMigrations.LATEST);
    } finally {
      pool.shutdownNow();
    }
    assertThat(one(s, "SELECT count(*) FROM {schema}.gander_migrations"))
        .isEqualTo(Integer.toString(PgMigrations.LATEST));
  }

  @Test
  void eightProcessesStartingAtOnceMigrateOnce(@TempDir Path dir) throws Exception {
    PgSchema s = schema();
    List<Process> children = new ArrayList<>();
    List<BufferedReader> outs = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        Path err = dir.resolve("child" + i + ".err");
        Process p =
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m",
                    "-XX:TieredStopAtLevel=1",
                    "-XX:-UsePerfData",
                    "-Xlog:disable",
                    "-Xlog:all=warning:stderr",
                    "-cp",
                    System.getProperty("java.class.path"),
                    MigrateMain.class.getName(),
                    PgTestServer.URL,
                    s.name())
                .redirectError(err.toFile())
                .start();
        children.add(p);
        outs.add(
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
      }
      for (int i = 0; i < children.size(); i++) {
        assertThat(outs.get(i).readLine())
            .as("child %d: %s", i, Files.readString(dir.resolve("child" + i + ".err")))
            .isEqualTo("ready");
      }
      for (Process p : children) {
        OutputStream in = p.getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
      }
      int total = 0;
      for (int i = 0; i < children.size(); i++) {
        String line = outs.get(i).readLine();
        assertThat(line)
            .as("child %d: %s", i, Files.readString(dir.resolve("child" + i + ".err")))
            .startsWith("applied ");
        total += Integer.parseInt(line.substring("applied ".length()));
        assertThat(children.get(i).waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(children.get(i).exitValue()).isZero();
      }
      assertThat(total)
          .as("migrations applied across all processes")
          .isEqualTo(PgMigrations.LATEST);
    } finally {
      for (Process p : children) {
        p.destroyForcibly();
      }
    }
    assertThat(one(s, "SELECT count(*) FROM {schema}.gander_migrations"))
        .isEqualTo(Integer.toString(PgMigrations.LATEST));
  }

  @Test
  void aSchemaFromANewerGanderIsRefused() throws SQLException {
    PgSchema s = schema();
    try (Connection c = PgTestServer.connect()) {
      PgMigrations.migrate(c, s, "test");
    }
    exec(
        s,
        "UPDATE {schema}.gander_meta SET value = '"
            + (PgMigrations.LATEST + 1)
            + "' WHERE key = 'schema_version'");
    try (Connection c = PgTestServer.connect()) {
      assertThatThrownBy(() -> PgMigrations.migrate(c, s, "test"))
          .isInstanceOf(SchemaVersionException.class)
          .hasMessageContaining("newer Gander")
          .hasMessageContaining("Upgrade Gander");
    }
    assertThatThrownBy(
            () ->
                PgBackend.open(PgConfig.url(PgTestServer.URL).withSchema(s.name()).withPoolSize(1)))
        .isInstanceOf(SchemaVersionException.class);
  }

  @Test
  void tablesNamedLikeGandersWithoutItsRecordAreRefusedAndLeftAlone() throws SQLException {
    PgSchema s = schema();
    exec(s, "CREATE SCHEMA {schema}");
    exec(s, "CREATE TABLE {schema}.gander_jobs (x int)");
    try (Connection c = PgTestServer.connect()) {
      assertThatThrownBy(() -> PgMigrations.migrate(c, s, "test"))
          .isInstanceOf(NotAGanderDatabaseException.class)
          .hasMessageContaining("gander_jobs");
    }
    assertThat(one(s, "SELECT to_regclass('{schema}.gander_meta')::text")).isNull();
  }

  @Test
  void aMetaTableWithoutAVersionIsRefused() throws SQLException {
    PgSchema s = schema();
    exec(s, "CREATE SCHEMA {schema}");
    exec(s, "CREATE TABLE {schema}.gander_meta (key text, value text)");
    try (Connection c = PgTestServer.connect()) {
      assertThatThrownBy(() -> PgMigrations.migrate(c, s, "test"))
          .isInstanceOf(NotAGanderDatabaseException.class)
          .hasMessageContaining("schema_version");
    }
  }

  @Test
  void anExistingEmptySchemaIsUsed() throws SQLException {
    PgSchema s = schema();
    exec(s, "CREATE SCHEMA {schema}");
    exec(s, "CREATE TABLE {schema}.orders (id int)");
    try (Connection c = PgTestServer.connect()) {
      assertThat(PgMigrations.migrate(c, s, "test")).isEqualTo(PgMigrations.LATEST);
    }
  }
}
