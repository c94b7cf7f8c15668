package org.uuidmig.config;

import java.util.ArrayList;
import java.util.List;

/**
 * What to convert, as asked for on the command line or in a plan file, before the catalog is read.
 *
 * @param schema     schema of the application's tables
 * @param usersTable the referenced table (default users)
 * @param oldKey     its integer key (default id)
 * @param newKey     its uuid key (default uuid)
 * @param columns    the columns to convert; empty means the default nine
 * @param excludes   columns to leave out
 * @param discover   also take every column with a foreign key to usersTable(oldKey)
 * @param planFile   the plan file (--plan) these settings come from, as given, or null when they come from the options
 */
public record PlanSettings(String schema, String usersTable, String oldKey, String newKey,
                           List<ColumnRef> columns, List<ColumnRef> excludes, boolean discover, String planFile) {

    /** The user references named by the migration guide. */
    public static final List<ColumnRef> DEFAULT_COLUMNS = List.of(
        new ColumnRef("chat_messages", "sender_id"),
        new ColumnRef("message_read_states", "user_id"),
        new ColumnRef("chat_read_monitors", "user_id"),
        new ColumnRef("user_sessions", "user_id"),
        new ColumnRef("service_requests", "requester_id"),
        new ColumnRef("user_roles", "user_id"),
        new ColumnRef("user_request_assigns", "user_id"),
        new ColumnRef("region_user_assigns", "user_id"),
        new ColumnRef("service_request_notes", "created_by"));

    public PlanSettings(String schema, String usersTable, String oldKey, String newKey, List<ColumnRef> columns,
                        List<ColumnRef> excludes, boolean discover) {
        this(schema, usersTable, oldKey, newKey, columns, excludes, discover, null);
    }

    public static PlanSettings defaults(String schema) {
        return new PlanSettings(schema, "users", "id", "uuid", List.of(), List.of(), false);
    }

    /** The columns asked for, before discovery and exclusion. */
    public List<ColumnRef> requestedColumns() {
        return columns.isEmpty() ? DEFAULT_COLUMNS : columns;
    }

    /** Whether the plan is the migration guide's default list (no --column, no plan file). */
    public boolean defaultColumns() {
        return columns.isEmpty() && planFile == null;
    }

    // How to change the plan, as the fix of a check says it: with options, or in the plan file when there is one.

    /** How to leave one column out of the plan. */
    public String howToLeaveOut(ColumnRef ref) {
        return planFile == null ? "leave it out with --exclude " + Shell.quote(ref.toString())
            : "leave it out: remove \"" + ref + "\" from \"columns\" in the plan file " + planFile;
    }

    /** How to add columns to the plan. */
    public String howToAdd() {
        return planFile == null ? "add them with --column or --discover" : "add them to \"columns\" in the plan file " + planFile;
    }

    /** How to name the users table and its keys. */
    public String howToNameUsers(String what) {
        return planFile == null ? "name " + what + " with --users-table, --old-key and --new-key (and --schema)"
            : "name " + what + " with \"usersTable\", \"oldKey\" and \"newKey\" (and \"schema\") in the plan file " + planFile;
    }

    /**
     * The plan options that ask for this plan with {@code replaced} planned in place of {@code missing} (at its position),
     * as a command line's words: the columns as --column (which replaces the default list, so every column is named),
     * then --exclude (only with --discover: otherwise they are left out of the list), --discover, and the users table and
     * keys when they are not the defaults. Null with a plan file: the file is edited instead.
     */
    public List<String> argumentsReplacing(ColumnRef missing, ColumnRef replaced) {
        if (planFile != null) {
            return null;
        }
        List<String> args = new ArrayList<>();
        for (ColumnRef c : requestedColumns()) {
            ColumnRef use = c.equals(missing) ? replaced : c;
            if (!discover && excludes.contains(use)) {
                continue;
            }
            args.add("--column");
            args.add(use.toString());
        }
        if (discover) {
            for (ColumnRef e : excludes) {
                args.add("--exclude");
                args.add(e.toString());
            }
            args.add("--discover");
        }
        if (!usersTable.equals("users")) {
            args.add("--users-table");
            args.add(usersTable);
        }
        if (!oldKey.equals("id")) {
            args.add("--old-key");
            args.add(oldKey);
        }
        if (!newKey.equals("uuid")) {
            args.add("--new-key");
            args.add(newKey);
        }
        return args;
    }

    /** Quoting for a POSIX shell, for the command lines a fix prints. */
    public static final class Shell {
        private Shell() {
        }

        /** The word as typed in a shell: unchanged when it is safe, else in single quotes. */
        public static String quote(String word) {
            return word.matches("[A-Za-z0-9_.,/:=@%+-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
        }

        /** The words joined by spaces, each quoted as needed. */
        public static String join(List<String> words) {
            return String.join(" ", words.stream().map(Shell::quote).toList());
        }
    }
}
