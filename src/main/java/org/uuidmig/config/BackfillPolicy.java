package org.uuidmig.config;

import java.time.Duration;

/**
 * How hard the backfill pushes.
 *
 * @param batchSize     rows in the first backfill batch (then adapted)
 * @param batchDelay    pause between backfill batches
 * @param maxBatchTime  target duration of one backfill batch
 * @param jobs          tables backfilled at the same time, each on its own connection
 * @param reindex       rebuild, after each table's backfill, the indexes its updates bloated
 * @param splitRows     a table with at least this many rows (as counted) has its backfill split into ranges that
 *                      several workers share (within jobs); 0 never splits
 */
public record BackfillPolicy(int batchSize, Duration batchDelay, Duration maxBatchTime, int jobs, boolean reindex,
                             long splitRows) {
    /** Default of --jobs: two backfills at once use both cores of a small server. */
    public static final int DEFAULT_JOBS = 2;
    /** The range of --jobs (and of {@code uuidmig set jobs=N}). */
    public static final int MIN_JOBS = 1;
    public static final int MAX_JOBS = 16;
    /** The upper bound of --max-batch-time and --batch-delay (and of their {@code uuidmig set}); both may be 0. */
    public static final Duration MAX_DURATION = Duration.ofHours(1);

    /** Default of --split-rows: tables from half a million rows (a few seconds of backfill) are split. */
    public static final long DEFAULT_SPLIT_ROWS = 500_000;

    /** The policy with the default --split-rows. */
    public BackfillPolicy(int batchSize, Duration batchDelay, Duration maxBatchTime, int jobs, boolean reindex) {
        this(batchSize, batchDelay, maxBatchTime, jobs, reindex, DEFAULT_SPLIT_ROWS);
    }

    /** The defaults of --batch-size, --batch-delay, --max-batch-time, --jobs and --split-rows, with the reindex. */
    public static BackfillPolicy defaults() {
        return new BackfillPolicy(1000, Duration.ZERO, Duration.ofMillis(200), DEFAULT_JOBS, true);
    }

    /** The most ranges a split backfill gets: a worker that ends early idles at most a 64th of the table's time. */
    public static final int MAX_RANGES = 64;

    /**
     * How many ranges the backfill of a table of {@code rows} rows gets: 1 (not split) below --split-rows, else 4 at
     * --split-rows and one more per quarter of it, at most {@value #MAX_RANGES}. The engine splits by it, and plan
     * --estimate schedules by it.
     */
    public int rangesFor(long rows) {
        if (splitRows <= 0 || rows < splitRows) {
            return 1;
        }
        long n = rows * 4 / splitRows;
        return (int) Math.max(2, Math.min(MAX_RANGES, n));
    }

    public BackfillPolicy withReindex(boolean value) {
        return new BackfillPolicy(batchSize, batchDelay, maxBatchTime, jobs, value, splitRows);
    }
}
