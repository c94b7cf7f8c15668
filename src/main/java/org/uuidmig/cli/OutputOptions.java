package org.uuidmig.cli;

import picocli.CommandLine.Option;

/** How a report is written. */
public class OutputOptions {
    /** Report formats. */
    public enum Format { text, json }

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
        description = "Report format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). json prints one JSON object on "
            + "stdout, also for every error (docs/json.md).")
    Format format;

    @Option(names = "--strict", description = "Treat warnings as failures (exit 1).")
    boolean strict;

    /** Writes the report in the chosen format; returns the exit code it implies. */
    int write(org.uuidmig.report.CheckReport report, java.io.PrintWriter out) {
        if (format == Format.json) {
            org.uuidmig.report.ReportWriter.json(report, out, strict);
        } else {
            org.uuidmig.report.ReportWriter.text(report, out, strict);
        }
        return report.exitCode(strict);
    }
}
