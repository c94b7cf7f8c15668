package org.uuidmig.cli;

import org.uuidmig.ExitCode;
import org.uuidmig.config.PlanFile;
import org.uuidmig.report.StatusReport;
import org.uuidmig.report.StatusWriter;
import org.uuidmig.service.StatusService;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** uuidmig status. */
@Command(name = "status", header = "Show where the database stands, changing nothing.",
    description = {"Show where the database stands, changing nothing: not started; per column the step it has reached",
        "and the backfill's progress; expanded; swapped; done; rolled back; or migrated without uuidmig's state",
        "(of --schema only: uuidmig's state is kept per schema). Also Flyway's",
        "history row for the migration and the alembic_version value. Exit 0 when the state could be read."})
public class StatusCommand extends BaseCommand {
    @Mixin
    PlanOptions plan;

    @Override
    PlanFile planFile() {
        return plan.planFile();
    }

    @Mixin
    FormatOption format;

    @Override
    public Integer call() {
        var db = database();
        StatusReport status = StatusService.read(db, plan.settings(db.settings().schema()));
        if (json()) {
            StatusWriter.json(status, out());
        } else {
            StatusWriter.text(status, out());
        }
        return ExitCode.OK;
    }
}
