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
 * @param window        the blue-green window that --phase expand opens and contract closes
 */
public record RunOptions(RunCommand command, Phase phase, boolean swapPerTable, boolean alembicStamp, boolean dryRun,
                         Window window) {
    /**
     * The blue-green window.
     *
     * @param viewSchema the schema of the views green uses (null: {@code <schema>_uuid})
     * @param blueQuiet  contract refuses while blue wrote through the integer path less than this long ago
     * @param force      contract goes ahead even so
     */
    public record Window(String viewSchema, java.time.Duration blueQuiet, boolean force) {
        public static final java.time.Duration DEFAULT_BLUE_QUIET = java.time.Duration.ofSeconds(60);

        public static Window defaults() {
            return new Window(null, DEFAULT_BLUE_QUIET, false);
        }

        /** The view schema for application schema {@code schema}. */
        public String viewSchemaFor(String schema) {
            return viewSchema != null ? viewSchema : schema + "_uuid";
        }
    }

    /** migrate: every phase, all tables swapped at once, alembic stamped, for real. */
    public static RunOptions migrate() {
        return new RunOptions(RunCommand.MIGRATE, Phase.ALL, false, true, false, Window.defaults());
    }

    /** rollback: the whole rollback, all tables swapped back at once, alembic stamped back, for real. */
    public static RunOptions rollback() {
        return new RunOptions(RunCommand.ROLLBACK, Phase.ALL, false, true, false, Window.defaults());
    }

    public RunOptions withCommand(RunCommand value) {
        return new RunOptions(value, phase, swapPerTable, alembicStamp, dryRun, window);
    }

    public RunOptions withPhase(Phase value) {
        return new RunOptions(command, value, swapPerTable, alembicStamp, dryRun, window);
    }

    public RunOptions withSwapPerTable(boolean value) {
        return new RunOptions(command, phase, value, alembicStamp, dryRun, window);
    }

    public RunOptions withAlembicStamp(boolean value) {
        return new RunOptions(command, phase, swapPerTable, value, dryRun, window);
    }

    public RunOptions withDryRun(boolean value) {
        return new RunOptions(command, phase, swapPerTable, alembicStamp, value, window);
    }

    public RunOptions withWindow(Window value) {
        return new RunOptions(command, phase, swapPerTable, alembicStamp, dryRun, value);
    }
}
