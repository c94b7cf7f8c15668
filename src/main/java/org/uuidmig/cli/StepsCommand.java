package org.uuidmig.cli;

import java.util.Map;

import org.uuidmig.ExitCode;
import org.uuidmig.config.ConnectionSettings;
import org.uuidmig.config.MigrationSettings;
import org.uuidmig.config.RunOptions;
import org.uuidmig.db.Database;
import org.uuidmig.report.RunReport;
import org.uuidmig.service.StepsService;
import org.uuidmig.service.ValidationService;

import picocli.CommandLine.Mixin;

/**
 * What migrate and rollback share: they start a run of steps, print its result as text or JSON, report the steps
 * done if the run stops on an error, and print a JSON error object when interrupted under {@code --format json}.
 */
abstract class StepsCommand extends BaseCommand {
    @Mixin
    TuningOptions tuning;

    @Mixin
    MetricsOptions metrics;

    @Mixin
    DryRunOption dryRun;

    @Mixin
    FormatOption format;

    /** The run, once it has started: what it did is reported if it stops. */
    private StepsService service;
    private Database db;
    private long started;

    /** The settings the command's options give. */
    abstract MigrationSettings settings();

    /** The settings of a run with these options: the tuning, the metrics endpoint and --dry-run added to the command's own. */
    final MigrationSettings runSettings(RunOptions run, boolean reindex) {
        return tuning.settings(run.withDryRun(dryRun.dryRun), reindex).withMetrics(metrics.endpoint());
    }

    /** The service that runs this command's steps. */
    abstract StepsService service(Database db, ConnectionSettings conn, MigrationSettings settings);

    @Override
    public final Integer call() {
        started = System.nanoTime();
        MigrationSettings settings = settings();
        ConnectionSettings conn = connectionSettings();
        db = new Database(conn, settings.lock().lockTimeout());
        service = service(db, conn, settings);
        if (json()) {
            service.onInterrupt(line -> printJsonError(ExitCode.INCOMPLETE, line));
        }
        RunReport result = service.run();
        if (json()) {
            printJson(result.document(ValidationService.where(db), db.settings().schema()));
            return result.exitCode();
        }
        return result.printText(out(), err());
    }

    @Override
    final Map<String, Object> failureDetails() {
        return service == null ? Map.of() : runDetails(db, started, service.stepsDone());
    }
}
