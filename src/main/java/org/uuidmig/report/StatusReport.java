package org.uuidmig.report;

import java.util.List;

/**
 * Where a database stands with the migration, as {@code uuidmig status} reports it.
 *
 * @param database             "host:port/database"
 * @param schema               the application's schema
 * @param stage                one of {@link Stage}, as its JSON name
 * @param summary              one line for people
 * @param migratedWithoutState true when the columns (or Flyway's history) say migrated but uuidmig has no state for it
 * @param columns              the planned columns (from uuidmig's state when there is one, else from the plan)
 * @param flyway               Flyway's history row for our version (recorded = false when there is none)
 * @param alembicVersion       alembic_version.version_num (comma-separated if several; empty without a row), or null without that table
 */
public record StatusReport(String database, String schema, String stage, String summary, boolean migratedWithoutState,
                           List<Column> columns, FlywayRow flyway, String alembicVersion) {

    /** Overall stages. */
    public enum Stage {
        NOT_STARTED("not_started", "not started"),
        IN_PROGRESS("in_progress", "in progress"),
        EXPANDED("expanded", "expanded"),
        SWAPPED("swapped", "swapped"),
        DONE("done", "done"),
        MIGRATED_WITHOUT_STATE("migrated_without_state", "migrated without uuidmig's state"),
        ROLLED_BACK("rolled_back", "rolled back"),
        UNKNOWN("unknown", "unknown");

        private final String json;
        private final String text;

        Stage(String json, String text) {
            this.json = json;
            this.text = text;
        }

        public String json() {
            return json;
        }

        public String text() {
            return text;
        }

        public static Stage ofJson(String json) {
            for (Stage s : values()) {
                if (s.json.equals(json)) {
                    return s;
                }
            }
            throw new IllegalArgumentException(json);
        }
    }

    /**
     * One planned column.
     *
     * @param table          table name
     * @param column         column name
     * @param type           its type now (null when the column is missing)
     * @param step           the last step it completed (a {@code Steps} id), or "not started"
     * @param backfilledRows rows the backfill has written so far (null before any state)
     * @param baseRows       the table's row count recorded before the backfill (null before it was counted)
     * @param backfillPercent backfilledRows of baseRows, 0..100 (100 once the backfill finished; null when unknown)
     * @param backfillDone   whether the backfill finished
     * @param syncTrigger    whether the trigger that keeps the uuid column in sync is in place
     */
    public record Column(String table, String column, String type, String step, Long backfilledRows, Long baseRows,
                         Integer backfillPercent, boolean backfillDone, boolean syncTrigger) {
    }

    /**
     * Flyway's history row for version 2025.12.04.2215 (the latest one, should there be several).
     *
     * @param table       the history table, schema-qualified
     * @param version     the version
     * @param recorded    whether the table exists and has a row for the version; the other fields are null when not
     * @param description its description
     * @param success     whether it succeeded
     * @param installedOn when it was installed (the server's local time, ISO-8601)
     */
    public record FlywayRow(String table, String version, boolean recorded, String description, Boolean success,
                            String installedOn) {
    }
}
