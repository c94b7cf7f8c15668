package org.uuidmig.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.config.PlanFile;
import org.uuidmig.report.Json;
import org.uuidmig.service.CleanupService;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** uuidmig cleanup. */
@Command(name = "cleanup", header = "Remove uuidmig's state and history after a finished migration.",
    description = {"After a finished migration (and validate-post), remove what uuidmig keeps: schema uuidmig (or only",
        "the record of --schema, when it records other schemas too) and Flyway's history of --schema, table",
        "uuidmig_history.<schema> (and schema uuidmig_history once empty; also an older uuidmig's table",
        "<schema>.uuidmig_schema_history). Afterwards validate-post has nothing to check against and rollback cannot restore the integer",
        "columns. Asks for confirmation on a terminal; --yes skips the question (needed without a terminal).",
        "Refused (exit 1, nothing changed) while a migration or rollback of --schema is unfinished."})
public class CleanupCommand extends BaseCommand {
    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
    boolean yes;

    @picocli.CommandLine.Mixin
    FormatOption format;

    @picocli.CommandLine.Mixin
    PlanFileOption planFileOption;

    @Override
    PlanFile planFile() {
        return planFileOption.planFile();
    }

    @Override
    public Integer call() {
        var db = database();
        CleanupService.Result r = CleanupService.run(db, db.settings().schema(), this::confirm);
        if (json()) {
            Map<String, Object> doc = new LinkedHashMap<>(Json.document("cleanup", ExitCode.OK));
            doc.put("removed", r.removed());
            doc.put("objects", r.objects());
            doc.put("message", r.message());
            printJson(doc);
        } else {
            out().println(r.message());
        }
        return ExitCode.OK;
    }

    private boolean confirm(List<String> objects) {
        if (yes) {
            return true;
        }
        java.io.Console console = System.console();
        if (console == null) {
            throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "cleanup would remove " + String.join("; ", objects)
                + ", but there is no terminal to confirm on: add --yes");
        }
        String answer = console.readLine("uuidmig cleanup will remove:%n  %s%nAfter this, validate-post and rollback have nothing "
            + "to work from. Go ahead? [y/N] ", String.join("\n  ", objects));
        return answer != null && (answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"));
    }
}
