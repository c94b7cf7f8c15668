package org.uuidmig.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/** The top command: {@code uuidmig [--verbose] <subcommand>}. */
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
        CommandLine.HelpCommand.class,
    })
public class UuidmigCommand implements Runnable {
    @CommandLine.Mixin
    HelpOptions helpOptions;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Log SQL and timings; print stack traces on errors.")
    boolean verbose;

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
        return cl;
    }

    private static int handleError(Exception ex, CommandLine cmd, ParseResult parseResult) {
        if (org.uuidmig.db.RunLock.interrupted()) {
            // SIGINT/SIGTERM: the shutdown hook ends the run's sessions and prints the one line; this error is their echo
            return ExitCode.INCOMPLETE;
        }
        PrintWriter err = cmd.getErr();
        boolean verbose = isVerbose(parseResult);
        int code;
        if (ex instanceof UuidmigException u) {
            err.println("uuidmig: error: " + u.getMessage());
            code = u.exitCode();
        } else {
            err.println("uuidmig: unexpected error: " + ex + (verbose ? "" : " (rerun with --verbose for details)"));
            code = ExitCode.UNEXPECTED;
        }
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    private static boolean isVerbose(ParseResult pr) {
        for (ParseResult p = pr; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
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
