package org.uuidmig.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import org.uuidmig.catalog.Catalog;

/**
 * The table uuidmig.rollback, which marks the state as a rollback's: a rerun resumes the rollback and migrate
 * refuses to run. {@link #begin} keeps the forward record and resets the progress for the reverse run.
 */
public final class RollbackMarker {
    public static final String MARKER = "uuidmig.rollback";

    private RollbackMarker() {
    }

    /** Whether a rollback (of any schema) is under way in this database. */
    public static boolean started(Connection c) throws SQLException {
        return Catalog.exists(c, "SELECT 1 WHERE to_regclass('uuidmig.rollback') IS NOT NULL");
    }

    /** Whether a rollback of the application schema {@code schema} is under way. */
    public static boolean startedFor(Connection c, String schema) throws SQLException {
        if (!started(c)) {
            return false;
        }
        String s = schema(c);
        return s == null || s.equals(schema); // a marker without a schema was written by a uuidmig that kept one schema's state
    }

    /** The application schema whose rollback is under way, or null (none, or a marker from before markers named it). */
    static String schema(Connection c) throws SQLException {
        if (!started(c)) {
            return null;
        }
        try (var st = c.createStatement();
             var rs = st.executeQuery("SELECT pg_catalog.to_jsonb(r) ->> 'table_schema' FROM uuidmig.rollback r LIMIT 1")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /**
     * Once: keeps the forward record of {@code schema}, resets its per-column and per-table progress
     * for the reverse run, empties its ledger, and writes the marker naming the schema, in one
     * transaction; the record of other schemas is left as it is. Recreates
     * the ledger functions (migrate's clean-up dropped them).
     */
    public static void begin(Connection c, String schema) throws SQLException {
        StateStore.ensure(c);
        if (started(c)) {
            return;
        }
        Catalog.inTransaction(c, false, () -> {
            for (String sql : List.of(
                "CREATE TABLE uuidmig.forward_columns AS TABLE uuidmig.columns WITH NO DATA",
                "INSERT INTO uuidmig.forward_columns SELECT * FROM uuidmig.columns WHERE table_schema = ?",
                "CREATE TABLE uuidmig.forward_tables AS TABLE uuidmig.tables WITH NO DATA",
                "INSERT INTO uuidmig.forward_tables SELECT * FROM uuidmig.tables WHERE table_schema = ?",
                """
                UPDATE uuidmig.columns SET step = 'planned', backfill_last_key = NULL, backfill_ranges = NULL, backfill_rows = 0, backfill_done = false,
                       updated_at = now() WHERE table_schema = ?""",
                """
                UPDATE uuidmig.tables SET base_rows = NULL, counted_at = NULL, verified_rows = NULL, mismatches = NULL,
                       verified_at = NULL, end_rows = NULL, ledger_inserted = NULL, ledger_deleted = NULL, swapped_at = NULL,
                       stat_ins_at_end = NULL, stat_del_at_end = NULL, rechecked_rows = NULL WHERE table_schema = ?""",
                "DELETE FROM uuidmig.row_ledger WHERE table_schema = ?",
                "DELETE FROM uuidmig.recheck WHERE table_schema = ?",
                "CREATE TABLE uuidmig.rollback (direction text NOT NULL, started_at timestamptz NOT NULL DEFAULT now(), table_schema text)",
                "INSERT INTO uuidmig.rollback (direction, table_schema) VALUES ('uuid_to_integer', ?)")) {
                try (var ps = c.prepareStatement(sql)) {
                    if (sql.contains("?")) {
                        ps.setString(1, schema);
                    }
                    ps.execute();
                }
            }
        });
    }
}
