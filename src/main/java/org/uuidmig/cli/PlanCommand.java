package org.uuidmig.cli;

import java.util.Map;

import org.uuidmig.config.MigrationSettings;
import org.uuidmig.config.PlanFile;
import org.uuidmig.config.RunOptions;
import org.uuidmig.db.Database;
import org.uuidmig.estimate.Estimate;
import org.uuidmig.report.MigrationResult;
import org.uuidmig.service.EstimateService;
import org.uuidmig.service.MigrationService;
import org.uuidmig.service.PlanService;
import org.uuidmig.service.ValidationService;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * uuidmig plan: the same as migrate --dry-run with the same options; --estimate adds the time, extra disk and WAL,
 * from a rolled-back sample batch per column.
 */
@Command(name = "plan", header = "Print the plan and every statement migrate would run. Changes nothing.",
    description = {"Print the discovered plan and every statement migrate would run, in order, with the lock each takes. Changes nothing.",
        "--estimate adds how long migrate takes, the extra disk it needs and the WAL it writes, each with its assumptions: it "
            + "times one backfill batch per column on this server in a transaction that is ROLLED BACK (row locks on that batch "
            + "for a few milliseconds, under --lock-timeout), and sizes the rest from the catalog. See docs/performance.md."})
public class PlanCommand extends BaseCommand {
    @Mixin
    PlanOptions plan;

    @Override
    PlanFile planFile() {
        return plan.planFile();
    }

    @Mixin
    TuningOptions tuning;

    @Mixin
    FormatOption format;

    @Option(names = "--estimate", description = "Also estimate the migration's time, extra disk and WAL volume, with the assumptions "
        + "behind each; times one sample batch per column, rolled back (changes nothing).")
    boolean estimate;

    @Option(names = "--no-reindex", description = "Plan (and estimate) as migrate --no-reindex would run.")
    boolean noReindex;

    @Option(names = "--write-plan", paramLabel = "FILE", description = "Also write the plan to FILE as a plan file (the "
        + "schema, users table and keys, and the columns after --discover and --exclude), for --plan; replaces FILE. "
        + "Only when validate-pre passes the plan.")
    java.nio.file.Path writePlan;

    @Override
    public Integer call() {
        MigrationSettings settings = tuning.settings(RunOptions.migrate().withDryRun(true), !noReindex);
        var conn = connectionSettings();
        Database db = new Database(conn, settings.lock().lockTimeout());
        MigrationResult result = new MigrationService(db, plan.settings(conn.schema()), settings, announcements(), err(), progressMode()).run();
        // --write-plan: the line saying what was written (or why not) ends the output on stderr
        PlanFile written = null;
        String wroteLine = null;
        if (writePlan != null) {
            if (result.outcome() == MigrationResult.Outcome.REFUSED) {
                wroteLine = "uuidmig plan: " + writePlan + " not written: validate-pre refused the plan";
            } else {
                written = PlanService.writePlanFile(db, plan.settings(conn.schema()), writePlan);
                wroteLine = quiet() ? null : "uuidmig plan: wrote the plan (" + written.columns().size() + " columns of schema "
                    + written.schema() + ") to " + writePlan + "; use it with --plan " + writePlan;
            }
        }
        EstimateService.Result est = null;
        if (estimate) {
            est = result.outcome() == MigrationResult.Outcome.DRY_RUN
                ? EstimateService.estimate(db, plan.settings(conn.schema()), settings)
                : new EstimateService.Result(null, "the plan ended in " + result.outcome().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (json()) {
            Map<String, Object> doc = result.document("plan", ValidationService.where(db), conn.schema());
            Estimate e = est == null ? null : est.estimate();
            doc.put("estimate", e == null ? null : e.document());
            if (writePlan != null) {
                doc.put("planFile", written == null ? null : writePlan.toString());
            }
            if (est != null && est.skipped() != null) {
                doc.put("estimateSkipped", est.skipped());
            }
            printJson(doc);
            printLine(wroteLine);
            return result.exitCode();
        }
        int code = result.printText(out(), err());
        printLine(wroteLine);
        if (est != null) {
            out().println();
            if (est.estimate() != null) {
                est.estimate().printText(out());
            } else {
                out().println("-- estimate: not given: " + est.skipped());
            }
            out().flush();
        }
        return code;
    }

    private void printLine(String line) {
        if (line != null) {
            err().println(line);
            err().flush();
        }
    }
}
