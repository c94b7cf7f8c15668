package org.uuidmig.cli;

import org.uuidmig.config.MigrationSettings;
import org.uuidmig.db.Database;
import org.uuidmig.service.MigrationService;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** uuidmig plan: the same as migrate --dry-run with default settings. */
@Command(name = "plan",
    description = "Print the discovered plan and every statement migrate would run, in order, with the lock each takes. Changes nothing.")
public class PlanCommand extends BaseCommand {
    @Mixin
    PlanOptions plan;

    @Override
    public Integer call() {
        var conn = connectionSettings();
        MigrationSettings d = MigrationSettings.defaults();
        MigrationSettings settings = d.withDryRun(true);
        return new MigrationService(new Database(conn, d.lock().lockTimeout()), plan.settings(conn.schema()), settings, out(), err(), false)
            .migrate().printText(out(), err());
    }
}
