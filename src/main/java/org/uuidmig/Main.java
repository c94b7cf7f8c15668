package org.uuidmig;

import java.io.PrintWriter;
import java.util.Arrays;

import org.uuidmig.cli.UuidmigCommand;

import picocli.CommandLine;

/** Entry point: {@code System.exit(Main.commandLine(out, err).execute(args))}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("--verbose")) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "debug");
            System.setProperty("org.slf4j.simpleLogger.log.org.flywaydb", "info");
        }
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(commandLine(out, err).execute(args));
    }

    /** The configured command line, writing to the given streams; tests call this directly. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return UuidmigCommand.commandLine(out, err);
    }
}
