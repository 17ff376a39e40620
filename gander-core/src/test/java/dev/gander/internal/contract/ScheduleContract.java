package dev.gander.internal.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.Gander;
import dev.gander.InvalidNameException;
import dev.gander.queue.RawJson;
import dev.gander.schedule.InvalidCronException;
import dev.gander.schedule.MissedFirePolicy;
import dev.gander.schedule.ScheduledTask;
import dev.gander.schedule.ScheduledTaskInfo;
import dev.gander.schedule.Scheduler;
import dev.gander.schedule.SchedulerRunner;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * The scheduler through the public API, which every backend must keep: tasks stored and listed with
 * their next fire times, invalid expressions refused with the parser's reason, one job per tick
 * while a runner leads, one leader among runners of several instances, and a takeover when the
 * leader stops.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public abstract class ScheduleContract {
  /** The runners' lock time to live here: short, so that takeovers are quick. */
  protected static final Duration TTL = Duration.ofMillis(900);

  /**
   * The instance under test, open for the whole class.
   *
   * @return the instance
   */
  protected abstract Gander gander();

  /**
   * Opens a second instance on the same database; the test closes it.
   *
   * @return a new instance
   */
  protected abstract Gander openAnother();

  /**
   * A Gander table's name as SQL, qualified where the backend needs it.
   *
   * @param table such as {@code gander_jobs}
   * @return the name to use in SQL
   */
  protected abstract String table(String table);

  private String prefix;

  @BeforeEach
  void name(TestInfo info) {
    String method = info.getTestMethod().orElseThrow().getName();
    prefix =
        (method.length() > 60 ? method.substring(0, 60) : method)
            + "-"
            + Long.toString(ThreadLocalRandom.current().nextLong(1L << 30), 36);
  }

  private Scheduler scheduler() {
    return gander().scheduler();
  }

  private ScheduledTaskInfo info(String name) {
    return scheduler().list().stream()
        .filter(i -> i.task().name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void tasksAreStoredListedPausedResumedAndRemoved() {
    String name = prefix;
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    scheduler()
        .add(
            ScheduledTask.builder(name, "reports", "0 9 * * MON-FRI")
                .zone(berlin)
                .payload(Map.of("report", "daily"))
                .priority(5)
                .expiresIn(Duration.ofMinutes(30))
                .jitter(Duration.ofSeconds(10))
                .missedFirePolicy(MissedFirePolicy.fireAll(10))
                .build());
    ScheduledTaskInfo info = info(name);
    ScheduledTask task = info.task();
    assertThat(task.queue()).isEqualTo("reports");
    assertThat(task.cron()).isEqualTo("0 9 * * MON-FRI");
    assertThat(task.zone()).isEqualTo(berlin);
    assertThat(task.payload()).isEqualTo(RawJson.of("{\"report\":\"daily\"}"));
    assertThat(task.priority()).isEqualTo(5);
    assertThat(task.expiresIn()).contains(Duration.ofMinutes(30));
    assertThat(task.jitter()).isEqualTo(Duration.ofSeconds(10));
    assertThat(task.missedFirePolicy()).isEqualTo(MissedFirePolicy.fireAll(10));
    assertThat(info.paused()).isFalse();
    assertThat(info.lastFire()).isEmpty();
    ZonedDateTime next = info.nextFire().orElseThrow().atZone(berlin);
    assertThat(next.getHour()).isEqualTo(9);
    assertThat(next.getMinute()).isZero();
    assertThat(next.getDayOfWeek()).isNotIn(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY);
    assertThat(next.toInstant()).isAfter(Instant.now().minusSeconds(5));

    assertThat(scheduler().pause(name)).isTrue();
    assertThat(info(name).paused()).isTrue();
    assertThat(info(name).nextFire()).isEmpty();
    // Re-adding a task (as an application does at each start) keeps it paused.
    scheduler().add(ScheduledTask.builder(name, "reports", "@daily").build());
    assertThat(info(name).paused()).isTrue();
    assertThat(info(name).task().cron()).isEqualTo("@daily");
    assertThat(info(name).task().payload()).isEqualTo(RawJson.of("null"));
    assertThat(scheduler().resume(name)).isTrue();
    assertThat(info(name).paused()).isFalse();
    assertThat(info(name).nextFire().orElseThrow().atZone(ZoneId.of("UTC")).getHour()).isZero();

    assertThat(scheduler().remove(name)).isTrue();
    assertThat(scheduler().list()).noneMatch(i -> i.task().name().equals(name));
    assertThat(scheduler().remove(name)).isFalse();
    assertThat(scheduler().pause(name)).isFalse();
    assertThat(scheduler().resume(name)).isFalse();
  }

  @Test
  void namesMacrosAndASecondsFieldAreAccepted() {
    String[] crons = {
      "@hourly",
      "@daily",
      "@weekly",
      "@monthly",
      "@yearly",
      "0 0 1 JAN *",
      "*/15 9-17 * * MON-FRI",
      "*/10 * * * * *",
      "0 30 2 * * SUN"
    };
    for (int i = 0; i < crons.length; i++) {
      scheduler().add(ScheduledTask.builder(prefix + "-" + i, "q", crons[i]).build());
      assertThat(info(prefix + "-" + i).nextFire()).as(crons[i]).isPresent();
      scheduler().remove(prefix + "-" + i);
    }
  }

  @Test
  void anInvalidExpressionOrNameIsRefusedWithTheReason() {
    assertThatThrownBy(
            () -> scheduler().add(ScheduledTask.builder(prefix, "q", "61 * * * *").build()))
        .isInstanceOf(InvalidCronException.class)
        .hasMessageContaining("61 * * * *")
        .hasMessageContaining("61 not in range");
    assertThatThrownBy(() -> scheduler().add(ScheduledTask.builder(prefix, "q", "* * *").build()))
        .isInstanceOf(InvalidCronException.class)
        .hasMessageContaining("found 3");
    assertThatThrownBy(
            () -> scheduler().add(ScheduledTask.builder(prefix, "q", "@sometimes").build()))
        .isInstanceOf(InvalidCronException.class);
    assertThatThrownBy(
            () -> scheduler().add(ScheduledTask.builder(prefix, "q", "0 0 * * FUNDAY").build()))
        .isInstanceOf(InvalidCronException.class);
    assertThatThrownBy(() -> scheduler().add(ScheduledTask.builder("!bad", "q", "@daily").build()))
        .isInstanceOf(InvalidNameException.class);
    assertThatThrownBy(() -> scheduler().add(ScheduledTask.builder(prefix, "", "@daily").build()))
        .isInstanceOf(InvalidNameException.class);
    assertThat(scheduler().list()).noneMatch(i -> i.task().name().equals(prefix));
  }

  @Test
  void aTaskEverySecondFiresOncePerTickWhileARunnerLeads() throws Exception {
    String queue = prefix;
    scheduler()
        .add(
            ScheduledTask.builder(prefix, queue, "* * * * * *")
                .payload(Map.of("n", 1))
                .missedFirePolicy(MissedFirePolicy.fireAll(100))
                .build());
    try (SchedulerRunner runner = scheduler().start("runner-a", TTL)) {
      await(runner::isLeader, "a single runner leads");
      await(() -> ticks(queue).size() >= 3, "three ticks fired");
    }
    List<Long> ticks = ticks(queue);
    assertConsecutive(ticks);
    assertThat(gander().queue(queue).claim("w").orElseThrow().payloadJson()).isEqualTo("{\"n\":1}");
    assertThat(info(prefix).lastFire()).isPresent();
    scheduler().remove(prefix);
  }

  @Test
  void oneOfTwoInstancesLeadsAndTheOtherTakesOverWhenItStops() throws Exception {
    String queue = prefix;
    scheduler()
        .add(
            ScheduledTask.builder(prefix, queue, "* * * * * *")
                .missedFirePolicy(MissedFirePolicy.fireAll(100))
                .build());
    try (Gander other = openAnother()) {
      SchedulerRunner a = scheduler().start("runner-a", TTL);
      try (SchedulerRunner b = other.scheduler().start("runner-b", TTL)) {
        await(() -> a.isLeader() || b.isLeader(), "one runner leads");
        await(() -> ticks(queue).size() >= 2, "two ticks fired");
        assertThat(a.isLeader() && b.isLeader()).as("two leaders").isFalse();
        SchedulerRunner leader = a.isLeader() ? a : b;
        SchedulerRunner follower = leader == a ? b : a;
        int before = ticks(queue).size();
        leader.close();
        assertThat(leader.isLeader()).isFalse();
        await(follower::isLeader, "the other runner takes over");
        await(() -> ticks(queue).size() >= before + 2, "ticks go on under the new leader");
      } finally {
        a.close();
      }
    }
    List<Long> ticks = ticks(queue);
    assertConsecutive(ticks);
    scheduler().remove(prefix);
  }

  /** Every tick once, with no gap: with FIRE_ALL, a takeover fires what it missed. */
  private static void assertConsecutive(List<Long> ticks) {
    assertThat(ticks).doesNotHaveDuplicates();
    for (int i = 1; i < ticks.size(); i++) {
      assertThat(ticks.get(i) - ticks.get(i - 1)).as("gap before tick %s", i).isEqualTo(1_000);
    }
  }

  /** The ticks whose jobs are in the queue, from their unique keys, in order. */
  protected List<Long> ticks(String queue) {
    List<Long> out = new ArrayList<>();
    gander()
        .inTransaction(
            tx -> {
              try (PreparedStatement ps =
                  tx.connection()
                      .prepareStatement(
                          "SELECT unique_key FROM "
                              + table("gander_jobs")
                              + " WHERE queue = ? ORDER BY unique_key")) {
                ps.setString(1, queue);
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    String key = rs.getString(1);
                    out.add(Long.parseLong(key.substring(key.lastIndexOf(':') + 1)));
                  }
                }
              }
            });
    out.sort(null);
    return out;
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("timed out waiting until " + what).isNegative();
      Thread.sleep(20);
    }
  }
}
