package dev.gander.internal.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Sizes and lone surrogates checked against what Java's own UTF-8 encoder does. */
class Utf8Test {
  /** Characters of every width, both halves of a pair, and each half alone. */
  private static final char[] ALPHABET = {
    'a', '{', '\u007f', '\u0080', '\u00e9', '\u07ff', '\u0800', '\u20ac', '\uffff', '\uD83D',
    '\uDCE6', '\uDBFF', '\uDC00'
  };

  @Test
  void lengthIsWhatTheEncoderWritesAndALoneSurrogateIsFoundWhereverItIs() {
    Random random = new Random(42);
    for (int round = 0; round < 20_000; round++) {
      StringBuilder s = new StringBuilder();
      int n = random.nextInt(12);
      for (int i = 0; i < n; i++) {
        s.append(ALPHABET[random.nextInt(ALPHABET.length)]);
      }
      String text = s.toString();
      byte[] encoded = text.getBytes(StandardCharsets.UTF_8);
      assertThat(Utf8.length(text)).as("length of %s", escape(text)).isEqualTo(encoded.length);
      boolean roundTrips = new String(encoded, StandardCharsets.UTF_8).equals(text);
      int lone = Utf8.loneSurrogate(text);
      assertThat(lone < 0).as("no lone surrogate in %s", escape(text)).isEqualTo(roundTrips);
      if (lone >= 0) {
        assertThat(Character.isSurrogate(text.charAt(lone))).isTrue();
        assertThat(Utf8.loneSurrogate(text.substring(0, lone)))
            .as("the first one in %s", escape(text))
            .isEqualTo(-1);
      }
    }
  }

  @Test
  void theMessageNamesTheCharacterAndWhere() {
    assertThat(Utf8.describeLoneSurrogate("ab\uD83D", 2))
        .contains("\\uD83D at character 2")
        .contains("UTF-8 cannot store");
  }

  private static String escape(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      out.append(c < 0x80 ? String.valueOf(c) : String.format("\\u%04X", (int) c));
    }
    return out.toString();
  }
}
