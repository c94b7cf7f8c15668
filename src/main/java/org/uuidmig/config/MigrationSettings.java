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
 * @param swapLockWait  the longest the swap (and the swap back) may wait for all its locks in one attempt; the
 *                      application queues behind it for at most this long, plus the time the swap holds them
 * @param jobs          tables backfilled at the same time, each on its own connection
 * @param reindex       rebuild, after each table's backfill, the indexes its updates bloated
 */
public record MigrationSettings(Duration lockTimeout, Duration waitTimeout, int lockAttempts, int batchSize,
                                Duration batchDelay, Duration maxBatchTime, boolean swapPerTable, boolean alembicStamp,
                                boolean dryRun, Phase phase, Duration swapLockWait, int jobs, boolean reindex) {

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
            Duration.ofMillis(200), false, true, false, Phase.ALL, DEFAULT_SWAP_LOCK_WAIT, DEFAULT_JOBS, true);
    }

    /** Default of --swap-lock-wait: with the time the swap holds its locks, the application's longest stall stays under 200 ms. */
    public static final Duration DEFAULT_SWAP_LOCK_WAIT = Duration.ofMillis(100);
    /** Default of --jobs: two backfills at once use both cores of a small server. */
    public static final int DEFAULT_JOBS = 2;

    public MigrationSettings withDryRun(boolean value) {
        return new MigrationSettings(lockTimeout, waitTimeout, lockAttempts, batchSize, batchDelay, maxBatchTime, swapPerTable,
            alembicStamp, value, phase, swapLockWait, jobs, reindex);
    }
}
