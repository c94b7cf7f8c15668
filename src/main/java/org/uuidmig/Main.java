package org.uuidmig;

import java.io.PrintWriter;

import org.uuidmig.cli.LogOptions;
import org.uuidmig.cli.UuidmigCommand;
import org.uuidmig.report.LiveConsole;
import org.uuidmig.report.Tty;

import picocli.CommandLine;

/** Entry point: {@code System.exit(Main.commandLine(out, err).execute(args))}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // before anything logs: slf4j-simple reads its settings once
        LogOptions.configure(args, Tty.isTerminal(2));
        // stderr on a terminal: log lines and messages go above the progress display, never into it
        LiveConsole.install();
        org.uuidmig.db.RunLock.beforeInterruptLine(LiveConsole::stopCurrent);
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(commandLine(out, err).execute(args));
    }

    /** The configured command line, writing to the given streams; tests call this directly. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return UuidmigCommand.commandLine(out, err);
    }
}
