package org.uuidmig.service;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Consumer;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.config.MetricsEndpoint;
import org.uuidmig.config.MigrationSettings;
import org.uuidmig.config.RunCommand;
import org.uuidmig.db.Database;
import org.uuidmig.db.RunLock;
import org.uuidmig.db.SqlState;
import org.uuidmig.engine.CurrentSteps;
import org.uuidmig.engine.StepContext;
import org.uuidmig.engine.StepRunner;
import org.uuidmig.health.HealthMonitor;
import org.uuidmig.metrics.RunMetrics;
import org.uuidmig.report.Progress;
import org.uuidmig.report.RunProgress;
import org.uuidmig.report.RunReport;
import org.uuidmig.report.StepDone;

/**
 * What migrate and rollback share: the command being run (its sessions' name and what to rerun, passed down to
 * the steps in the settings), the connection and run lock a run starts with, and how an SQL error is explained.
 */
public abstract class StepsService {
    final Database db;
    final MigrationSettings settings;
    final PrintWriter out;
    final PrintWriter err;
    /** How the run shows its progress: a live display on a terminal, plain lines, or nothing (--quiet). */
    final RunProgress.Mode progress;
    /** The run's step runner once it has one: what it has done is reported when the run stops. */
    private volatile StepRunner runner;
    private volatile Consumer<String> interruptReport;

    /** @param command the command this service runs: settings for another command are a programming error */
    StepsService(RunCommand command, Database db, MigrationSettings settings, PrintWriter out, PrintWriter err,
                 RunProgress.Mode progress) {
        if (settings.run().command() != command) {
            throw new IllegalArgumentException("settings of " + settings.run().command() + " given to " + command);
        }
        this.db = db;
        this.settings = settings;
        this.out = out;
        this.err = err;
        this.progress = progress;
    }

    /** Runs the command (migrate or rollback) to its end, or until it stops; rerun to resume. */
    public abstract RunReport run();

    /**
     * Also hands the line an interrupted run prints (SIGINT/SIGTERM, exit 4) to {@code report}, just before the JVM halts:
     * {@code --format json} prints it as a JSON error object on stdout.
     */
    public final void onInterrupt(Consumer<String> report) {
        this.interruptReport = report;
    }

    /** The steps this run has run to their end so far (none before its steps start); safe from another thread. */
    public final List<StepDone> stepsDone() {
        StepRunner r = runner;
        return r == null ? List.of() : r.stepsDone();
    }

    /** A step runner for the run, kept for {@link #stepsDone()}. */
    final StepRunner runner(StepContext ctx) {
        StepRunner r = new StepRunner(ctx);
        runner = r;
        return r;
    }

    /** The run's progress display (nothing for --dry-run); closing it prints where the backfills stopped, if they did. */
    final RunProgress progress() {
        return settings.run().dryRun() ? RunProgress.off() : RunProgress.of(progress, err);
    }

    /**
     * The run's Prometheus endpoint (--metrics-port), started before anything is changed (an address that cannot be bound
     * is exit 2), with one line on stderr naming its URL (also with --quiet when the port was picked, 0); null without
     * --metrics-port and for --dry-run.
     */
    final RunMetrics metrics(String schema) {
        MetricsEndpoint endpoint = settings.metrics();
        if (endpoint == null || settings.run().dryRun()) {
            return null;
        }
        RunMetrics m = RunMetrics.start(endpoint, command().word(), schema, ValidationService.where(db));
        if (!quiet() || endpoint.port() == 0) {
            err.println("uuidmig " + command().word() + ": serving metrics at " + m.url());
            err.flush();
        }
        return m;
    }

    /**
     * Starts the health monitor for the run's steps (docs/metrics.md): the migrated tables are the columns' tables and the
     * users table. The metrics, if served, read its samples from now on.
     */
    final HealthMonitor health(StepContext ctx, RunMetrics metrics) {
        java.util.Set<String> tables = new java.util.LinkedHashSet<>();
        ctx.columns().forEach(col -> tables.add(ctx.schema() + "." + col.ref().table()));
        if (ctx.users() != null) {
            tables.add(ctx.users().schema() + "." + ctx.users().name());
        }
        HealthMonitor m = HealthMonitor.open(db, command().word(), ctx.schema(), List.copyOf(tables), settings.health());
        if (metrics != null) {
            metrics.watch(m, ctx.schema()); // before the first sample, which reads the backfill's rows for them
        }
        if (settings.health().throttle()) {
            // the controller: any signal over its bound slows the backfill down; healthy again, it ramps back up
            ctx.control().throttle(new org.uuidmig.engine.Throttle(() -> {
                var snap = m.latest();
                return snap == null ? null
                    : new org.uuidmig.engine.Throttle.Reading(snap.sampledAt(), snap.anyOver() ? snap.overReason() : null, snap.quiet());
            }));
            ctx.progress().throttle(ctx.control()::throttleState); // the progress display shows the throttle's state
        }
        return m.startSampling();
    }

    /**
     * Where the run's control lines go ("applied: throttled (level 2): the start: ...", "applied: paused by operator"):
     * stderr, or nowhere with --quiet (then only the log at info, which --quiet silences, and uuidmig.events, which
     * uuidmig status shows).
     */
    final PrintWriter controlLines() {
        return quiet() ? null : err;
    }

    /** --quiet: no progress display, and nothing on stderr but errors. */
    private boolean quiet() {
        return progress == RunProgress.Mode.OFF;
    }

    /** Where validate-pre's long scans are announced. */
    final Progress scans() {
        return quiet() ? Progress.silent() : Progress.lines(err);
    }

    final RunCommand command() {
        return settings.run().command();
    }

    /** The run's connection, on the primary. */
    final Connection connect() {
        return db.connectToPrimary(command().word());
    }

    /**
     * uuidmig's run lock: one migrate or rollback per database at a time, taken before anything is read or
     * changed; none for --dry-run, which changes nothing.
     */
    final RunLock lock() {
        return settings.run().dryRun() ? null : RunLock.acquire(db, command().word(), CurrentSteps::describe, interruptReport);
    }

    /** An SQL error of the run, explained: a lost connection is exit 4 (rerun to continue), anything else exit 3. */
    final UuidmigException translate(SQLException e) {
        if (SqlState.isConnectionLost(e)) {
            return new UuidmigException(ExitCode.INCOMPLETE, "lost the connection to the server (" + e.getMessage()
                + "). Nothing is lost: rerun " + command().commandLine() + " to continue where it stopped", e);
        }
        return new UuidmigException(ExitCode.UNEXPECTED, command().word() + " failed: " + e.getMessage()
            + (e.getSQLState() == null ? "" : " [SQLSTATE " + e.getSQLState() + "]")
            + ". Rerunning " + command().commandLine() + " continues from the last completed step", e);
    }
}
