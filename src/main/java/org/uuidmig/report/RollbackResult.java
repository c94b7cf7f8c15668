package org.uuidmig.report;

import java.io.PrintWriter;
import java.util.List;

import org.uuidmig.ExitCode;

/**
 * What {@code uuidmig rollback} did, for the command to print (as text here; a record, so JSON can follow).
 * What a run announces before its steps (rolling back, resuming, the dry-run plan) is printed as it starts.
 *
 * @param outcome       how the run ended
 * @param schema        the application's schema
 * @param otherSchemas  schemas whose migration uuidmig's state also records (left as they are)
 * @param seconds       how long the run took (for COMPLETE)
 */
public record RollbackResult(Outcome outcome, String schema, List<String> otherSchemas, double seconds) {

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

    /** What to say of the other schemas uuidmig's state records, when there is no migration of this one. */
    public static String elsewhere(List<String> otherSchemas) {
        return otherSchemas.isEmpty() ? "" : " (it records the migration of schema " + String.join(", ", otherSchemas)
            + ", which this rollback leaves as it is: roll that back with --schema)";
    }

    public int exitCode() {
        return ExitCode.OK;
    }

    /** Prints the result as text; returns the exit code. */
    public int printText(PrintWriter out, PrintWriter err) {
        switch (outcome) {
            case DRY_RUN -> {
            }
            case NOTHING_RECORDED -> out.println("Nothing to roll back: no migration of schema " + schema + " is recorded in schema "
                + org.uuidmig.step.StateStore.SCHEMA + elsewhere(otherSchemas) + ".");
            case RECORDED -> out.println("rollback complete");
            case COMPLETE -> out.println(String.format("rollback complete in %.1f s: the columns are as they were before the migration; "
                + (otherSchemas.isEmpty() ? "schema uuidmig is dropped"
                : "the record of schema " + schema + " is removed from schema uuidmig (other schemas' stays)"), seconds));
            default -> throw new IllegalStateException(outcome.name());
        }
        out.flush();
        return exitCode();
    }
}
