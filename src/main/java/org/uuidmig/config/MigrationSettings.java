package org.uuidmig.config;

/**
 * How migrate (or rollback) behaves.
 *
 * @param lock      how long the application may be made to wait, and how often to try again
 * @param backfill  how hard the backfill pushes
 * @param run       which command, which phase, how the swap is split, alembic stamp, dry run
 * @param health    the bounds of the health signals the run watches while its steps run
 * @param metrics   where the run serves Prometheus metrics, or null for none
 */
public record MigrationSettings(LockPolicy lock, BackfillPolicy backfill, RunOptions run, HealthPolicy health,
                                MetricsEndpoint metrics) {

    /** Parts of the migration. */
    public enum Phase {
        /** everything: expand, then contract */
        ALL,
        /** up to and including the pre-swap verification; the sync trigger stays */
        EXPAND,
        /** the swap and the clean-up only */
        CONTRACT
    }

    /** With the health bounds at their defaults, not throttled, and no metrics endpoint. */
    public MigrationSettings(LockPolicy lock, BackfillPolicy backfill, RunOptions run) {
        this(lock, backfill, run, HealthPolicy.defaults(), null);
    }

    /**
     * migrate with every option at its default but the throttle's: off, as with --no-throttle (the demo, on a scratch
     * database nothing else uses, and tests that call a service directly).
     */
    public static MigrationSettings defaults() {
        return new MigrationSettings(LockPolicy.defaults(), BackfillPolicy.defaults(), RunOptions.migrate());
    }

    public MigrationSettings withRun(RunOptions value) {
        return new MigrationSettings(lock, backfill, value, health, metrics);
    }

    public MigrationSettings withBackfill(BackfillPolicy value) {
        return new MigrationSettings(lock, value, run, health, metrics);
    }

    public MigrationSettings withHealth(HealthPolicy value) {
        return new MigrationSettings(lock, backfill, run, value, metrics);
    }

    public MigrationSettings withMetrics(MetricsEndpoint value) {
        return new MigrationSettings(lock, backfill, run, health, value);
    }

    public MigrationSettings withDryRun(boolean value) {
        return withRun(run.withDryRun(value));
    }
}
