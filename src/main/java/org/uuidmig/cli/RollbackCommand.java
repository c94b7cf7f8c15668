package org.uuidmig.cli;

import java.time.Duration;

import org.uuidmig.config.MigrationSettings;
import org.uuidmig.config.MigrationSettings.Phase;
import org.uuidmig.db.Database;
import org.uuidmig.service.RollbackService;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** uuidmig rollback. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
    description = {"Undo migrate, online and without losing writes; rerun to resume.",
        "Before the swap: removes everything migrate added (triggers, shadow columns, index copies, checks, FKs,",
        "what it added to users(uuid), the Flyway failed row, schema uuidmig). After the swap: rebuilds the",
        "integer columns online (shadow column, sync trigger, backfill, indexes, NOT NULL, FK, verify) and swaps",
        "them back in one short transaction. Recorded in Flyway as 2025.12.04.2216 (.1, .2 ... for later",
        "rollbacks). See docs/rollback.md."})
public class RollbackCommand extends BaseCommand {
    @Option(names = "--dry-run", description = "Print the plan and every statement, in order, with the lock each takes; change nothing.")
    boolean dryRun;

    @Option(names = "--batch-size", paramLabel = "ROWS", defaultValue = "1000",
        description = "Rows in the first backfill batch (after the swap); later batches adapt (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--batch-delay", paramLabel = "DURATION", defaultValue = "0ms", converter = DurationConverter.class,
        description = "Pause between backfill batches (default: ${DEFAULT-VALUE}).")
    Duration batchDelay;

    @Option(names = "--max-batch-time", paramLabel = "DURATION", defaultValue = "200ms", converter = DurationConverter.class,
        description = "Target duration of one backfill batch (default: ${DEFAULT-VALUE}).")
    Duration maxBatchTime;

    @Option(names = "--lock-timeout", paramLabel = "DURATION", defaultValue = "2s", converter = DurationConverter.class,
        description = "lock_timeout for statements that make the application wait (default: ${DEFAULT-VALUE}).")
    Duration lockTimeout;

    @Option(names = "--lock-attempts", paramLabel = "N", defaultValue = "12",
        description = "Attempts per such statement, with growing sleeps, before giving up with exit 4 (default: ${DEFAULT-VALUE}).")
    int lockAttempts;

    @Option(names = "--wait-timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
        description = "lock_timeout for statements that block nobody (DROP/CREATE INDEX CONCURRENTLY, VALIDATE) (default: ${DEFAULT-VALUE}).")
    Duration waitTimeout;

    @Option(names = "--no-alembic-stamp", description = "Do not set alembic_version back to add_uuid_refresh_sessions.")
    boolean noAlembicStamp;

    @Override
    public Integer call() {
        if (batchSize < 1 || lockAttempts < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--batch-size and --lock-attempts must be positive");
        }
        MigrationSettings settings = new MigrationSettings(lockTimeout, waitTimeout, lockAttempts, batchSize, batchDelay,
            maxBatchTime, false, !noAlembicStamp, dryRun, Phase.ALL);
        var conn = connectionSettings();
        Database db = new Database(conn, lockTimeout);
        return new RollbackService(db, conn.schema(), settings, out(), err(), System.console() != null).run();
    }
}
