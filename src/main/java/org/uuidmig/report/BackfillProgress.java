package org.uuidmig.report;

/** One column's backfill, as the run's progress display ({@link RunProgress}) counts it. */
public interface BackfillProgress extends AutoCloseable {
    /**
     * A batch committed.
     *
     * @param updated rows it changed
     * @param scanned rows its range covered (changed or not: a NULL stays NULL, a row the trigger already set is
     *                left alone), 0 when not known; progress counts the larger of the two
     */
    void batch(long updated, long scanned);

    /** The column's backfill is done: every row of it is covered, whatever the batches counted. */
    void finish();

    /** The backfill ends, done ({@link #finish} first) or not (an error). */
    @Override
    void close();
}
