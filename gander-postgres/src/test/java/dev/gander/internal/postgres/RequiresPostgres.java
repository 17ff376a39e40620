package dev.gander.internal.postgres;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a test class that needs the PostgreSQL server of {@link PgTestServer}: without one it is
 * reported as skipped with one line saying why, except under {@code CI=true}, where it runs and
 * fails in {@link PgTestServer#require()}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresPostgres.Condition.class)
public @interface RequiresPostgres {
  /** Decides before any of the class's code runs. */
  public final class Condition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      String why = PgTestServer.unavailable();
      if (why == null || PgTestServer.mustRun()) {
        return ConditionEvaluationResult.enabled("PostgreSQL answers at " + PgTestServer.where());
      }
      return ConditionEvaluationResult.disabled(why);
    }
  }
}
