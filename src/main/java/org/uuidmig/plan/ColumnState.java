package org.uuidmig.plan;

/** What the catalog says about a planned column before anything is done. */
public enum ColumnState {
    /** smallint, integer or bigint: to be converted. */
    INTEGER,
    /** already uuid and referencing users(uuid): nothing to do. */
    ALREADY_UUID,
    /** the table does not exist in the schema. */
    MISSING_TABLE,
    /** the table exists, the column does not. */
    MISSING_COLUMN,
    /** the column has another type (text, numeric, uuid without FK...). */
    WRONG_TYPE
}
