package org.uuidmig.cli;

import picocli.CommandLine.Option;

/** How a report is written. */
public class OutputOptions {
    /** Report formats. */
    public enum Format { text, json }

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
        description = "Report format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--strict", description = "Treat warnings as failures (exit 1).")
    boolean strict;
}
