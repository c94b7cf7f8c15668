package org.uuidmig.cli;

import java.nio.file.Path;

import org.uuidmig.config.PlanFile;

import picocli.CommandLine.Option;

/**
 * --plan for the commands that do not read the plan's columns (rollback, cleanup and the control commands work on what
 * migrate recorded): they take the plan file's schema, so that a CI job can give every command the same options.
 */
public class PlanFileOption {
    @Option(names = "--plan", paramLabel = "FILE",
        description = "A plan file (docs/plan-file.md): only its schema is used here, as --schema; the columns are the ones "
            + "migrate recorded.")
    Path planPath;

    private PlanFile loaded;

    /** The plan file, read and checked once (exit 2 for a missing or bad file), or null without --plan. */
    public PlanFile planFile() {
        if (planPath != null && loaded == null) {
            loaded = PlanFile.read(planPath);
        }
        return loaded;
    }
}
