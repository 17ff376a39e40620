package dev.gander.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.internal.spi.StreamOps.NewEvent;
import dev.gander.internal.spi.StreamOps.StoredEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules of handing committed events to waiting subscriptions: only what follows on. */
class HandOffTest {
  private final HandOff handOff = new HandOff();

  private static List<NewEvent> events(int n) {
    List<NewEvent> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new NewEvent("k", "{\"n\":" + i + "}", "{\"h\":\"v\"}", 1_000L + i));
    }
    return out;
  }

  private static List<Long> offsets(List<StoredEvent> events) {
    List<Long> out = new ArrayList<>();
    for (StoredEvent e : events) {
      out.add(e.offset());
    }
    return out;
  }

  @Test
  void aWaitingTapTakesTheEventsThatFollowOnWithWhatWasStored() {
    HandOff.Tap tap = handOff.new Tap("s");
    tap.open(5);
    handOff.appended("s", 5, events(2));
    handOff.appended("s", 7, events(1));
    List<StoredEvent> got = tap.close();
    assertThat(offsets(got)).containsExactly(5L, 6L, 7L);
    assertThat(got.get(1)).isEqualTo(new StoredEvent(6, "k", "{\"n\":1}", "{\"h\":\"v\"}", 1_001));
  }

  @Test
  void aBatchThatDoesNotFollowOnStopsTheTakingForThatWait() {
    HandOff.Tap tap = handOff.new Tap("s");
    tap.open(5);
    handOff.appended("s", 6, events(1)); // 5 committed later, or by another process
    handOff.appended("s", 5, events(1));
    assertThat(tap.close()).isEmpty();

    tap.open(5);
    handOff.appended("s", 5, events(1));
    handOff.appended("s", 7, events(1)); // a gap: 6 is read from storage, and 7 after it
    handOff.appended("s", 6, events(1));
    assertThat(offsets(tap.close())).containsExactly(5L);
  }

  @Test
  void aTapTakesNothingWhileItIsNotOpenNorFromOtherStreams() {
    HandOff.Tap tap = handOff.new Tap("s");
    handOff.appended("s", 1, events(1));
    tap.open(1);
    handOff.appended("other", 1, events(1));
    assertThat(tap.close()).isEmpty();
    handOff.appended("s", 1, events(1));
    tap.open(2);
    assertThat(tap.close()).as("what came before the wait").isEmpty();
  }

  @Test
  void aTapTakesAtMostOneReadsWorthAndLeavesTheRestToStorage() {
    HandOff.Tap tap = handOff.new Tap("s");
    tap.open(1);
    handOff.appended("s", 1, events(HandOff.LIMIT + 1));
    assertThat(tap.close()).isEmpty();
    tap.open(1);
    handOff.appended("s", 1, events(HandOff.LIMIT - 1));
    handOff.appended("s", HandOff.LIMIT, events(2));
    assertThat(tap.close()).hasSize(HandOff.LIMIT - 1);
  }

  @Test
  void closedTapsLeaveNothingBehind() {
    List<HandOff.Tap> taps = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      HandOff.Tap tap = handOff.new Tap("s" + (i % 7));
      tap.open(1);
      taps.add(tap);
    }
    assertThat(handOff.streamsWaited()).isEqualTo(7);
    Collections.shuffle(taps);
    for (HandOff.Tap tap : taps) {
      tap.close();
    }
    assertThat(handOff.streamsWaited()).isZero();
  }
}
