package org.uuidmig.config;

import java.util.List;

/**
 * What to convert, as asked for on the command line, before the catalog is read.
 *
 * @param schema     schema of the application's tables
 * @param usersTable the referenced table (default users)
 * @param oldKey     its integer key (default id)
 * @param newKey     its uuid key (default uuid)
 * @param columns    the columns to convert; empty means the default nine
 * @param excludes   columns to leave out
 * @param discover   also take every column with a foreign key to usersTable(oldKey)
 */
public record PlanSettings(String schema, String usersTable, String oldKey, String newKey,
                           List<ColumnRef> columns, List<ColumnRef> excludes, boolean discover) {

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

    public static PlanSettings defaults(String schema) {
        return new PlanSettings(schema, "users", "id", "uuid", List.of(), List.of(), false);
    }

    /** The columns asked for, before discovery and exclusion. */
    public List<ColumnRef> requestedColumns() {
        return columns.isEmpty() ? DEFAULT_COLUMNS : columns;
    }
}
