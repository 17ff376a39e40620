package dev.gander;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.sql.Connection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The parts and their nevers (DESIGN §1, docs/architecture.md), checked on the compiled classes so
 * that the boundary cannot erode unnoticed.
 */
class ArchitectureTest {
  /** Packages that hold a database's SQL: the backends. */
  static final String[] BACKENDS = {"dev.gander.internal.sqlite.."};

  static final String[] PUBLIC_API = {
    "dev.gander",
    "dev.gander.queue",
    "dev.gander.stream",
    "dev.gander.pubsub",
    "dev.gander.lock",
    "dev.gander.ratelimit",
    "dev.gander.schedule",
    "dev.gander.eventlog",
    "dev.gander.store",
    "dev.gander.sqlite",
    "dev.gander.spi"
  };

  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.gander");
  }

  @Test
  void onlyBackendsPrepareStatements() {
    noClasses()
        .that()
        .resideOutsideOfPackages(BACKENDS)
        .should()
        .callMethod(Connection.class, "prepareStatement", String.class)
        .orShould()
        .callMethod(Connection.class, "createStatement")
        .orShould()
        .callMethod(Connection.class, "prepareCall", String.class)
        .because("all SQL of a backend lives in that backend's package")
        .check(classes);
  }

  @Test
  void thePublicApiNeverReachesInternals() {
    noClasses()
        .that()
        .resideInAnyPackage(PUBLIC_API)
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.gander.internal..")
        .because("the API finds backends through GanderProvider and never names a backend class")
        .check(classes);
  }

  @Test
  void capabilityLogicNeverReachesABackend() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.gander.internal.queue..",
            "dev.gander.internal.stream..",
            "dev.gander.internal.pubsub..",
            "dev.gander.internal.eventlog..",
            "dev.gander.internal.coord..",
            "dev.gander.internal.schedule..",
            "dev.gander.internal.wake..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(BACKENDS)
        .because("capability logic calls only the SPI, so it runs on every backend")
        .check(classes);
  }

  @Test
  void theEventLogUsesOnlyThePublicApiAndPlainFiles() {
    noClasses()
        .that()
        .resideInAPackage("dev.gander.internal.eventlog..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.gander.internal",
            "dev.gander.internal.spi..",
            "dev.gander.internal.queue..",
            "dev.gander.internal.stream..",
            "dev.gander.internal.wake..",
            "dev.gander.internal.sqlite..",
            "java.sql..")
        .because(
            "the event log's database backends are Gander's streams through the public API, so"
                + " that it runs on every backend Gander has and writes no SQL")
        .check(classes);
  }

  @Test
  void theSpiDependsOnNoImplementation() {
    noClasses()
        .that()
        .resideInAPackage("dev.gander.internal.spi..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.gander.internal.queue..",
            "dev.gander.internal.stream..",
            "dev.gander.internal.eventlog..",
            "dev.gander.internal.wake..",
            "dev.gander.internal.sqlite..")
        .check(classes);
  }

  @Test
  void backendsNeverReachCapabilityLogic() {
    noClasses()
        .that()
        .resideInAnyPackage(BACKENDS)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.gander.internal.queue..",
            "dev.gander.internal.stream..",
            "dev.gander.internal.pubsub..",
            "dev.gander.internal.eventlog..",
            "dev.gander.internal.coord..",
            "dev.gander.internal.schedule..")
        .because("a backend implements operations; the rules live above it")
        .check(classes);
  }

  @Test
  void coreNeverReachesTheCli() {
    noClasses().should().dependOnClassesThat().resideInAPackage("dev.gander.cli..").check(classes);
  }
}
