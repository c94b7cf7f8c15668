package org.uuidmig.cli;

import org.uuidmig.config.MigrationSettings;
import org.uuidmig.db.Database;
import org.uuidmig.report.MigrationResult;
import org.uuidmig.service.MigrationService;
import org.uuidmig.service.ValidationService;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** uuidmig plan: the same as migrate --dry-run with default settings. */
@Command(name = "plan", header = "Print the plan and every statement migrate would run. Changes nothing.",
    description = "Print the discovered plan and every statement migrate would run, in order, with the lock each takes. Changes nothing.")
public class PlanCommand extends BaseCommand {
    @Mixin
    PlanOptions plan;

    @Mixin
    FormatOption format;

    @Override
    public Integer call() {
        var conn = connectionSettings();
        MigrationSettings d = MigrationSettings.defaults();
        MigrationSettings settings = d.withDryRun(true);
        Database db = new Database(conn, d.lock().lockTimeout());
        MigrationResult result = new MigrationService(db, plan.settings(conn.schema()), settings, announcements(), err(), progressMode()).migrate();
        if (json()) {
            printJson(result.document("plan", ValidationService.where(db), conn.schema()));
            return result.exitCode();
        }
        return result.printText(out(), err());
    }
}
