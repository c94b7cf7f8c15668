package org.uuidmig.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;

/**
 * Runs a unit of work that needs table locks, under lock_timeout, retrying on lock timeout
 * (55P03) and deadlock (40P01) with growing sleeps: 250 ms, 500 ms, 1 s, 2 s, ... capped at
 * 10 s. While uuidmig waits, the application queues behind its lock request for at most
 * lock_timeout; between attempts, nobody waits for uuidmig at all.
 *
 * @param attempts     attempts per unit of work
 * @param lockTimeout  lock_timeout of a blocking attempt
 * @param rerun        the command line that continues the run when every attempt failed ("uuidmig migrate")
 */
public record LockRetry(int attempts, Duration lockTimeout, String rerun) {
    private static final Logger LOG = LoggerFactory.getLogger(LockRetry.class);
    /** Every attempt of a unit of work under lock_timeout, by any LockRetry of this process. */
    private static final LongAdder ATTEMPTS = new LongAdder();
    /** The attempts whose locks were not granted in time (lock timeout, the swap's budget, a deadlock): the run backed off. */
    private static final LongAdder WAITS = new LongAdder();

    /**
     * Attempts so far, in this process, of the units of work that need table locks (backfill batches, the swap, each brief
     * DDL, CREATE INDEX CONCURRENTLY, ...): the first try of each and every retry. Exported as a metric.
     */
    public static long attemptsSoFar() {
        return ATTEMPTS.sum();
    }

    /**
     * The attempts so far, in this process, that waited their lock_timeout (or the swap's lock budget) out, or were chosen
     * as a deadlock's victim, and so backed off to try again: a measure of the lock contention the run met.
     */
    public static long waitsSoFar() {
        return WAITS.sum();
    }

    /** Work to retry; it runs in a transaction that LockRetry commits or rolls back. */
    @FunctionalInterface
    public interface Work {
        void run(Connection c) throws SQLException;
    }

    /** Sleep before attempt n (1-based; no sleep before the first). */
    public static Duration backoff(int attempt) {
        if (attempt <= 1) {
            return Duration.ZERO;
        }
        long ms = 250L << Math.min(attempt - 2, 10);
        return Duration.ofMillis(Math.min(ms, 10_000));
    }

    /**
     * Runs work in one transaction on c (auto-commit is restored afterwards), with
     * lock_timeout set for the transaction only.
     *
     * @throws UuidmigException with exit code INCOMPLETE when every attempt timed out
     */
    public void inTransaction(Connection c, String what, Work work) throws SQLException {
        SQLException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            sleep(backoff(attempt));
            ATTEMPTS.increment();
            c.setAutoCommit(false);
            try {
                try (var st = c.createStatement()) {
                    st.execute("SET LOCAL lock_timeout = " + lockTimeout.toMillis());
                }
                work.run(c);
                c.commit();
                if (attempt > 1) {
                    LOG.info("{}: locks granted on attempt {}", what, attempt);
                }
                return;
            } catch (SQLException e) {
                rollbackQuietly(c);
                if (!SqlState.isRetryableLockError(e)) {
                    throw e;
                }
                WAITS.increment();
                last = e;
                LOG.warn("{}: {} (attempt {}/{}); backing off so the application is not held up", what,
                    SqlState.DEADLOCK_DETECTED.equals(e.getSQLState()) ? "deadlock, chosen as victim"
                        : e instanceof LockBudgetExceeded ? e.getMessage()
                        : "lock not granted within " + lockTimeout.toMillis() + " ms", attempt, attempts);
            } finally {
                c.setAutoCommit(true);
            }
        }
        throw new UuidmigException(ExitCode.INCOMPLETE, what + ": locks not granted after " + attempts
            + " attempts (lock_timeout " + lockTimeout.toMillis() + " ms); other transactions hold them. "
            + "Nothing is lost: rerun " + rerun + " to continue from here (last error: " + last.getMessage() + ")", last);
    }

    /** Runs one auto-commit statement (e.g. CREATE INDEX CONCURRENTLY) under a session lock_timeout, with retries. */
    public void autocommit(Connection c, String what, Duration timeout, Work work) throws SQLException {
        SQLException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            sleep(backoff(attempt));
            try (var st = c.createStatement()) {
                st.execute("SET lock_timeout = " + timeout.toMillis());
            }
            ATTEMPTS.increment();
            try {
                work.run(c);
                return;
            } catch (SQLException e) {
                if (!SqlState.isRetryableLockError(e)) {
                    throw e;
                }
                WAITS.increment();
                last = e;
                LOG.warn("{}: lock not granted within {} ms (attempt {}/{})", what, timeout.toMillis(), attempt, attempts);
            } finally {
                try (var st = c.createStatement()) {
                    st.execute("SET lock_timeout = " + lockTimeout.toMillis());
                }
            }
        }
        throw new UuidmigException(ExitCode.INCOMPLETE, what + ": locks not granted after " + attempts
            + " attempts; rerun " + rerun + " to continue (last error: " + last.getMessage() + ")", last);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection may be gone; the caller sees the original error
        }
    }

    private static void sleep(Duration d) {
        if (d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UuidmigException(ExitCode.INCOMPLETE, "interrupted while waiting to retry");
        }
    }
}
