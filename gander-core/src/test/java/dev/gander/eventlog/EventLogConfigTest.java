package dev.gander.eventlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The event log's configuration in code and from the environment, with every bad value. */
class EventLogConfigTest {
  @TempDir Path base;

  private EventLogConfig env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return EventLogConfig.fromEnvironment(env, base);
  }

  @Test
  void withNothingSetItIsSqliteUnderTheBaseDirectoryWithADepthOf128() {
    EventLogConfig c = env();
    assertThat(c.backend()).isEqualTo(EventLogBackend.SQLITE);
    assertThat(c.sqlitePath()).hasValue(base.resolve("event_log.sqlite"));
    assertThat(c.fileDir()).hasValue(base.resolve("event_log"));
    assertThat(c.postgresUrl()).isEmpty();
    assertThat(c.postgresSchema()).isEqualTo("gander");
    assertThat(c.queueDepth()).isEqualTo(128);
  }

  @Test
  void eachVariableIsReadAndRelativePathsResolveAgainstTheBaseDirectory() {
    Path elsewhere = base.resolve("elsewhere").toAbsolutePath();
    EventLogConfig c =
        env(
            "GANDER_EVENT_LOG_BACKEND", " FiLe ",
            "GANDER_EVENT_LOG_DIR", "logs/events",
            "GANDER_EVENT_LOG_SQLITE_PATH", elsewhere.resolve("e.db").toString(),
            "GANDER_EVENT_LOG_POSTGRES_URL", "jdbc:postgresql://db:5432/app?user=app",
            "GANDER_EVENT_LOG_QUEUE_DEPTH", " 7 ");
    assertThat(c.backend()).isEqualTo(EventLogBackend.FILE);
    assertThat(c.fileDir()).hasValue(base.resolve("logs/events"));
    assertThat(c.sqlitePath()).hasValue(elsewhere.resolve("e.db"));
    assertThat(c.postgresUrl()).hasValue("jdbc:postgresql://db:5432/app?user=app");
    assertThat(c.queueDepth()).isEqualTo(7);
    assertThat(env("GANDER_EVENT_LOG_BACKEND", "MEMORY").backend())
        .isEqualTo(EventLogBackend.MEMORY);
    assertThat(
            env(
                    "GANDER_EVENT_LOG_BACKEND", "postgres",
                    "GANDER_EVENT_LOG_POSTGRES_URL", "jdbc:postgresql://db/app")
                .backend())
        .isEqualTo(EventLogBackend.POSTGRES);
  }

  @Test
  void anEmptyPathCountsAsUnset() {
    EventLogConfig c =
        env(
            "GANDER_EVENT_LOG_DIR", "  ",
            "GANDER_EVENT_LOG_SQLITE_PATH", "",
            "GANDER_EVENT_LOG_POSTGRES_URL", "");
    assertThat(c.backend()).isEqualTo(EventLogBackend.SQLITE);
    assertThat(c.fileDir()).hasValue(base.resolve("event_log"));
    assertThat(c.queueDepth()).isEqualTo(128);
    assertThat(c.postgresUrl()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  "})
  void anEmptyBackendOrDepthIsAnErrorNotTheDefault(String value) {
    assertThatThrownBy(() -> env("GANDER_EVENT_LOG_BACKEND", value))
        .isInstanceOfSatisfying(
            EventLogConfigException.class,
            e -> {
              assertThat(e.variable()).isEqualTo("GANDER_EVENT_LOG_BACKEND");
              assertThat(e.getMessage()).contains("memory, file, sqlite or postgres");
            });
    assertThatThrownBy(() -> env("GANDER_EVENT_LOG_QUEUE_DEPTH", value))
        .isInstanceOfSatisfying(
            EventLogConfigException.class,
            e -> assertThat(e.variable()).isEqualTo("GANDER_EVENT_LOG_QUEUE_DEPTH"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"mongo", "sqlite3", "in-memory", "files"})
  void anUnknownBackendNamesTheVariableTheValueAndTheAllowedOnes(String value) {
    assertThatThrownBy(() -> env("GANDER_EVENT_LOG_BACKEND", value))
        .isInstanceOfSatisfying(
            EventLogConfigException.class,
            e -> {
              assertThat(e.variable()).isEqualTo("GANDER_EVENT_LOG_BACKEND");
              assertThat(e.value()).isEqualTo(value);
              assertThat(e.getMessage())
                  .contains("GANDER_EVENT_LOG_BACKEND")
                  .contains("'" + value + "'")
                  .contains("memory, file, sqlite or postgres");
            })
        .isInstanceOf(dev.gander.GanderException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-5", "abc", "1.5", "12k", "99999999999", "0x10"})
  void aQueueDepthThatIsNotAWholeNumberFromOneIsRefused(String value) {
    assertThatThrownBy(() -> env("GANDER_EVENT_LOG_QUEUE_DEPTH", value))
        .isInstanceOfSatisfying(
            EventLogConfigException.class,
            e -> {
              assertThat(e.variable()).isEqualTo("GANDER_EVENT_LOG_QUEUE_DEPTH");
              assertThat(e.value()).isEqualTo(value);
              assertThat(e.allowed()).contains("whole number from 1");
              assertThat(e.getMessage()).contains("GANDER_EVENT_LOG_QUEUE_DEPTH").contains(value);
            });
  }

  @Test
  void postgresNeedsAUrlAndAUrlMustBePostgresWithoutShowingItsPassword() {
    assertThatThrownBy(() -> env("GANDER_EVENT_LOG_BACKEND", "postgres"))
        .isInstanceOfSatisfying(
            EventLogConfigException.class,
            e -> {
              assertThat(e.variable()).isEqualTo("GANDER_EVENT_LOG_POSTGRES_URL");
              assertThat(e.getMessage()).contains("is unset").contains("jdbc:postgresql:");
            });
    assertThatThrownBy(
            () ->
                env(
                    "GANDER_EVENT_LOG_BACKEND", "postgres",
                    "GANDER_EVENT_LOG_POSTGRES_URL",
                        "jdbc:mysql://admin:s3cret@db/app?password=s3cret"))
        .isInstanceOfSatisfying(
            EventLogConfigException.class,
            e -> {
              assertThat(e.variable()).isEqualTo("GANDER_EVENT_LOG_POSTGRES_URL");
              assertThat(e.value()).isEqualTo("jdbc:mysql://db/app");
              assertThat(e.getMessage()).doesNotContain("s3cret").contains("jdbc:postgresql:");
            });
  }

  @Test
  void aPathTheFileSystemRefusesIsAConfigurationError() {
    assertThatThrownBy(() -> env("GANDER_EVENT_LOG_DIR", "bad\0dir"))
        .isInstanceOfSatisfying(
            EventLogConfigException.class,
            e -> assertThat(e.variable()).isEqualTo("GANDER_EVENT_LOG_DIR"));
    assertThatThrownBy(() -> env("GANDER_EVENT_LOG_SQLITE_PATH", "bad\0.db"))
        .isInstanceOfSatisfying(
            EventLogConfigException.class,
            e -> assertThat(e.variable()).isEqualTo("GANDER_EVENT_LOG_SQLITE_PATH"));
  }

  @Test
  void theProcessEnvironmentIsReadTheSameWay() {
    EventLogConfig c = EventLogConfig.fromEnvironment(base);
    assertThat(c.queueDepth()).isPositive();
  }

  @Test
  void theBuilderSaysWhatIsMissingOrWrong() {
    assertThat(EventLogConfig.builder().backend(EventLogBackend.MEMORY).build().queueDepth())
        .isEqualTo(128);
    assertThatThrownBy(() -> EventLogConfig.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("sqlitePath(");
    assertThatThrownBy(() -> EventLogConfig.builder().backend(EventLogBackend.FILE).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("fileDir(");
    assertThatThrownBy(() -> EventLogConfig.builder().backend(EventLogBackend.POSTGRES).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("postgresUrl(");
    assertThatThrownBy(() -> EventLogConfig.builder().queueDepth(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EventLogConfig.builder().postgresUrl("postgres://u:pw@db/app"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("pw");
    EventLogConfig pg =
        EventLogConfig.builder()
            .backend(EventLogBackend.POSTGRES)
            .postgresUrl("jdbc:postgresql://db/app?password=pw")
            .postgresSchema("events")
            .build();
    assertThat(pg.postgresSchema()).isEqualTo("events");
    assertThat(pg.toString()).doesNotContain("pw").contains("jdbc:postgresql://db/app");
  }
}
