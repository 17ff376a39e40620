package dev.gander;

import dev.gander.internal.contract.ClosedRuleContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The closed rule on SQLite. */
class ClosedRuleTest extends ClosedRuleContract {
  @TempDir Path dir;

  @Override
  protected Gander open() {
    return Gander.open(dir.resolve("app.db"));
  }
}
