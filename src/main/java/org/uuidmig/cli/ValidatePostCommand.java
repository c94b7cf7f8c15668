package org.uuidmig.cli;

import org.uuidmig.check.CheckReport;
import org.uuidmig.service.ValidationService;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** uuidmig validate-post. */
@Command(name = "validate-post", mixinStandardHelpOptions = true,
    description = {"Prove the migration did what it promised, against what migrate recorded.",
        "Columns are uuid, FKs reference users(uuid) with the original actions, counts match, no NULL where",
        "NOT NULL, every reference joins, constraints and indexes recreated, nothing temporary left, the",
        "pre-swap verification recorded."})
public class ValidatePostCommand extends BaseCommand {
    @Mixin
    PlanOptions plan;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        var db = database();
        CheckReport report = ValidationService.post(db, plan.settings(db.settings().schema()));
        return output.write(report, out());
    }
}
