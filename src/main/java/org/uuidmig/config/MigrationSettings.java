package org.uuidmig.config;

/**
 * How migrate (or rollback) behaves.
 *
 * @param lock      how long the application may be made to wait, and how often to try again
 * @param backfill  how hard the backfill pushes
 * @param run       which command, which phase, how the swap is split, alembic stamp, dry run
 */
public record MigrationSettings(LockPolicy lock, BackfillPolicy backfill, RunOptions run) {

    /** Parts of the migration. */
    public enum Phase {
        /** everything: expand, then contract */
        ALL,
        /** up to and including the pre-swap verification; the sync trigger stays */
        EXPAND,
        /** the swap and the clean-up only */
        CONTRACT
    }

    /** migrate with every option at its default. */
    public static MigrationSettings defaults() {
        return new MigrationSettings(LockPolicy.defaults(), BackfillPolicy.defaults(), RunOptions.migrate());
    }

    public MigrationSettings withRun(RunOptions value) {
        return new MigrationSettings(lock, backfill, value);
    }

    public MigrationSettings withBackfill(BackfillPolicy value) {
        return new MigrationSettings(lock, value, run);
    }

    public MigrationSettings withDryRun(boolean value) {
        return withRun(run.withDryRun(value));
    }
}
