package org.uuidmig.plan;

import java.util.List;

import org.uuidmig.config.ColumnRef;

/**
 * One user reference to convert, with everything attached to it that the migration must carry
 * across. Built by the catalog reader (org.uuidmig.catalog); immutable.
 *
 * @param ref        table.column as asked for
 * @param state      what the catalog says about it
 * @param table      the table, or null when it does not exist
 * @param attnum     the column's number, 0 when missing
 * @param type       format_type of the column, null when missing
 * @param notNull    attnotnull
 * @param defaultExpr the column default, or null
 * @param comment    the column comment, or null
 * @param grants     column-level privileges
 * @param foreignKeys FKs whose columns include this one
 * @param indexes    indexes involving the column
 * @param dependents objects the migration cannot carry across
 */
public record PlannedColumn(ColumnRef ref, ColumnState state, TableInfo table, int attnum, String type,
                            boolean notNull, String defaultExpr, String comment, List<ColumnGrant> grants,
                            List<ForeignKey> foreignKeys, List<IndexInfo> indexes, List<Dependent> dependents) {

    /** The column as SQL: "schema"."table"."column". */
    public String displayName() {
        return (table == null ? "" : table.schema() + ".") + ref;
    }

    /** The FK to users(old key) that the migration replaces, or null when there is none. */
    public ForeignKey userForeignKey(UsersTable users) {
        for (ForeignKey fk : foreignKeys) {
            if (fk.columns().size() == 1 && users.isSourceKeyReference(fk)) {
                return fk;
            }
        }
        return null;
    }
}
