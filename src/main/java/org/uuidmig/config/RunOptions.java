package org.uuidmig.config;

import org.uuidmig.config.MigrationSettings.Phase;

/**
 * What a run of migrate or rollback does.
 *
 * @param command       the command being run (its sessions' name, and what to rerun to continue it)
 * @param phase         which part to run
 * @param swapPerTable  swap one table per transaction instead of all at once
 * @param alembicStamp  stamp alembic_version in the swap transaction
 * @param dryRun        print the plan and every statement, change nothing
 */
public record RunOptions(RunCommand command, Phase phase, boolean swapPerTable, boolean alembicStamp, boolean dryRun) {
    /** migrate: every phase, all tables swapped at once, alembic stamped, for real. */
    public static RunOptions migrate() {
        return new RunOptions(RunCommand.MIGRATE, Phase.ALL, false, true, false);
    }

    /** rollback: the whole rollback, all tables swapped back at once, alembic stamped back, for real. */
    public static RunOptions rollback() {
        return new RunOptions(RunCommand.ROLLBACK, Phase.ALL, false, true, false);
    }

    public RunOptions withCommand(RunCommand value) {
        return new RunOptions(value, phase, swapPerTable, alembicStamp, dryRun);
    }

    public RunOptions withPhase(Phase value) {
        return new RunOptions(command, value, swapPerTable, alembicStamp, dryRun);
    }

    public RunOptions withSwapPerTable(boolean value) {
        return new RunOptions(command, phase, value, alembicStamp, dryRun);
    }

    public RunOptions withAlembicStamp(boolean value) {
        return new RunOptions(command, phase, swapPerTable, value, dryRun);
    }

    public RunOptions withDryRun(boolean value) {
        return new RunOptions(command, phase, swapPerTable, alembicStamp, value);
    }
}
