package org.uuidmig.cli;

import java.util.ArrayList;
import java.util.List;

import org.uuidmig.config.ColumnRef;
import org.uuidmig.config.PlanSettings;

import picocli.CommandLine.Option;

/** Which columns to convert: shared by every command, so they all see the same plan. */
public class PlanOptions {
    @Option(names = "--column", paramLabel = "TABLE.COLUMN",
        description = "A user reference to convert (repeatable). Replaces the default list of nine.")
    List<String> columns = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "TABLE.COLUMN", description = "Leave this column out of the plan (repeatable).")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--discover", description = "Also convert every column with a foreign key to the users table's old key.")
    boolean discover;

    @Option(names = "--users-table", paramLabel = "TABLE", defaultValue = "users",
        description = "The referenced table (default: ${DEFAULT-VALUE}).")
    String usersTable;

    @Option(names = "--old-key", paramLabel = "COLUMN", defaultValue = "id",
        description = "Its integer key (default: ${DEFAULT-VALUE}).")
    String oldKey;

    @Option(names = "--new-key", paramLabel = "COLUMN", defaultValue = "uuid",
        description = "Its uuid key (default: ${DEFAULT-VALUE}).")
    String newKey;

    public PlanSettings settings(String schema) {
        return new PlanSettings(schema, usersTable, oldKey, newKey,
            columns.stream().map(ColumnRef::parse).toList(), excludes.stream().map(ColumnRef::parse).toList(), discover);
    }
}
