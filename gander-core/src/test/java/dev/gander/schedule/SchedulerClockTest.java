package dev.gander.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.Gander;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduler against a clock the test moves by hand, on SQLite: what each missed-fire policy
 * fires after every process was down, and which ticks cron-utils gives on the days Europe/Berlin
 * springs forward (2026-03-29) and falls back (2026-10-25).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SchedulerClockTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path dir;
  private final AtomicLong now = new AtomicLong(START.toEpochMilli());
  private Gander gander;

  @BeforeEach
  void open() {
    Clock clock =
        new Clock() {
          @Override
          public ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return Instant.ofEpochMilli(now.get());
          }

          @Override
          public long millis() {
            return now.get();
          }
        };
    gander = Gander.builder().path(dir.resolve("clock.db")).clock(clock).open();
  }

  @AfterEach
  void close() {
    gander.close();
  }

  private void setTime(Instant t) {
    now.set(t.toEpochMilli());
  }

  private void everyMinute(String name, MissedFirePolicy policy) {
    gander
        .scheduler()
        .add(ScheduledTask.builder(name, name, "* * * * *").missedFirePolicy(policy).build());
  }

  /** Starts a runner, as a process coming back, and waits until it handled what is due. */
  private void recover(String name, Instant expectedNext) throws InterruptedException {
    try (SchedulerRunner runner = gander.scheduler().start("recovering", Duration.ofDays(1))) {
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!info(name).nextFire().equals(java.util.Optional.of(expectedNext))) {
        assertThat(System.nanoTime()).as("runner %s caught up", runner).isLessThan(deadline);
        Thread.sleep(10);
      }
    }
  }

  private ScheduledTaskInfo info(String name) {
    return gander.scheduler().list().stream()
        .filter(i -> i.task().name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private List<Instant> ticks(String queue) {
    List<Instant> out = new ArrayList<>();
    gander.inTransaction(
        tx -> {
          try (PreparedStatement ps =
              tx.connection()
                  .prepareStatement(
                      "SELECT unique_key FROM gander_jobs WHERE queue = ? ORDER BY id")) {
            ps.setString(1, queue);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                String key = rs.getString(1);
                out.add(
                    Instant.ofEpochMilli(Long.parseLong(key.substring(key.lastIndexOf(':') + 1))));
              }
            }
          }
        });
    return out;
  }

  private static Instant at(String minute) {
    return Instant.parse("2026-01-01T00:" + minute + ":00Z");
  }

  @Test
  void fireOnceFiresTheLatestMissedTickOnly() throws Exception {
    everyMinute("once", MissedFirePolicy.fireOnce());
    setTime(Instant.parse("2026-01-01T00:10:30Z")); // ticks 00:01 to 00:10 missed
    recover("once", at("11"));
    assertThat(ticks("once")).containsExactly(at("10"));
    assertThat(info("once").lastFire()).contains(at("10"));
  }

  @Test
  void fireAllFiresEveryMissedTickUpToItsBound() throws Exception {
    everyMinute("all", MissedFirePolicy.fireAll(100));
    everyMinute("bounded", MissedFirePolicy.fireAll(4));
    setTime(Instant.parse("2026-01-01T00:10:30Z"));
    recover("bounded", at("11"));
    assertThat(ticks("all"))
        .containsExactly(
            at("01"), at("02"), at("03"), at("04"), at("05"), at("06"), at("07"), at("08"),
            at("09"), at("10"));
    assertThat(ticks("bounded")).containsExactly(at("07"), at("08"), at("09"), at("10"));
  }

  @Test
  void skipFiresNoMissedTickButTheNextOnTime() throws Exception {
    everyMinute("skip", MissedFirePolicy.skip());
    setTime(Instant.parse("2026-01-01T00:10:30Z"));
    recover("skip", at("11"));
    assertThat(ticks("skip")).isEmpty();
    assertThat(info("skip").lastFire()).isEmpty();
    setTime(Instant.parse("2026-01-01T00:11:00.400Z")); // on time, within the grace
    recover("skip", at("12"));
    assertThat(ticks("skip")).containsExactly(at("11"));
  }

  @Test
  void ticksPausedThroughNeverFire() throws Exception {
    everyMinute("paused", MissedFirePolicy.fireAll(100));
    gander.scheduler().pause("paused");
    setTime(Instant.parse("2026-01-01T00:10:30Z"));
    gander.scheduler().resume("paused");
    setTime(Instant.parse("2026-01-01T00:12:00Z"));
    recover("paused", at("13"));
    assertThat(ticks("paused")).containsExactly(at("11"), at("12"));
  }

  @Test
  void springForwardSkipsALocalTimeThatDoesNotExist() throws Exception {
    // 2026-03-29 in Berlin: 02:00 CET jumps to 03:00 CEST, so 02:30 never happens that day.
    setTime(Instant.parse("2026-03-28T11:00:00Z"));
    gander
        .scheduler()
        .add(
            ScheduledTask.builder("spring", "spring", "30 2 * * *")
                .zone(BERLIN)
                .missedFirePolicy(MissedFirePolicy.fireAll(100))
                .build());
    assertThat(info("spring").nextFire()).contains(Instant.parse("2026-03-30T00:30:00Z"));
    setTime(Instant.parse("2026-03-31T12:00:00Z"));
    recover("spring", Instant.parse("2026-04-01T00:30:00Z"));
    assertThat(ticks("spring"))
        .containsExactly(
            Instant.parse("2026-03-30T00:30:00Z"), // 02:30 CEST
            Instant.parse("2026-03-31T00:30:00Z"));
  }

  @Test
  void fallBackFiresAFixedTimeOnceAndAnIntervalInBothPasses() throws Exception {
    // 2026-10-25 in Berlin: 03:00 CEST goes back to 02:00 CET, so 02:00 to 03:00 happens twice.
    setTime(Instant.parse("2026-10-24T12:00:00Z"));
    gander
        .scheduler()
        .add(
            ScheduledTask.builder("fixed", "fixed", "30 2 * * *")
                .zone(BERLIN)
                .missedFirePolicy(MissedFirePolicy.fireAll(100))
                .build());
    gander
        .scheduler()
        .add(
            ScheduledTask.builder("interval", "interval", "0 */30 1-3 25 10 *")
                .zone(BERLIN)
                .missedFirePolicy(MissedFirePolicy.fireAll(100))
                .build());
    setTime(Instant.parse("2026-10-26T12:00:00Z"));
    recover("fixed", Instant.parse("2026-10-27T01:30:00Z"));
    recover("interval", Instant.parse("2027-10-24T23:00:00Z"));
    assertThat(ticks("fixed"))
        .containsExactly(
            Instant.parse("2026-10-25T00:30:00Z"), // 02:30 CEST, the first pass only
            Instant.parse("2026-10-26T01:30:00Z")); // 02:30 CET
    assertThat(ticks("interval"))
        .containsExactly(
            Instant.parse("2026-10-24T23:00:00Z"), // 01:00 CEST
            Instant.parse("2026-10-24T23:30:00Z"), // 01:30 CEST
            Instant.parse("2026-10-25T00:00:00Z"), // 02:00 CEST
            Instant.parse("2026-10-25T00:30:00Z"), // 02:30 CEST
            Instant.parse("2026-10-25T01:00:00Z"), // 02:00 CET, the second pass
            Instant.parse("2026-10-25T01:30:00Z"), // 02:30 CET
            Instant.parse("2026-10-25T02:00:00Z"), // 03:00 CET
            Instant.parse("2026-10-25T02:30:00Z")); // 03:30 CET
  }
}
