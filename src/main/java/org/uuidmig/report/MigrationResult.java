package org.uuidmig.report;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.uuidmig.ExitCode;

/**
 * What {@code uuidmig migrate} (and {@code uuidmig plan}) did, for the command to print as text or as JSON.
 * What a run announces before its steps (resuming) is printed as it starts, not kept here.
 *
 * @param outcome      how the run ended
 * @param users        the users table (for NOTHING_TO_DO), else null
 * @param usersKey     its new key column (for NOTHING_TO_DO), else null
 * @param columnCount  the columns the migration covers
 * @param validatePre  validate-pre's report when it refused the migration, else null
 * @param columns      the summary per column (for EXPAND_COMPLETE and COMPLETE), else empty
 * @param seconds      how long the run took (for EXPAND_COMPLETE and COMPLETE)
 * @param plan         the dry run (for DRY_RUN), else null
 * @param steps        the steps this run ran (for EXPAND_COMPLETE and COMPLETE), else empty
 */
public record MigrationResult(Outcome outcome, String users, String usersKey, int columnCount, CheckReport validatePre,
                              List<Column> columns, double seconds, DryRun plan, List<StepDone> steps) implements RunReport {

    /** The one line a refusal ends with: the failed checks, by name, and where they are listed. */
    private String refused(String where) {
        List<String> failed = validatePre == null ? List.of() : validatePre.results().stream()
            .filter(r -> r.status() == CheckStatus.FAIL).map(CheckResult::name).toList();
        return "migration refused: validate-pre found blocking problems (" + where + (failed.isEmpty() ? "" : ": " + String.join(", ", failed))
            + "). Nothing was changed.";
    }

    /** How a run of migrate ended. */
    public enum Outcome {
        /** no column needed converting and nothing was under way */
        NOTHING_TO_DO,
        /** every planned column is uuid and Flyway records the migration */
        ALREADY_MIGRATED,
        /** validate-pre found blocking problems; nothing was changed */
        REFUSED,
        /** --dry-run: the plan was printed, nothing changed */
        DRY_RUN,
        /** --phase expand finished; the sync triggers stay */
        EXPAND_COMPLETE,
        /** the migration finished */
        COMPLETE
    }

    /**
     * One column of the summary.
     *
     * @param column      table.column
     * @param rows        the table's rows (verified, else counted)
     * @param backfilled  rows the backfill updated
     * @param millis      time spent on the column and its table
     * @param step        "done", or the step the column is at
     */
    public record Column(String column, long rows, long backfilled, long millis, String step) {
    }

    public static MigrationResult of(Outcome outcome, int columnCount) {
        return new MigrationResult(outcome, null, null, columnCount, null, List.of(), 0, null, List.of());
    }

    /** The dry run's result: its plan, for the command to print. */
    public static MigrationResult dryRun(DryRun plan) {
        return new MigrationResult(Outcome.DRY_RUN, null, null, plan.columns().size(), null, List.of(), 0, plan, List.of());
    }

    @Override
    public int exitCode() {
        return outcome == Outcome.REFUSED ? ExitCode.CHECKS_FAILED : ExitCode.OK;
    }

    /** Prints the result as text (the summary to out, a refusal to err); returns the exit code. */
    @Override
    public int printText(PrintWriter out, PrintWriter err) {
        switch (outcome) {
            case NOTHING_TO_DO, ALREADY_MIGRATED -> out.println(message());
            case REFUSED -> {
                ReportWriter.text(validatePre, err, false);
                err.println("uuidmig: " + refused("listed above"));
            }
            case DRY_RUN -> plan.printText(out);
            case EXPAND_COMPLETE, COMPLETE -> {
                out.println();
                // the name column is as wide as the longest name (it used to be a fixed 40, which long names broke)
                int w = Math.max("column".length(), columns.stream().mapToInt(c -> c.column().length()).max().orElse(0));
                out.println(String.format("%-" + w + "s %12s %12s %10s  %s", "column", "rows", "backfilled", "time", "result"));
                for (Column c : columns) {
                    out.println(String.format("%-" + w + "s %,12d %,12d %9.1fs  %s", c.column(), c.rows(), c.backfilled(),
                        c.millis() / 1000.0, c.step()));
                }
                out.println();
                out.println(message());
                out.flush();
            }
            default -> throw new IllegalStateException(outcome.name());
        }
        return exitCode();
    }

    /** The one line that says how the run ended (the text's last line). */
    public String message() {
        return switch (outcome) {
            case NOTHING_TO_DO -> "Nothing to do: every planned column is already uuid referencing " + users + "(" + usersKey + ").";
            case ALREADY_MIGRATED -> "Already migrated: every planned column is uuid and the migration finished ("
                + columnCount + " columns). Nothing to do.";
            case REFUSED -> refused("listed in validatePre");
            case DRY_RUN -> plan.summary();
            case EXPAND_COMPLETE, COMPLETE -> outcome == Outcome.COMPLETE ? String.format("migration complete in %.1f s", seconds)
                : String.format("expand phase complete in %.1f s; the sync triggers stay, and the blue-green window is open, until "
                    + "uuidmig migrate --phase contract", seconds);
        };
    }

    /** The document of a migrate run. */
    @Override
    public Map<String, Object> document(String database, String schema) {
        return document("migrate", database, schema);
    }

    /**
     * The result as one JSON document (docs/json.md): command, status, exitCode, error (when refused), outcome, database,
     * schema, message, columnCount, seconds, columns, steps, plan (the dry run, else null), validatePre (the refusing
     * report, else null).
     *
     * @param command  the command that ran: migrate or plan
     */
    public Map<String, Object> document(String command, String database, String schema) {
        Map<String, Object> doc = Json.document(command, exitCode());
        if (outcome == Outcome.REFUSED) {
            doc.put("error", message());
        }
        doc.putAll(Json.run(command, exitCode(), outcome, database, schema, message()));
        doc.put("columnCount", columnCount);
        Json.endRun(doc, seconds, columns, steps, plan);
        doc.put("validatePre", validatePre == null ? null : ReportWriter.document(validatePre, false));
        return doc;
    }
}
