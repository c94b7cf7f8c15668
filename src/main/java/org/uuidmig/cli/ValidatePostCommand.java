package org.uuidmig.cli;

import org.uuidmig.report.CheckReport;
import org.uuidmig.config.PlanSettings;
import org.uuidmig.db.Database;
import org.uuidmig.service.ValidationService;

import picocli.CommandLine.Command;

/** uuidmig validate-post. */
@Command(name = "validate-post", header = "Prove the migration did what it promised.",
    description = {"Prove the migration did what it promised, against what migrate recorded.",
        "Columns are uuid, FKs reference users(uuid) with the original actions, counts match, no NULL where",
        "NOT NULL, every reference joins, constraints and indexes recreated, nothing temporary left, the",
        "pre-swap verification recorded."})
public class ValidatePostCommand extends ValidateCommand {
    @Override
    CheckReport check(Database db, PlanSettings planSettings) {
        return ValidationService.post(db, planSettings);
    }
}
