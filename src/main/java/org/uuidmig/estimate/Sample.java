package org.uuidmig.estimate;

import java.util.List;

/**
 * What the rolled-back sample batch of one column measured.
 *
 * @param column        table.column
 * @param outcome       whether it ran
 * @param why           for an outcome other than SAMPLED: why not, one line
 * @param coveredRows   rows in the sampled range (what one batch walks)
 * @param updatedRows   rows the UPDATE rewrote (those with a user)
 * @param updateNanos   the UPDATE's time, round trip included
 * @param boundNanos    the time of the query that finds the batch's upper key (0 for a page range)
 * @param readNanos     the time of one read of the range joined to users, as verify and VALIDATE read each row
 * @param setColumn     the column the UPDATE set to itself
 * @param triggers      the table's triggers that fired on it (and fire on every backfill batch)
 * @param locks         the table locks it held, "mode on table"
 * @param deadRows      rows rewritten by all of the column's sample batches: each left a dead row version (and index
 *                      entries) until the next vacuum
 * @param fixedNanos    what a batch costs whatever its size (planning, the users table's hash), from two batch sizes; 0
 *                      when only one was sampled
 * @param readFixedNanos the same for the read
 */
public record Sample(String column, Outcome outcome, String why, long coveredRows, long updatedRows, long updateNanos,
                     long boundNanos, long readNanos, String setColumn, List<String> triggers, List<String> locks, long deadRows,
                     long fixedNanos, long readFixedNanos) {

    /** How a sample ended. */
    public enum Outcome {
        /** it ran and was rolled back */
        SAMPLED,
        /** a row of the range stayed locked (or the table lock was not granted) within --lock-timeout */
        LOCK_TIMEOUT,
        /** the role may not update the table */
        NOT_ALLOWED,
        /** the table has no row to sample */
        EMPTY
    }

    public static Sample notSampled(String column, Outcome outcome, String why) {
        return new Sample(column, outcome, why, 0, 0, 0, 0, 0, null, List.of(), List.of(), 0, 0, 0);
    }

    /** This sample, with {@code more} dead rows left by an earlier batch of the same column. */
    public Sample plusDeadRows(long more) {
        return new Sample(column, outcome, why, coveredRows, updatedRows, updateNanos, boundNanos, readNanos, setColumn, triggers,
            locks, deadRows + more, fixedNanos, readFixedNanos);
    }

    /**
     * This (larger) sample, with the per-batch cost worked out from it and a smaller one of the same column: the time
     * of a batch is taken as fixed + rows x per-row, through both points (never below 0).
     */
    public Sample withFixedCostFrom(Sample smaller) {
        return new Sample(column, outcome, why, coveredRows, updatedRows, updateNanos, boundNanos, readNanos, setColumn, triggers,
            locks, deadRows, fixed(smaller.updateNanos + smaller.boundNanos, smaller.coveredRows, updateNanos + boundNanos, coveredRows),
            fixed(smaller.readNanos, smaller.coveredRows, readNanos, coveredRows));
    }

    /** The intercept of the line through (n1, t1) and (n2, t2), between 0 and t2. */
    private static long fixed(double t1, double n1, double t2, double n2) {
        return n2 <= n1 ? 0 : (long) Math.max(0, Math.min(t2, (t1 * n2 - t2 * n1) / (n2 - n1)));
    }

    public boolean sampled() {
        return outcome == Outcome.SAMPLED && coveredRows > 0;
    }

    /** Seconds per row walked, for the batch's UPDATE and its bound query, beyond the batch's fixed cost. */
    public double writeSecondsPerRow() {
        return Math.max(0, updateNanos + boundNanos - fixedNanos) / 1e9 / coveredRows;
    }

    /** Seconds a batch costs whatever its size. */
    public double fixedSeconds() {
        return fixedNanos / 1e9;
    }

    /** Seconds per row of the UPDATE alone (what --max-batch-time is measured against). */
    public double updateSecondsPerRow() {
        return updateNanos / 1e9 / coveredRows;
    }

    /** Seconds per row of a read joined to users, beyond the read's fixed cost. */
    public double readSecondsPerRow() {
        return Math.max(0, readNanos - readFixedNanos) / 1e9 / coveredRows;
    }

    /** The share of rows that have a user and so are rewritten (a NULL is not). */
    public double updatedShare() {
        return coveredRows == 0 ? 1 : (double) updatedRows / coveredRows;
    }
}
