package org.uuidmig.plan;

/**
 * The referenced users table.
 *
 * @param oid            pg_class oid, 0 when the table is missing
 * @param schema         schema
 * @param name           table name
 * @param oldKey         integer key column name
 * @param oldKeyType     its type, null when missing
 * @param newKey         uuid key column name
 * @param newKeyType     its type, null when missing
 * @param newKeyNotNull  the uuid column is NOT NULL
 * @param newKeyUniqueIndex name of a valid, non-partial, single-column unique index on the uuid column, or null
 * @param estimatedRows  reltuples
 */
public record UsersTable(long oid, String schema, String name, String oldKey, String oldKeyType, String newKey,
                         String newKeyType, boolean newKeyNotNull, String newKeyUniqueIndex, long estimatedRows) {

    public boolean exists() {
        return oid != 0;
    }

    boolean isOldKeyReference(ForeignKey fk) {
        return fk.refSchema().equals(schema) && fk.refTable().equals(name)
            && fk.refColumns().size() == 1 && fk.refColumns().get(0).equals(oldKey);
    }

    public boolean isNewKeyReference(ForeignKey fk) {
        return fk.refSchema().equals(schema) && fk.refTable().equals(name)
            && fk.refColumns().size() == 1 && fk.refColumns().get(0).equals(newKey);
    }
}
