package org.uuidmig.cli;

import org.uuidmig.config.PlanFile;
import org.uuidmig.config.PlanSettings;
import org.uuidmig.db.Database;
import org.uuidmig.report.CheckReport;

import picocli.CommandLine.Mixin;

/** What validate-pre and validate-post share: the plan and output options, one report written in the chosen format. */
abstract class ValidateCommand extends BaseCommand {
    @Mixin
    PlanOptions plan;

    @Override
    PlanFile planFile() {
        return plan.planFile();
    }

    @Mixin
    OutputOptions output;

    /** Runs the checks of this command. */
    abstract CheckReport check(Database db, PlanSettings planSettings);

    @Override
    public Integer call() {
        Database db = database();
        return output.write(check(db, plan.settings(db.settings().schema())), out());
    }
}
