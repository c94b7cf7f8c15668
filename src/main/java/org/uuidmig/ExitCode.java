package org.uuidmig;

/**
 * The exit codes of every uuidmig command. They are a contract with scripts and CI jobs:
 * listed in {@code --help} (see {@link #HELP_LINES}) and in the README.
 */
public final class ExitCode {
    /** Everything asked for was done; every check passed (warnings allowed unless --strict). */
    public static final int OK = 0;
    /**
     * A check failed, or the migration was refused because a blocking check failed, or another migrate/rollback
     * holds the database's run lock. Nothing was changed by a refusal.
     */
    public static final int CHECKS_FAILED = 1;
    /** Bad command line, or the database could not be reached (host, port, database, credentials). */
    public static final int USAGE_OR_CONNECTION = 2;
    /** An unexpected error: a bug, or a database error uuidmig did not anticipate. Rerun with --verbose. */
    public static final int UNEXPECTED = 3;
    /**
     * The migration stopped before it finished (locks not granted within the retry schedule, connection lost, or
     * interrupted by SIGINT/SIGTERM, see {@link org.uuidmig.db.RunLock}); rerunning continues it.
     */
    public static final int INCOMPLETE = 4;

    /** The exit-code table as shown at the foot of {@code --help}. */
    public static final String[] HELP_LINES = {
        "%nExit codes:",
        "  0  success: done, every check passed",
        "  1  checks failed, or migration refused (nothing was changed); also when",
        "     another migrate or rollback is already running on the database",
        "  2  usage error, or cannot connect (host, port, database, credentials)",
        "  3  unexpected error (rerun with --verbose for the stack trace)",
        "  4  incomplete: stopped before finishing (locks not granted, connection",
        "     lost, or interrupted by Ctrl-C/SIGTERM); rerun to continue",
    };

    private ExitCode() {
    }
}
