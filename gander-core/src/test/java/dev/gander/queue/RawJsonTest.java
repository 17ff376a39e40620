package dev.gander.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gander.Gander;
import dev.gander.PayloadCodecException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RawJson holds exactly one well-formed JSON value, checked when it is made. */
class RawJsonTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"a\":1} trailing",
        "[1] [2]",
        "{}}}}",
        "{} {}",
        "1 2",
        "null null",
        "\"a\" \"b\"",
        "{\"a\":1},",
        "{\"a\":1}\n// a comment",
        "[1]]"
      })
  void textAfterTheFirstValueIsRefused(String text) {
    assertThatThrownBy(() -> RawJson.of(text))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("more text after its first value")
        .hasMessageContaining("exactly one JSON value");
  }

  @Test
  void theMessageSaysWhereTheValueEndsAndWhatFollows() {
    assertThatThrownBy(() -> RawJson.of("{\"a\":1} trailing"))
        .hasMessageContaining("at line 1, column 8")
        .hasMessageContaining("found \"trailing\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{not json", "{\"a\":}", "[1,", "'single'", "NaN", "{\"a\":1,}", "tru"})
  void malformedTextIsRefused(String text) {
    assertThatThrownBy(() -> RawJson.of(text))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("not well-formed");
  }

  @Test
  void emptyOrBlankTextIsRefused() {
    assertThatThrownBy(() -> RawJson.of(""))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("empty")
        .hasMessageContaining("exactly one JSON value");
    assertThatThrownBy(() -> RawJson.of(" \n\t "))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("only whitespace");
  }

  @Test
  void theConstructorChecksToo() {
    assertThatThrownBy(() -> new RawJson("[1] [2]")).isInstanceOf(PayloadCodecException.class);
    assertThatThrownBy(() -> new RawJson(null)).isInstanceOf(NullPointerException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"a\":1}",
        "  {\"a\": [1, 2, {\"b\": null}]}\n",
        "[]",
        "\"text\"",
        "-1.5e3",
        "true",
        "null",
        "\t[1]\r\n"
      })
  void oneValueWithWhitespaceAroundItIsStoredAsItIs(String text) {
    try (Gander gander = Gander.open(dir.resolve("app.db"))) {
      Queue q = gander.queue("raw");
      q.enqueue(RawJson.of(text));

      assertThat(q.claim("w").orElseThrow().payloadJson()).isEqualTo(text);
    }
  }
}
