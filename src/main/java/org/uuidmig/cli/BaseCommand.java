package org.uuidmig.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.config.ConnectionSettings;
import org.uuidmig.config.PlanFile;
import org.uuidmig.db.Database;
import org.uuidmig.db.Target;
import org.uuidmig.report.Json;
import org.uuidmig.report.LiveConsole;
import org.uuidmig.report.Progress;
import org.uuidmig.report.RunProgress;
import org.uuidmig.report.StepDone;
import org.uuidmig.service.ValidationService;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/** What every database command shares: the connection options and the command's writers. */
abstract class BaseCommand implements Callable<Integer> {
    @Mixin
    ConnectionOptions connection;

    @Mixin
    HelpOptions helpOptions;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /**
     * The resolved connection settings, after printing the one line that names the target (host:port/database,
     * role, server version, schema) on stderr, and checking that --schema names a schema of the database: a
     * misspelt schema would otherwise read as "no migration here" (status said "done") or as a list of failed
     * checks. Exit 2, naming the schema, before anything is changed.
     */
    ConnectionSettings connectionSettings() {
        planSchema();
        boolean quiet = quiet();
        ConnectionSettings s = connection.resolve(msg -> {
            if (!quiet) {
                err().println("uuidmig: warning: " + msg);
            }
        });
        Target target = new Database(s).target();
        if (!quiet) {
            err().println(target.line(spec.name()));
            err().flush();
        }
        PlanFile file = planFile();
        target.requireSchema(file == null || file.schema() == null ? null : file.path().toString());
        return s;
    }

    /** The plan file given with --plan, read and checked (exit 2 when bad), or null: commands that take --plan override this. */
    PlanFile planFile() {
        return null;
    }

    /**
     * With --plan, the plan file's schema is the one worked on: before connecting (a bad file is exit 2 before any
     * connection), it takes --schema's place. A --schema given beside it must name the same schema (CI jobs pass both).
     */
    private void planSchema() {
        PlanFile file = planFile();
        if (file == null || file.schema() == null) {
            return;
        }
        ParseResult pr = spec.commandLine().getParseResult();
        if (pr != null && pr.hasMatchedOption("--schema") && !connection.schema.equals(file.schema())) {
            throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "--schema " + connection.schema + " contradicts the plan file "
                + file.path() + ", whose schema is " + file.schema() + ": leave --schema out, or change the file");
        }
        connection.schema = file.schema();
    }

    /** --quiet: errors and the result only (no target line, no progress, no warnings). */
    boolean quiet() {
        return LogOptions.quiet(spec);
    }

    /**
     * How a run shows its progress: nothing with --quiet; a live display when stderr is a terminal (Main has put a
     * {@link LiveConsole} there); else plain lines.
     */
    RunProgress.Mode progressMode() {
        return quiet() ? RunProgress.Mode.OFF : LiveConsole.current() != null ? RunProgress.Mode.TERMINAL : RunProgress.Mode.LINES;
    }

    /** Where long scans (validate-pre's) are announced: nowhere with --quiet. */
    Progress scanProgress() {
        return quiet() ? Progress.silent() : Progress.lines(err());
    }

    Database database() {
        return new Database(connectionSettings());
    }

    // --format json: one JSON object on stdout for every outcome (docs/json.md)

    private final AtomicBoolean jsonPrinted = new AtomicBoolean();

    /** Whether --format json was given (by whichever option class of the command declares --format). */
    boolean json() {
        OptionSpec format = spec.findOption("--format");
        return format != null && format.getValue() == OutputOptions.Format.json;
    }

    /**
     * Where a run's announcements go (resuming, rolling back): stdout, but stderr with --format json, whose stdout holds
     * only the JSON object.
     */
    PrintWriter announcements() {
        return json() ? err() : out();
    }

    /**
     * Prints the command's JSON object on stdout, once: whichever comes first of the result, an error and an
     * interruption (the shutdown hook's thread) is the one object, and a later one is dropped.
     */
    void printJson(Map<String, Object> doc) {
        if (jsonPrinted.compareAndSet(false, true)) {
            Json.print(doc, out());
        }
    }

    /** With --format json, prints the error object of this command for a failure with that exit code; else nothing. */
    void printJsonError(int exitCode, String error) {
        if (json()) {
            Map<String, Object> doc = Json.error(spec.name(), exitCode, error);
            doc.putAll(failureDetails());
            printJson(doc);
        }
    }

    /** What the command adds to its JSON error object (after command, status, exitCode and error): nothing by default. */
    Map<String, Object> failureDetails() {
        return Map.of();
    }

    /**
     * What a run of migrate or rollback that stopped adds to its error object: the database and schema, how long it ran,
     * and the steps it ran to their end (uuidmig status --format json gives each column's progress).
     */
    static Map<String, Object> runDetails(Database db, long startedNanos, List<StepDone> steps) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("database", ValidationService.where(db));
        details.put("schema", db.settings().schema());
        details.put("seconds", (System.nanoTime() - startedNanos) / 1e9);
        details.put("steps", steps);
        return details;
    }
}
