package org.uuidmig.config;

import java.time.Duration;

/**
 * How migrate behaves.
 *
 * @param lockTimeout   lock_timeout for statements that block the application while they wait (ACCESS EXCLUSIVE, SHARE ROW EXCLUSIVE)
 * @param waitTimeout   lock_timeout for statements that do not block reads or writes (CREATE INDEX CONCURRENTLY, VALIDATE, VACUUM)
 * @param lockAttempts  attempts per blocking statement before giving up (sleeps grow between them)
 * @param batchSize     rows in the first backfill batch (then adapted)
 * @param batchDelay    pause between backfill batches
 * @param maxBatchTime  target duration of one backfill batch
 * @param swapPerTable  swap one table per transaction instead of all at once
 * @param alembicStamp  stamp alembic_version in the swap transaction
 * @param dryRun        print the plan and every statement, change nothing
 * @param phase         which part to run
 */
public record MigrationSettings(Duration lockTimeout, Duration waitTimeout, int lockAttempts, int batchSize,
                                Duration batchDelay, Duration maxBatchTime, boolean swapPerTable, boolean alembicStamp,
                                boolean dryRun, Phase phase) {

    /** Parts of the migration. */
    public enum Phase {
        /** everything: expand, then contract */
        ALL,
        /** up to and including the pre-swap verification; the sync trigger stays */
        EXPAND,
        /** the swap and the clean-up only */
        CONTRACT
    }

    public static MigrationSettings defaults() {
        return new MigrationSettings(Duration.ofSeconds(2), Duration.ofMinutes(5), 12, 1000, Duration.ZERO,
            Duration.ofMillis(200), false, true, false, Phase.ALL);
    }
}
