package org.uuidmig.cli;

import java.time.Duration;

import org.uuidmig.config.MigrationSettings;
import org.uuidmig.config.MigrationSettings.Phase;
import org.uuidmig.db.Database;
import org.uuidmig.service.MigrationService;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** uuidmig migrate. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = {"Convert the planned columns to uuid references online; rerun to resume.",
        "validate-pre, then expand (new column + sync trigger), backfill in short batches, build indexes",
        "concurrently, add NOT NULL and FK as NOT VALID and validate them, verify, then swap everything in one",
        "short transaction. Resumable: rerun after any interruption and it continues where it stopped."})
public class MigrateCommand extends BaseCommand {
    /** How the swap is split. */
    enum SwapMode { all, per_table }

    @Mixin
    PlanOptions plan;

    @Option(names = "--dry-run", description = "Print the plan and every statement, in order, with the lock each takes; change nothing.")
    boolean dryRun;

    @Option(names = "--phase", paramLabel = "PHASE", description = "expand (everything up to and including verification; the sync "
        + "trigger stays) or contract (swap and clean-up only). Default: both.")
    Phase phase;

    @Option(names = "--batch-size", paramLabel = "ROWS", defaultValue = "1000",
        description = "Rows in the first backfill batch; later batches adapt to --max-batch-time (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--batch-delay", paramLabel = "DURATION", defaultValue = "0ms", converter = DurationConverter.class,
        description = "Pause between backfill batches (default: ${DEFAULT-VALUE}).")
    Duration batchDelay;

    @Option(names = "--max-batch-time", paramLabel = "DURATION", defaultValue = "200ms", converter = DurationConverter.class,
        description = "Target duration of one backfill batch; the batch size adapts to it (default: ${DEFAULT-VALUE}).")
    Duration maxBatchTime;

    @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "2s", converter = DurationConverter.class,
        description = "lock_timeout for statements that make the application wait (default: ${DEFAULT-VALUE}).")
    Duration lockTimeout;

    @Option(names = "--lock-attempts", paramLabel = "N", defaultValue = "12",
        description = "Attempts per such statement, with growing sleeps, before giving up with exit 4 (default: ${DEFAULT-VALUE}).")
    int lockAttempts;

    @Option(names = "--wait-timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
        description = "lock_timeout for statements that block nobody (CREATE INDEX CONCURRENTLY, VALIDATE) (default: ${DEFAULT-VALUE}).")
    Duration waitTimeout;

    @Option(names = "--swap", paramLabel = "MODE", defaultValue = "all",
        description = "all: swap every table in one transaction; per_table: one transaction per table (default: ${DEFAULT-VALUE}).")
    SwapMode swap;

    @Option(names = "--no-alembic-stamp", description = "Do not set alembic_version to ed06a1b6d932 in the swap transaction.")
    boolean noAlembicStamp;

    @Override
    public Integer call() {
        if (batchSize < 1 || lockAttempts < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--batch-size and --lock-attempts must be positive");
        }
        MigrationSettings settings = new MigrationSettings(lockTimeout, waitTimeout, lockAttempts, batchSize, batchDelay,
            maxBatchTime, swap == SwapMode.per_table, !noAlembicStamp, dryRun, phase == null ? Phase.ALL : phase);
        var conn = connectionSettings();
        Database db = new Database(conn, lockTimeout);
        return new MigrationService(db, plan.settings(conn.schema()), settings, out(), err(), System.console() != null).run();
    }
}
