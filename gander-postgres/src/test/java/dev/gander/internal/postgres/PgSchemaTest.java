package dev.gander.internal.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PgSchemaTest {
  @Test
  void namesAreLowerCaseIdentifiersShortEnoughForAChannel() {
    assertThat(PgSchema.of("gander").quoted()).isEqualTo("\"gander\"");
    assertThat(PgSchema.of("app_1").channel()).isEqualTo("gander:app_1");
    assertThat(PgSchema.of("x".repeat(48)).channel().length()).isLessThanOrEqualTo(63);
    for (String bad : new String[] {"", "Gander", "1abc", "a-b", "a\"b", "x".repeat(49)}) {
      assertThatThrownBy(() -> PgSchema.of(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("lower-case");
    }
  }

  @Test
  void statementsAreBoundToTheSchema() {
    assertThat(PgSchema.of("s1").sql("SELECT * FROM {schema}.gander_jobs j, {schema}.x"))
        .isEqualTo("SELECT * FROM \"s1\".gander_jobs j, \"s1\".x");
  }
}
