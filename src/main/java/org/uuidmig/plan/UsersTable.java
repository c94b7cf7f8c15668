package org.uuidmig.plan;

/**
 * The referenced users table, seen in one direction: the columns move from its source key to its target key
 * (the --old-key id to the --new-key uuid in migrate; the other way round in a rollback after the swap, see
 * steps.Reverse).
 *
 * @param oid                  pg_class oid, 0 when the table is missing
 * @param schema               schema
 * @param name                 table name
 * @param sourceKey            the key the columns reference now
 * @param sourceKeyType        its type, null when missing
 * @param targetKey            the key they are to reference
 * @param targetKeyType        its type, null when missing
 * @param targetKeyNotNull     the target key is NOT NULL
 * @param targetKeyUniqueIndex name of a valid, non-partial, single-column unique index on the target key, or null
 * @param estimatedRows        reltuples
 */
public record UsersTable(long oid, String schema, String name, String sourceKey, String sourceKeyType, String targetKey,
                         String targetKeyType, boolean targetKeyNotNull, String targetKeyUniqueIndex, long estimatedRows) {

    public boolean exists() {
        return oid != 0;
    }

    boolean isSourceKeyReference(ForeignKey fk) {
        return fk.refSchema().equals(schema) && fk.refTable().equals(name)
            && fk.refColumns().size() == 1 && fk.refColumns().get(0).equals(sourceKey);
    }

    public boolean isTargetKeyReference(ForeignKey fk) {
        return fk.refSchema().equals(schema) && fk.refTable().equals(name)
            && fk.refColumns().size() == 1 && fk.refColumns().get(0).equals(targetKey);
    }
}
