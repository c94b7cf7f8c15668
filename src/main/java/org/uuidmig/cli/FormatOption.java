package org.uuidmig.cli;

import picocli.CommandLine.Option;

/** --format for the commands whose only output option it is (plan, migrate, rollback, status, and the live-control commands). */
public class FormatOption {
    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
        description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). json prints one JSON object on "
            + "stdout, also for every error (docs/json.md); progress and log lines go to stderr.")
    OutputOptions.Format format;
}
