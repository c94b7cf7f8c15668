package org.uuidmig.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.config.ColumnRef;
import org.uuidmig.config.PlanFile;
import org.uuidmig.config.PlanSettings;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * Which columns to convert: shared by every command that reads the plan, so they all see the same plan. Either the
 * inline options (the default nine, --column, --exclude, --discover, the users table and keys) or a plan file
 * (--plan), never both: the plan file holds the whole plan, so that the CI job and the operator run the same one.
 */
public class PlanOptions {
    /** The inline plan options, which --plan refuses beside it. */
    static final List<String> INLINE = List.of("--column", "--exclude", "--discover", "--users-table", "--old-key", "--new-key");

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--plan", paramLabel = "FILE",
        description = "A plan file (JSON: schema, users table and keys, columns; docs/plan-file.md), e.g. one kept in the "
            + "application's repository; uuidmig plan --write-plan FILE writes one. Not with --column, --exclude, --discover, "
            + "--users-table, --old-key or --new-key. Its schema is --schema's.")
    Path planPath;

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

    private PlanFile loaded;

    /**
     * The plan file, read and checked once (exit 2 for a missing or bad file, or inline plan options beside it), or null
     * without --plan.
     */
    public PlanFile planFile() {
        if (planPath == null) {
            return null;
        }
        if (loaded == null) {
            ParseResult pr = mixee == null ? null : mixee.commandLine().getParseResult();
            List<String> inline = pr == null ? List.of() : INLINE.stream().filter(pr::hasMatchedOption).toList();
            if (!inline.isEmpty()) {
                throw new UuidmigException(ExitCode.USAGE_OR_CONNECTION, "--plan " + planPath + " cannot be combined with "
                    + String.join(", ", inline) + ": the plan file holds the whole plan (columns, users table and keys); "
                    + "edit the file, or leave --plan out");
            }
            loaded = PlanFile.read(planPath);
        }
        return loaded;
    }

    public PlanSettings settings(String schema) {
        PlanFile file = planFile();
        if (file != null) {
            return file.settings(schema);
        }
        return new PlanSettings(schema, usersTable, oldKey, newKey,
            columns.stream().map(ColumnRef::parse).toList(), excludes.stream().map(ColumnRef::parse).toList(), discover);
    }
}
