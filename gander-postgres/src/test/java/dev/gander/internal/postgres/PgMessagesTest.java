package dev.gander.internal.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.internal.spi.MessageBus.Message;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Pub/sub messages as NOTIFY payloads: the form, the size rule, and dropping one's own echo. */
class PgMessagesTest {
  private final PgMessages mine = new PgMessages();
  private final PgMessages theirs = new PgMessages();

  @Test
  void anInlineMessageRoundTripsToAnotherInstance() {
    Message m = new Message("orders:eu", 1_700_000_000_123L, "{\"a\":\"b c\"}", 0);
    String payload = theirs.encode(m);
    assertThat(PgMessages.isMessage(payload)).isTrue();
    assertThat(mine.decode(payload)).hasValue(m);
  }

  @Test
  void aMessageByReferenceRoundTrips() {
    Message m = new Message("big", 42L, null, 9_876_543_210L);
    assertThat(mine.decode(theirs.encode(m))).hasValue(m);
  }

  @Test
  void anInstanceDropsItsOwnEcho() {
    assertThat(mine.decode(mine.encode(new Message("c", 1L, "1", 0)))).isEmpty();
  }

  @Test
  void identicalMessagesGetDistinctPayloads() {
    Message m = new Message("c", 1L, "\"same\"", 0);
    assertThat(mine.encode(m)).isNotEqualTo(mine.encode(m));
  }

  @Test
  void wakeUpKeysAndMalformedPayloadsAreNotMessages() {
    assertThat(PgMessages.isMessage("w:emails")).isFalse();
    assertThat(PgMessages.isMessage("e")).isFalse();
    assertThat(PgMessages.isMessage("m:")).isFalse();
    assertThat(mine.decode("m:x")).isEmpty();
    assertThat(mine.decode("m:x:1:notanumber:c {}")).isEmpty();
    assertThat(mine.decode("r:x:1:5:c notanoffset")).isEmpty();
  }

  @Test
  void fitsCountsUtf8BytesAgainstTheServersLimit() {
    String channel = "c".repeat(128);
    int room = PgMessages.MAX_PAYLOAD_BYTES - PgMessages.HEADER_BYTES - channel.length();
    assertThat(mine.fits(channel, "a".repeat(room))).isTrue();
    assertThat(mine.fits(channel, "a".repeat(room + 1))).isFalse();
    assertThat(mine.fits(channel, "é".repeat(room / 2))).isTrue();
    assertThat(mine.fits(channel, "é".repeat(room / 2 + 1))).isFalse();
    assertThat(mine.fits(channel, "😀".repeat(room / 4))).isTrue();
    assertThat(mine.fits(channel, "😀".repeat(room / 4 + 1))).isFalse();
    // Whatever fits, encoded with the longest time there can be, is within the limit.
    String payload = mine.encode(new Message(channel, Long.MIN_VALUE, "é".repeat(room / 2), 0));
    assertThat(payload.getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(PgMessages.MAX_PAYLOAD_BYTES);
  }
}
