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
 * @param health               the active run's last health sample (uuidmig.health), or null when no run is active or it has
 *                             not sampled yet
 */
public record StatusReport(String database, String schema, String stage, String summary, boolean migratedWithoutState,
                           List<Column> columns, FlywayRow flyway, String alembicVersion, Control control, Health health) {

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
     * @param step           the last step it completed (a step id, as the state records it), or "not started"
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

    /**
     * The last health sample of the run active on the schema (docs/metrics.md).
     *
     * @param command    the run that sampled it ("migrate", "rollback")
     * @param sampledAt  when (ISO-8601, UTC)
     * @param secondsAgo how long before this status
     * @param overBound  "none", or the signals over their bound ("replica lag 12 s > 10 s; ...")
     * @param signals    each signal, in a fixed order: latency, replica_lag, slot_wal, wraparound_vacuum, long_transaction
     */
    public record Health(String command, String sampledAt, double secondsAgo, String overBound, List<HealthSignal> signals) {
    }

    /**
     * One health signal as sampled.
     *
     * @param signal      its name: latency, replica_lag, slot_wal, wraparound_vacuum, long_transaction
     * @param over        whether it was over its bound
     * @param value       its value (a factor of the baseline, seconds, bytes or a count), or null when there was nothing to
     *                    measure or it could not be read
     * @param bound       its bound, in the same unit
     * @param detail      what the value is about, or null
     * @param unavailable why it could not be read, or null
     * @param text        the line status prints for it
     */
    public record HealthSignal(String signal, boolean over, Double value, double bound, String detail, String unavailable,
                               String text) {
    }

    /** A control event: when (ISO-8601 with offset) and what. */
    public record Event(String at, String message) {
    }
}
