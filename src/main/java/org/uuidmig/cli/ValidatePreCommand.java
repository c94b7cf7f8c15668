package org.uuidmig.cli;

import org.uuidmig.report.CheckReport;
import org.uuidmig.config.PlanSettings;
import org.uuidmig.db.Database;
import org.uuidmig.service.ValidationService;

import picocli.CommandLine.Command;

/** uuidmig validate-pre. */
@Command(name = "validate-pre", header = "Check, read-only, that the database is ready for the migration.",
    description = {"Check, read-only, that the database is ready for the migration.",
        "Blocking: orphans, NULL or duplicate uuids, unique-constraint collisions, unsupported dependent objects,",
        "missing or non-integer columns, server version, privileges. Warnings: active sessions, long transactions,",
        "users.uuid constraints, unplanned references, alembic version, disk needed, a migration under way."})
public class ValidatePreCommand extends ValidateCommand {
    @Override
    CheckReport check(Database db, PlanSettings planSettings) {
        return ValidationService.pre(db, planSettings, scanProgress());
    }
}
