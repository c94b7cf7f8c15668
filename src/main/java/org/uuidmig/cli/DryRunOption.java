package org.uuidmig.cli;

import picocli.CommandLine.Option;

/** --dry-run, for migrate and rollback (plan is one). */
public class DryRunOption {
    @Option(names = "--dry-run", description = "Print the plan and every statement, in order, with the lock each takes; change nothing.")
    boolean dryRun;
}
