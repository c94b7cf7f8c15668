package org.uuidmig.report;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.uuidmig.ExitCode;

/**
 * What {@code uuidmig rollback} did, for the command to print as text or as JSON.
 * What a run announces before its steps (rolling back, resuming) is printed as it starts.
 *
 * @param outcome       how the run ended
 * @param schema        the application's schema
 * @param otherSchemas  schemas whose migration uuidmig's state also records (left as they are)
 * @param seconds       how long the run took (for COMPLETE)
 * @param plan          the dry run (for DRY_RUN when a migration is recorded), else null
 * @param columns       per column, the rows of its table and the rows the rollback's backfill wrote (for COMPLETE), else empty
 * @param steps         the steps this run ran (for COMPLETE), else empty
 */
public record RollbackResult(Outcome outcome, String schema, List<String> otherSchemas, double seconds, DryRun plan,
                             List<MigrationResult.Column> columns, List<StepDone> steps) implements RunReport {

    /** How a run of rollback ended. */
    public enum Outcome {
        /** --dry-run: the plan was printed, nothing changed */
        DRY_RUN,
        /** no migration of the schema is recorded */
        NOTHING_RECORDED,
        /** an interrupted rollback had done its work: only its Flyway row was written */
        RECORDED,
        /** the rollback finished */
        COMPLETE
    }

    /** A result without a plan, columns or steps. */
    public static RollbackResult of(Outcome outcome, String schema, List<String> otherSchemas) {
        return new RollbackResult(outcome, schema, otherSchemas, 0, null, List.of(), List.of());
    }

    /** What to say of the other schemas uuidmig's state records, when there is no migration of this one. */
    public static String elsewhere(List<String> otherSchemas) {
        return otherSchemas.isEmpty() ? "" : " (it records the migration of schema " + String.join(", ", otherSchemas)
            + ", which this rollback leaves as it is: roll that back with --schema)";
    }

    @Override
    public int exitCode() {
        return ExitCode.OK;
    }

    /** Prints the result as text; returns the exit code. */
    @Override
    public int printText(PrintWriter out, PrintWriter err) {
        switch (outcome) {
            case DRY_RUN -> {
                if (plan != null) {
                    plan.printText(out);
                } else {
                    out.println("-- " + message());
                }
            }
            case NOTHING_RECORDED, RECORDED, COMPLETE -> out.println(message());
            default -> throw new IllegalStateException(outcome.name());
        }
        out.flush();
        return exitCode();
    }

    /** The one line that says how the run ended (the text's last line). */
    public String message() {
        return switch (outcome) {
            case DRY_RUN -> plan != null ? plan.summary() : "uuidmig rollback --dry-run: no migration of schema " + schema
                + " is recorded in schema " + org.uuidmig.config.StateSchema.NAME + elsewhere(otherSchemas) + "; nothing to roll back.";
            case NOTHING_RECORDED -> "Nothing to roll back: no migration of schema " + schema + " is recorded in schema "
                + org.uuidmig.config.StateSchema.NAME + elsewhere(otherSchemas) + ".";
            case RECORDED -> "rollback complete";
            case COMPLETE -> String.format("rollback complete in %.1f s: the columns are as they were before the migration; "
                + (otherSchemas.isEmpty() ? "schema uuidmig is dropped"
                : "the record of schema " + schema + " is removed from schema uuidmig (other schemas' stays)"), seconds);
        };
    }

    /**
     * The result as one JSON document (docs/json.md): command, status, exitCode, outcome, database, schema, message,
     * otherSchemas, seconds, columns, steps, plan (the dry run, else null). The schema is the one the rollback
     * recorded, else the one it was given.
     */
    @Override
    public Map<String, Object> document(String database, String givenSchema) {
        Map<String, Object> doc = Json.run("rollback", exitCode(), outcome, database, schema != null ? schema : givenSchema, message());
        doc.put("otherSchemas", otherSchemas);
        return Json.endRun(doc, seconds, columns, steps, plan);
    }
}
