package org.uuidmig.cli;

import org.uuidmig.check.CheckReport;
import org.uuidmig.report.Progress;
import org.uuidmig.service.ValidationService;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** uuidmig validate-pre. */
@Command(name = "validate-pre", mixinStandardHelpOptions = true,
    description = {"Check, read-only, that the database is ready for the migration.",
        "Blocking: orphans, NULL or duplicate uuids, unique-constraint collisions, unsupported dependent objects,",
        "missing or non-integer columns, server version, privileges. Warnings: active sessions, long transactions,",
        "users.uuid constraints, unplanned references, alembic version, disk needed, a migration under way."})
public class ValidatePreCommand extends BaseCommand {
    @Mixin
    PlanOptions plan;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        var db = database();
        CheckReport report = ValidationService.pre(db, plan.settings(db.settings().schema()), Progress.lines(err()));
        return output.write(report, out());
    }
}
