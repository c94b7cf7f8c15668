package org.uuidmig.config;

/** The command a run of the steps belongs to: what its sessions are called and what to rerun to continue it. */
public enum RunCommand {
    MIGRATE("migrate"),
    ROLLBACK("rollback");

    private final String word;

    RunCommand(String word) {
        this.word = word;
    }

    /** The subcommand: "migrate", "rollback" (also the application_name suffix of its sessions). */
    public String word() {
        return word;
    }

    /** The command line to rerun to continue: "uuidmig migrate", "uuidmig rollback". */
    public String commandLine() {
        return "uuidmig " + word;
    }
}
