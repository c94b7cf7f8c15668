package org.uuidmig.cli;

import java.util.Locale;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import org.uuidmig.engine.StepRunner;

/**
 * {@code --quiet}, {@code --log-level} and {@code --verbose}, options of every command (declared on the top command,
 * inherited). slf4j-simple reads its settings once, when the first logger is made, which is before picocli has
 * parsed anything: {@link #configure} reads them from the raw arguments first (Main), the rest of the program reads
 * them from the parse result.
 */
public final class LogOptions {
    /** The log levels --log-level takes. */
    public enum Level { error, warn, info, debug }

    private LogOptions() {
    }

    /**
     * Sets slf4j-simple's level and format from the arguments, before the first logger exists: error with --quiet,
     * --log-level's level, debug with --verbose (and Flyway's info lines), else info. On a terminal a log line is
     * "[INFO] message"; elsewhere (a file, a pipe, CI) it starts with the time and the logging class, as in
     * "12:03:04.123 [INFO] StepRunner - message".
     */
    public static void configure(String[] args, boolean terminal) {
        String level = "info";
        boolean verbose = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                break;
            }
            if (a.equals("--log-level") && i + 1 < args.length) {
                level = args[i + 1].toLowerCase(Locale.ROOT);
            } else if (a.startsWith("--log-level=")) {
                level = a.substring("--log-level=".length()).toLowerCase(Locale.ROOT);
            } else if (a.equals("--verbose")) {
                verbose = true;
            }
        }
        for (String a : args) {
            if (a.equals("--")) {
                break;
            }
            if (a.equals("-q") || a.equals("--quiet")) {
                level = "error";
            }
        }
        if (verbose) {
            level = "debug";
            System.setProperty("org.slf4j.simpleLogger.log.org.flywaydb", "info");
        }
        try {
            Level.valueOf(level);
        } catch (IllegalArgumentException e) {
            level = "info"; // picocli reports the bad value when it parses
        }
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
        if (level.equals("error")) {
            System.setProperty("org.slf4j.simpleLogger.log.org.flywaydb", "error");
        }
        if (terminal) {
            System.setProperty("org.slf4j.simpleLogger.showDateTime", "false");
            System.setProperty("org.slf4j.simpleLogger.showShortLogName", "false");
            System.setProperty("org.slf4j.simpleLogger.showLogName", "false");
        }
    }

    /** Whether --quiet was given, before or after the subcommand's name. */
    static boolean quiet(CommandSpec spec) {
        return matched(spec.root().commandLine().getParseResult(), "--quiet");
    }

    static boolean verbose(ParseResult pr) {
        return matched(pr, "--verbose");
    }

    /** --quiet with --log-level or --verbose is a usage error: they ask for opposite things. */
    static void check(ParseResult pr) {
        if (matched(pr, "--quiet") && (matched(pr, "--log-level") || matched(pr, "--verbose"))) {
            throw new CommandLine.ParameterException(deepest(pr).commandSpec().commandLine(),
                "--quiet cannot be combined with --log-level or --verbose");
        }
    }

    private static ParseResult deepest(ParseResult pr) {
        ParseResult p = pr;
        while (p.subcommand() != null) {
            p = p.subcommand();
        }
        return p;
    }

    private static boolean matched(ParseResult pr, String option) {
        for (ParseResult p = pr; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption(option)) {
                return true;
            }
        }
        return false;
    }
}
