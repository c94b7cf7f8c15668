package org.uuidmig.cli;

import java.time.Duration;

import org.uuidmig.config.BackfillPolicy;
import org.uuidmig.config.HealthPolicy;
import org.uuidmig.config.LockPolicy;
import org.uuidmig.config.MigrationSettings;
import org.uuidmig.config.RunOptions;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The options migrate and rollback share, and plan takes for its estimate: how hard they may push and how long they may
 * make the application wait.
 */
public class TuningOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--batch-size", paramLabel = "ROWS", defaultValue = "1000",
        description = "Rows in the first backfill batch; later batches adapt to --max-batch-time (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--batch-delay", paramLabel = "DURATION", defaultValue = "0ms", converter = DurationConverter.class,
        description = "Pause between backfill batches, 0 to 1h (default: ${DEFAULT-VALUE}); uuidmig set batch-delay= changes it "
            + "while the run goes on.")
    Duration batchDelay;

    @Option(names = "--max-batch-time", paramLabel = "DURATION", defaultValue = "200ms", converter = DurationConverter.class,
        description = "Target duration of one backfill batch, 0 to 1h; the batch size adapts to it. 0 keeps every batch at "
            + "--batch-size rows (default: ${DEFAULT-VALUE}); uuidmig set max-batch-time= changes it while the run goes on.")
    Duration maxBatchTime;

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "" + BackfillPolicy.DEFAULT_JOBS,
        description = "Tables backfilled at the same time, each on its own connection (default: ${DEFAULT-VALUE}). "
            + "With more than one, progress is printed as lines. uuidmig set jobs= changes it while the run goes on; uuidmig "
            + "pause, resume, hold-swap and release-swap control the run too (docs/control.md).")
    int jobs;

    @Option(names = "--split-rows", paramLabel = "ROWS", defaultValue = "" + BackfillPolicy.DEFAULT_SPLIT_ROWS,
        description = "Split the backfill of a table with at least this many rows into key ranges (heap page ranges without "
            + "a primary key) that several workers share, within --jobs, so the largest table uses every job; 0 never "
            + "splits (default: ${DEFAULT-VALUE}).")
    long splitRows;

    @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "2s", converter = DurationConverter.class,
        description = "lock_timeout for statements that make the application wait, 1ms to 2147483647ms (PostgreSQL's limit) "
            + "(default: ${DEFAULT-VALUE}).")
    Duration lockTimeout;

    @Option(names = "--swap-lock-wait", paramLabel = "DURATION", defaultValue = "100ms", converter = DurationConverter.class,
        description = "How long one attempt of the swap (and of each FK's brief ADD) may wait for all its locks together; "
            + "the application queues behind it for at most this long plus the few milliseconds the locks are held. Also "
            + "capped by --lock-timeout and 80%% of the server's deadlock_timeout; 1ms to 2147483647ms (default: ${DEFAULT-VALUE}).")
    Duration swapLockWait;

    @Option(names = "--lock-attempts", paramLabel = "N", defaultValue = "12",
        description = "Attempts per such statement, with growing sleeps, before giving up with exit 4 (default: ${DEFAULT-VALUE}).")
    int lockAttempts;

    @Option(names = "--wait-timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
        description = "lock_timeout for statements that block nobody (CREATE/DROP INDEX CONCURRENTLY, VALIDATE), 1ms to "
            + "2147483647ms (default: ${DEFAULT-VALUE}).")
    Duration waitTimeout;

    @Option(names = "--max-latency-factor", paramLabel = "FACTOR", defaultValue = "3",
        description = "Health bound: the probe transaction (a one-row write and its commit in schema uuidmig, five times a "
            + "second) may take this many times its baseline, the median of probes before the steps start, at the 90th "
            + "percentile of the last 2 s; 1 to 1000 (default: ${DEFAULT-VALUE}). A signal over its bound is logged, shown by "
            + "uuidmig status and exported as a metric.")
    double maxLatencyFactor;

    @Option(names = "--latency-floor", paramLabel = "DURATION", defaultValue = "2ms", converter = DurationConverter.class,
        description = "The probe is over its bound only if it is also at least this much slower than its baseline, so that "
            + "a fast idle server's noise (0.5 ms becoming 1.6 ms) is not a signal; 0 to 1h (default: ${DEFAULT-VALUE}).")
    Duration latencyFloor;

    @Option(names = "--max-replica-lag", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
        description = "Health bound: the replay lag of the slowest physical standby (pg_stat_replication.replay_lag) "
            + "(default: ${DEFAULT-VALUE}).")
    Duration maxReplicaLag;

    @Option(names = "--max-slot-wal", paramLabel = "SIZE", defaultValue = "1GB", converter = SizeConverter.class,
        description = "Health bound: the WAL a replication slot retains (pg_current_wal_lsn() - restart_lsn), in bytes or "
            + "with a unit: kB, MB, GB, TB, each 1024 of the one below, as in PostgreSQL (default: ${DEFAULT-VALUE}).")
    long maxSlotWal;

    @Option(names = "--max-xact-age", paramLabel = "DURATION", defaultValue = "10min", converter = DurationConverter.class,
        description = "Health bound: the age of the oldest transaction in the database, other than uuidmig's own, that holds "
            + "back the cleanup of the backfill's dead rows (default: ${DEFAULT-VALUE}). An autovacuum to prevent wraparound on "
            + "a migrated table is always over its bound. docs/metrics.md describes every signal.")
    Duration maxXactAge;

    @Option(names = "--throttle", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "On by default: the backfill starts gently (level 2 of 4) and slows down while a health signal is over "
            + "its bound: fewer jobs, shorter batches, a pause after each; it speeds up one level per 10 healthy seconds, or "
            + "at once when no other session is busy. --no-throttle runs at the options' speed throughout, for a maintenance "
            + "window (docs/metrics.md, \"Throttling\"). An operator's uuidmig set wins over either.")
    boolean throttle;

    /**
     * Null if {@code jobs} is a valid --jobs, else the message naming {@code name}: the rule of --jobs, which
     * {@code uuidmig set jobs=N} applies too.
     */
    static String jobsProblem(String name, int jobs) {
        return jobs < BackfillPolicy.MIN_JOBS || jobs > BackfillPolicy.MAX_JOBS
            ? name + " must be between " + BackfillPolicy.MIN_JOBS + " and " + BackfillPolicy.MAX_JOBS : null;
    }

    /**
     * Null if {@code value} is a valid --max-batch-time or --batch-delay (0 to 1h), else the message naming {@code name};
     * {@code uuidmig set max-batch-time=} and {@code batch-delay=} apply the same rule.
     */
    static String backfillDurationProblem(String name, Duration value) {
        return DurationConverter.outOfRange(name, value, Duration.ZERO, BackfillPolicy.MAX_DURATION, null);
    }

    /**
     * The settings these options give, after checking them: the lock and backfill policies (with the command's
     * reindex), and the command's run options as given.
     */
    MigrationSettings settings(RunOptions run, boolean reindex) {
        if (batchSize < 1) {
            throw new ParameterException(spec.commandLine(), "--batch-size must be positive");
        }
        if (splitRows < 0) {
            throw new ParameterException(spec.commandLine(), "--split-rows must be 0 (never split) or positive");
        }
        if (lockAttempts < 1) {
            throw new ParameterException(spec.commandLine(), "--lock-attempts must be positive");
        }
        if (jobsProblem("--jobs", jobs) != null) {
            throw new ParameterException(spec.commandLine(), jobsProblem("--jobs", jobs));
        }
        Duration ms = Duration.ofMillis(1);
        Duration pgMax = DurationConverter.POSTGRES_TIMEOUT_MAX;
        String pgRange = "PostgreSQL's range for lock_timeout; 0 would mean no timeout at all";
        for (String problem : new String[] {
            DurationConverter.outOfRange("--lock-timeout", lockTimeout, ms, pgMax, pgRange),
            DurationConverter.outOfRange("--wait-timeout", waitTimeout, ms, pgMax, pgRange),
            DurationConverter.outOfRange("--swap-lock-wait", swapLockWait, ms, pgMax, pgRange),
            backfillDurationProblem("--max-batch-time", maxBatchTime),
            backfillDurationProblem("--batch-delay", batchDelay),
            DurationConverter.outOfRange("--max-replica-lag", maxReplicaLag, ms, DurationConverter.MAX, null),
            DurationConverter.outOfRange("--max-xact-age", maxXactAge, ms, DurationConverter.MAX, null),
            DurationConverter.outOfRange("--latency-floor", latencyFloor, Duration.ZERO, Duration.ofHours(1), null)}) {
            if (problem != null) {
                throw new ParameterException(spec.commandLine(), problem);
            }
        }
        if (!(maxLatencyFactor >= HealthPolicy.MIN_LATENCY_FACTOR && maxLatencyFactor <= HealthPolicy.MAX_LATENCY_FACTOR)) {
            throw new ParameterException(spec.commandLine(), "--max-latency-factor must be between 1 and 1000, not " + maxLatencyFactor);
        }
        if (maxSlotWal < 1) {
            throw new ParameterException(spec.commandLine(), "--max-slot-wal must be at least 1 byte");
        }
        return new MigrationSettings(new LockPolicy(lockTimeout, waitTimeout, lockAttempts, swapLockWait),
            new BackfillPolicy(batchSize, batchDelay, maxBatchTime, jobs, reindex, splitRows), run,
            new HealthPolicy(maxLatencyFactor, latencyFloor, maxReplicaLag, maxSlotWal, maxXactAge, throttle), null);
    }
}
