package dev.gander.internal.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.gander.schedule.InvalidCronException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cron expressions, parsed by cron-utils: five Unix fields (with month and day names, and the
 * macros from hourly to yearly), or six with a leading seconds field (cron-utils' Spring
 * definition). Tick arithmetic works on whole seconds in the task's zone, forward only: cron-utils'
 * {@code nextExecution} is the one rule of daylight-saving transitions.
 */
final class CronRules {
  private static final CronParser FIVE =
      new CronParser(
          CronDefinitionBuilder.defineCron()
              .withMinutes()
              .withValidRange(0, 59)
              .withStrictRange()
              .and()
              .withHours()
              .withValidRange(0, 23)
              .withStrictRange()
              .and()
              .withDayOfMonth()
              .withValidRange(1, 31)
              .and()
              .withMonth()
              .withValidRange(1, 12)
              .withStrictRange()
              .and()
              .withDayOfWeek()
              .withValidRange(0, 7)
              .withMondayDoWValue(1)
              .withIntMapping(7, 0)
              .and()
              .withSupportedNicknameHourly()
              .withSupportedNicknameDaily()
              .withSupportedNicknameMidnight()
              .withSupportedNicknameWeekly()
              .withSupportedNicknameMonthly()
              .withSupportedNicknameYearly()
              .withSupportedNicknameAnnually()
              .instance());
  private static final CronDefinition SECONDS =
      CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING);
  private static final CronParser SIX = new CronParser(SECONDS);

  /** Walking forward never takes more steps than this for one question. */
  private static final int MAX_STEPS = 100_000;

  private final ConcurrentHashMap<String, ExecutionTime> parsed = new ConcurrentHashMap<>();

  /**
   * Parses an expression.
   *
   * @throws InvalidCronException with the parser's reason
   */
  ExecutionTime parse(String expression) {
    ExecutionTime known = parsed.get(expression);
    if (known != null) {
      return known;
    }
    String trimmed = expression.trim();
    int fields = trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
    Cron cron;
    try {
      if (fields == 6) {
        cron = SIX.parse(trimmed);
      } else if (fields == 5 || (fields == 1 && trimmed.startsWith("@"))) {
        cron = FIVE.parse(trimmed);
      } else {
        throw new IllegalArgumentException(
            "expected 5 fields (minute hour day-of-month month day-of-week), 6 with a leading"
                + " seconds field, or a macro such as @daily; found "
                + fields);
      }
      cron.validate();
    } catch (IllegalArgumentException e) {
      throw new InvalidCronException(
          "Invalid cron expression '" + expression + "': " + e.getMessage(), e);
    }
    ExecutionTime time = ExecutionTime.forCron(cron);
    if (parsed.size() < 10_000) {
      parsed.put(expression, time);
    }
    return time;
  }

  /** The first tick strictly after {@code afterMs}, in epoch ms. */
  static OptionalLong next(ExecutionTime cron, ZoneId zone, long afterMs) {
    // Ticks are whole seconds; cron-utils keeps sub-second parts of its argument, so cut them.
    ZonedDateTime from = Instant.ofEpochMilli(afterMs).atZone(zone).truncatedTo(ChronoUnit.SECONDS);
    Optional<ZonedDateTime> n = cron.nextExecution(from);
    return n.isPresent()
        ? OptionalLong.of(n.get().toInstant().toEpochMilli())
        : OptionalLong.empty();
  }

  /**
   * The latest ticks {@code t} with {@code afterMs < t <= nowMs}, oldest first, at most {@code
   * max}. Searches back from now in doubling windows, so a cursor days behind costs little.
   */
  static List<Long> latestDue(ExecutionTime cron, ZoneId zone, long afterMs, long nowMs, int max) {
    long span = 1_000;
    while (true) {
      long from = Math.max(afterMs, nowMs - span);
      Deque<Long> ticks = new ArrayDeque<>();
      long at = from;
      for (int i = 0; i < MAX_STEPS; i++) {
        OptionalLong n = next(cron, zone, at);
        if (n.isEmpty() || n.getAsLong() > nowMs || n.getAsLong() <= at) {
          break;
        }
        at = n.getAsLong();
        ticks.addLast(at);
        if (ticks.size() > max) {
          ticks.removeFirst();
        }
      }
      if (ticks.size() >= max || from == afterMs) {
        return new ArrayList<>(ticks);
      }
      span = span > Long.MAX_VALUE / 4 ? Long.MAX_VALUE / 2 : span * 2;
    }
  }
}
