package dev.gander.eventlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gander.InvalidNameException;
import dev.gander.PayloadCodecException;
import dev.gander.internal.Names;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Events and names as values: validation, immutability, equality as every backend reads back. */
class LogEventTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @Test
  void anEventIsImmutableAndEqualsWhatReadsBackFromJson() {
    ObjectNode payload = NODES.objectNode().put("big", 1L).put("x", 1.5);
    Instant at = Instant.parse("2024-01-01T00:00:00.123999Z");
    Map<String, String> headers = new HashMap<>(Map.of("b", "2", "a", "1"));
    LogEvent e = new LogEvent("k", payload, headers, at);
    payload.put("big", 2);
    headers.put("c", "3");
    assertThat(e.payload().get("big").asLong()).isEqualTo(1);
    assertThat(e.headers().keySet()).containsExactly("a", "b");
    assertThat(e.occurredAt()).isEqualTo(Instant.parse("2024-01-01T00:00:00.123Z"));
    ((ObjectNode) e.payload()).put("big", 3);
    assertThat(e.payload().get("big").asLong()).isEqualTo(1);
    assertThatThrownBy(() -> e.headers().put("d", "4"))
        .isInstanceOf(UnsupportedOperationException.class);

    LogEvent read =
        LogEvent.ofJson("k", "{ \"x\": 1.5, \"big\": 1 }")
            .withHeaders(Map.of("a", "1", "b", "2"))
            .withOccurredAt(at);
    assertThat(read).isEqualTo(e).hasSameHashCodeAs(e);
    assertThat(e.payloadJson()).isEqualTo("{\"big\":1,\"x\":1.5}");
    assertThat(e.withHeader("c", "3").headers()).containsEntry("c", "3").hasSize(3);
    assertThat(e.toString()).contains("kind=k").contains("{\"big\":1,\"x\":1.5}");
  }

  @Test
  void badEventsAreRefusedWithWhatToDo() {
    assertThatThrownBy(() -> LogEvent.ofJson("k", "{\"a\":"))
        .isInstanceOf(PayloadCodecException.class);
    assertThatThrownBy(() -> LogEvent.ofJson("k", "{} {}"))
        .isInstanceOf(PayloadCodecException.class);
    assertThatThrownBy(() -> LogEvent.ofJson("k", " ")).isInstanceOf(PayloadCodecException.class);
    assertThatThrownBy(() -> LogEvent.of("k", MissingNode.getInstance()))
        .isInstanceOf(PayloadCodecException.class);
    assertThatThrownBy(() -> LogEvent.ofJson("k", "1").withHeader("", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LogEvent.ofJson("k", "1").withHeader(LogEvent.OCCURRED_AT_HEADER, "1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserved");
    assertThat(LogEvent.of("k", NODES.nullNode()).payloadJson()).isEqualTo("null");
  }

  @Test
  void topicsConsumersAndKindsFollowGandersNameRuleExactly() {
    List<String> names =
        List.of(
            "a",
            "orders",
            "order.created",
            "a:b",
            "A-1_x",
            "9",
            "x".repeat(128),
            "x".repeat(129),
            "",
            " ",
            "-a",
            ".a",
            ":a",
            "_a",
            "a b",
            "a/b",
            "a\\b",
            "é",
            "a\n",
            "a*");
    for (String name : names) {
      boolean gander = isValid(() -> Names.check("stream", name));
      assertThat(isValid(() -> Topic.of(name))).as("topic %s", name).isEqualTo(gander);
      assertThat(isValid(() -> ConsumerId.of(name))).as("consumer %s", name).isEqualTo(gander);
      assertThat(isValid(() -> LogEvent.ofJson(name, "1"))).as("kind %s", name).isEqualTo(gander);
    }
    assertThat(Topic.of("a:b").toString()).isEqualTo("a:b");
    assertThat(ConsumerId.of("c").name()).isEqualTo("c");
  }

  private static boolean isValid(Runnable r) {
    try {
      r.run();
      return true;
    } catch (InvalidNameException e) {
      return false;
    }
  }
}
