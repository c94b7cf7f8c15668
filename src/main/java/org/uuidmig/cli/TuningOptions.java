package org.uuidmig.cli;

import java.time.Duration;

import org.uuidmig.config.BackfillPolicy;
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
            backfillDurationProblem("--batch-delay", batchDelay)}) {
            if (problem != null) {
                throw new ParameterException(spec.commandLine(), problem);
            }
        }
        return new MigrationSettings(new LockPolicy(lockTimeout, waitTimeout, lockAttempts, swapLockWait),
            new BackfillPolicy(batchSize, batchDelay, maxBatchTime, jobs, reindex), run);
    }
}
