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
 * @param control              the live control of the schema's runs (uuidmig.control), the run active now, the last control events
 */
public record StatusReport(String database, String schema, String stage, String summary, boolean migratedWithoutState,
                           List<Column> columns, FlywayRow flyway, String alembicVersion, Control control) {

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

    /**
     * The schema's row of uuidmig.control (docs/control.md) and what goes with it.
     *
     * @param paused       a run starts no new backfill batch or step
     * @param swapHeld     a run waits before the swap
     * @param jobs         override of --jobs, or null (the run's option)
     * @param maxBatchTime override of --max-batch-time ("50ms"), or null
     * @param batchDelay   override of --batch-delay, or null
     * @param changedAt    when the row last changed (ISO-8601 with offset), or null without a row
     * @param changedBy    the role that changed it, or null
     * @param activeRun    the migrate or rollback running on the database now (the run lock's holder), or null
     * @param events       the last control events of the schema, oldest first: what operators asked for ("requested: ...")
     *                     and when a run applied it ("applied: ...", "waiting before the swap of ...")
     */
    public record Control(boolean paused, boolean swapHeld, Integer jobs, String maxBatchTime, String batchDelay, String changedAt,
                          String changedBy, String activeRun, List<Event> events) {
        /** "paused, swap held, jobs=1, max-batch-time=50ms", or "not paused, swap not held, no overrides". */
        public String describe() {
            List<String> overrides = new java.util.ArrayList<>();
            if (jobs != null) {
                overrides.add("jobs=" + jobs);
            }
            if (maxBatchTime != null) {
                overrides.add("max-batch-time=" + maxBatchTime);
            }
            if (batchDelay != null) {
                overrides.add("batch-delay=" + batchDelay);
            }
            return (paused ? "paused" : "not paused") + ", " + (swapHeld ? "swap held" : "swap not held") + ", "
                + (overrides.isEmpty() ? "no overrides" : String.join(", ", overrides));
        }
    }

    /** A control event: when (ISO-8601 with offset) and what. */
    public record Event(String at, String message) {
    }
}
