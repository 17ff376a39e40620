package dev.gander.postgres;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.sql.Connection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * This module's side of the arrows of docs/architecture.md, checked on the compiled classes: the
 * PostgreSQL backend implements the SPI and never reaches the capability logic, the SQLite backend
 * or the composition root; the provider only wires, and writes no SQL. (Core's own rules are in its
 * {@code ArchitectureTest}.)
 */
class PostgresArchitectureTest {
  private static final String BACKEND = "dev.gander.internal.postgres..";

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.gander");
  }

  @Test
  void theBackendNeverReachesCapabilityLogicNorTheOtherBackend() {
    noClasses()
        .that()
        .resideInAPackage(BACKEND)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.gander.internal.queue..",
            "dev.gander.internal.stream..",
            "dev.gander.internal.wake..",
            "dev.gander.internal.sqlite..",
            "dev.gander.internal.store..")
        .because("a backend implements the SPI's operations; the rules live above it")
        .check(classes);
  }

  @Test
  void theBackendNeverReachesTheCompositionRoot() {
    noClasses()
        .that()
        .resideInAPackage(BACKEND)
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.gander.internal")
        .because("GanderImpl builds on a backend, not the other way round")
        .check(classes);
  }

  @Test
  void theProviderOnlyWiresAndNeverTouchesSqlite() {
    noClasses()
        .that()
        .resideInAPackage("dev.gander.postgres..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.gander.internal.queue..",
            "dev.gander.internal.stream..",
            "dev.gander.internal.wake..",
            "dev.gander.internal.sqlite..",
            "dev.gander.internal.store..")
        .check(classes);
  }

  @Test
  void theProviderWritesNoSql() {
    noClasses()
        .that()
        .resideInAPackage("dev.gander.postgres..")
        .should()
        .callMethod(Connection.class, "prepareStatement", String.class)
        .orShould()
        .callMethod(Connection.class, "createStatement")
        .orShould()
        .callMethod(Connection.class, "prepareCall", String.class)
        .because("all SQL of a backend lives in that backend's package")
        .check(classes);
  }
}
