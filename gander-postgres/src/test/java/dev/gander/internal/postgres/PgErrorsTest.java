package dev.gander.internal.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gander.ConnectionLostException;
import dev.gander.DatabaseAccessDeniedException;
import dev.gander.DatabaseBusyException;
import dev.gander.DatabaseUnavailableException;
import dev.gander.GanderException;
import dev.gander.ReadOnlyDatabaseException;
import dev.gander.StorageFullException;
import dev.gander.internal.postgres.PgErrors.Phase;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/** The translation of SQL states, without a server. */
class PgErrorsTest {
  private final PgErrors errors = new PgErrors("PostgreSQL jdbc:postgresql://db:5432/app");

  private GanderException translate(String state, Phase phase) {
    return errors.translate(new SQLException("server says no", state), phase);
  }

  @Test
  void connectionFailuresDependOnWhenTheyHappened() {
    assertThat(translate("08001", Phase.CONNECT))
        .isExactlyInstanceOf(DatabaseUnavailableException.class)
        .hasMessageContaining("Cannot connect to PostgreSQL jdbc:postgresql://db:5432/app");
    assertThat(translate("57P03", Phase.CONNECT))
        .isExactlyInstanceOf(DatabaseUnavailableException.class)
        .hasMessageContaining("starting up");
    assertThat(translate("08006", Phase.RUN))
        .isExactlyInstanceOf(ConnectionLostException.class)
        .hasMessageContaining("nothing of it was written");
    assertThat(translate("57P01", Phase.COMMIT))
        .isExactlyInstanceOf(ConnectionLostException.class)
        .hasMessageContaining("Whether it committed is unknown");
  }

  @Test
  void eachStateMapsToWhatTheCallerCanDo() {
    assertThat(translate("28P01", Phase.CONNECT))
        .isInstanceOf(DatabaseAccessDeniedException.class)
        .hasMessageContaining("password");
    assertThat(translate("28000", Phase.CONNECT)).isInstanceOf(DatabaseAccessDeniedException.class);
    assertThat(translate("42501", Phase.RUN))
        .isInstanceOf(DatabaseAccessDeniedException.class)
        .hasMessageContaining("Grant");
    assertThat(translate("53300", Phase.CONNECT))
        .isInstanceOf(DatabaseUnavailableException.class)
        .hasMessageContaining("max_connections");
    assertThat(translate("40001", Phase.RUN)).isInstanceOf(DatabaseBusyException.class);
    assertThat(translate("40P01", Phase.COMMIT)).isInstanceOf(DatabaseBusyException.class);
    assertThat(translate("55P03", Phase.RUN)).isInstanceOf(DatabaseBusyException.class);
    assertThat(translate("57014", Phase.RUN)).isInstanceOf(DatabaseBusyException.class);
    assertThat(translate("53100", Phase.COMMIT))
        .isInstanceOf(StorageFullException.class)
        .hasMessageContaining("disk is full");
    assertThat(translate("25006", Phase.RUN))
        .isInstanceOf(ReadOnlyDatabaseException.class)
        .hasMessageContaining("primary");
    assertThat(translate("3D000", Phase.CONNECT)).hasMessageContaining("Create the database");
    assertThat(translate("23505", Phase.RUN))
        .isExactlyInstanceOf(GanderException.class)
        .hasMessageContaining("23505");
  }

  @Test
  void theStateIsKeptAndFoundThroughThePoolsWrapper() {
    SQLException driver = new SQLException("Connection refused", "08001");
    SQLException pool = new SQLTransientConnectionException("pool - not available", null, driver);
    GanderException e = errors.translate(pool, Phase.CONNECT);
    assertThat(e).isInstanceOf(DatabaseUnavailableException.class);
    assertThat(e.sqlState()).hasValue("08001");
    assertThat(e).hasCause(driver);
    assertThat(driver.getSuppressed()).containsExactly(pool);
  }

  @Test
  void anExhaustedPoolIsBusy() {
    SQLException timeout =
        new SQLTransientConnectionException(
            "gander - Connection is not available, request timed out after 30000ms.");
    assertThat(errors.translate(timeout, Phase.CONNECT))
        .isInstanceOf(DatabaseBusyException.class)
        .hasMessageContaining("pool size");
  }

  @Test
  void conflictsAndBrokenConnectionsAreRecognised() {
    assertThat(PgErrors.isConflict(new SQLException("x", "40001"))).isTrue();
    assertThat(PgErrors.isConflict(new SQLException("x", "23505"))).isFalse();
    assertThat(PgErrors.isConnectionFailure(new SQLException("x", "08006"))).isTrue();
    assertThat(PgErrors.isConnectionFailure(new SQLException("x", "57P01"))).isTrue();
    assertThat(PgErrors.isConnectionFailure(new SQLException("x"))).isFalse();
  }

  @Test
  void urlsInMessagesCarryNoCredentials() {
    assertThat(PgBackend.withoutCredentials("jdbc:postgresql://h:5432/db?user=u&password=secret"))
        .isEqualTo("jdbc:postgresql://h:5432/db");
    assertThat(PgBackend.withoutCredentials("jdbc:postgresql://u:secret@h/db"))
        .isEqualTo("jdbc:postgresql://h/db");
  }
}
