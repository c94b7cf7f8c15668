package org.uuidmig.plan;

import com.fasterxml.jackson.annotation.JsonProperty;

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
 *
 * The state (uuidmig.users.original) keeps it as JSON under the names it had before the keys were called source and
 * target (oldKey, newKey, ...), so that a run an older uuidmig recorded resumes, and scripts/post_migration_validation.sql
 * reads the same keys.
 */
public record UsersTable(long oid, String schema, String name,
                         @JsonProperty("oldKey") String sourceKey,
                         @JsonProperty("oldKeyType") String sourceKeyType,
                         @JsonProperty("newKey") String targetKey,
                         @JsonProperty("newKeyType") String targetKeyType,
                         @JsonProperty("newKeyNotNull") boolean targetKeyNotNull,
                         @JsonProperty("newKeyUniqueIndex") String targetKeyUniqueIndex,
                         long estimatedRows) {

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
