package org.uuidmig.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.report.Json;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/** The top command: {@code uuidmig [--quiet | --log-level LEVEL | --verbose] <subcommand>}. */
@Command(name = "uuidmig",
    versionProvider = UuidmigCommand.Version.class,
    description = {
        "Moves every user reference in a live PostgreSQL database from an INTEGER column pointing at users.id",
        "to a UUID column pointing at users.uuid, while the application keeps running.",
    },
    subcommands = {
        ValidatePreCommand.class,
        PlanCommand.class,
        MigrateCommand.class,
        ValidatePostCommand.class,
        StatusCommand.class,
        DemoCommand.class,
        RollbackCommand.class,
        CleanupCommand.class,
        PauseCommand.class,
        ResumeCommand.class,
        SetCommand.class,
        HoldSwapCommand.class,
        ReleaseSwapCommand.class,
        CommandLine.HelpCommand.class,
    })
public class UuidmigCommand implements Runnable {
    @CommandLine.Mixin
    HelpOptions helpOptions;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Log SQL and timings (--log-level debug, and Flyway's "
        + "info lines); print stack traces on errors.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT, description = "Print errors and the result only: no target "
        + "line, no progress, no warnings or log lines.")
    boolean quiet;

    @Option(names = "--log-level", scope = ScopeType.INHERIT, paramLabel = "LEVEL", description = "The log lines shown on "
        + "stderr: error, warn, info or debug (default: info). On a terminal they have no time stamp; written to a file or "
        + "a pipe they start with the time.")
    LogOptions.Level logLevel;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /** Builds the command line with uuidmig's error handling: one line per error, exit codes from {@link ExitCode}. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new UuidmigCommand());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.getCommandSpec().exitCodeOnInvalidInput(ExitCode.USAGE_OR_CONNECTION);
        cl.getCommandSpec().exitCodeOnExecutionException(ExitCode.UNEXPECTED);
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.getCommandSpec().exitCodeOnInvalidInput(ExitCode.USAGE_OR_CONNECTION);
            sub.getCommandSpec().exitCodeOnExecutionException(ExitCode.UNEXPECTED);
            sub.getCommandSpec().usageMessage().footer(ExitCode.HELP_LINES);
            sub.getCommandSpec().versionProvider(new Version()); // uuidmig migrate --version printed nothing
        }
        cl.getCommandSpec().usageMessage().footer(ExitCode.HELP_LINES);
        cl.setExecutionExceptionHandler(UuidmigCommand::handleError);
        CommandLine.IExecutionStrategy run = new CommandLine.RunLast();
        cl.setExecutionStrategy(pr -> {
            LogOptions.check(pr);
            return run.execute(pr);
        });
        IParameterExceptionHandler usage = cl.getParameterExceptionHandler();
        cl.setParameterExceptionHandler((ex, args) -> handleUsageError(usage, ex, args));
        return cl;
    }

    /**
     * A usage error: picocli's message and help on stderr as always, exit 2; with --format json among the arguments,
     * also the JSON error object on stdout (the arguments, since a command line that did not parse has no options).
     */
    private static int handleUsageError(IParameterExceptionHandler usage, ParameterException ex, String[] args) throws Exception {
        int code = usage.handleParseException(ex, args);
        if (jsonRequested(args)) {
            CommandLine cmd = ex.getCommandLine();
            Json.print(Json.error(cmd.getCommandName(), code, ex.getMessage()), cmd.getOut());
        }
        return code;
    }

    /** Whether the arguments ask for --format json (also --format=json, any case), before a "--" that ends the options. */
    static boolean jsonRequested(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                return false;
            }
            if (a.equalsIgnoreCase("--format=json") || (a.equals("--format") && i + 1 < args.length && args[i + 1].equalsIgnoreCase("json"))) {
                return true;
            }
        }
        return false;
    }

    private static int handleError(Exception ex, CommandLine cmd, ParseResult parseResult) {
        if (org.uuidmig.db.RunLock.interrupted()) {
            // SIGINT/SIGTERM: the shutdown hook ends the run's sessions and prints the one line; this error is their echo
            return ExitCode.INCOMPLETE;
        }
        PrintWriter err = cmd.getErr();
        boolean verbose = LogOptions.verbose(parseResult);
        int code;
        String error;
        if (ex instanceof UuidmigException u) {
            error = u.getMessage();
            err.println("uuidmig: error: " + error);
            code = u.exitCode();
        } else {
            error = "unexpected error: " + ex + (verbose ? "" : " (rerun with --verbose for details)");
            err.println("uuidmig: " + error);
            code = ExitCode.UNEXPECTED;
        }
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
        if (cmd.getCommand() instanceof BaseCommand b) {
            b.printJsonError(code, error);
        }
        return code;
    }

    /** Reads the version Maven wrote into version.properties. */
    public static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws Exception {
            return new String[] {"uuidmig " + version()};
        }

        public static String version() {
            try (InputStream in = UuidmigCommand.class.getResourceAsStream("/org/uuidmig/version.properties")) {
                Properties p = new Properties();
                if (in != null) {
                    p.load(in);
                }
                return p.getProperty("version", "unknown");
            } catch (java.io.IOException e) {
                return "unknown";
            }
        }
    }
}
