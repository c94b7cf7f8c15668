package org.uuidmig.service;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.db.Database;
import org.uuidmig.db.RunLock;
import org.uuidmig.db.Sql;
import org.uuidmig.engine.RollbackMarker;
import org.uuidmig.engine.StateStore;
import org.uuidmig.engine.StepIds;
import org.uuidmig.flyway.FlywayRunner;
import org.uuidmig.steps.RollbackSteps;
import org.uuidmig.flyway.HistoryTable;

/**
 * cleanup: after a finished migration, removes what uuidmig keeps (issue 16 item 6): its state in schema uuidmig
 * (only this schema's record when others are recorded too) and Flyway's history of the schema,
 * {@code uuidmig_history.<schema>} (with schema uuidmig_history once no other schema's history is left in it), and the
 * history table an older uuidmig kept in the application's schema, {@code <schema>.uuidmig_schema_history}. Refuses while a migration or rollback of the schema is unfinished, and takes the run
 * lock, so it never runs beside one. After it, validate-post has nothing to read and rollback nothing to restore
 * from: the confirmation says so.
 */
public final class CleanupService {
    /** What cleanup found, did or refused. */
    public record Result(boolean removed, List<String> objects, String message) {
    }

    private CleanupService() {
    }

    /**
     * @param confirm asked with the list of what would go; cleanup goes ahead only when it answers true
     */
    public static Result run(Database db, String schema, Predicate<List<String>> confirm) {
        try (RunLock lock = RunLock.acquire(db, "cleanup", () -> "cleanup of schema " + schema);
             Connection c = db.connectToPrimary("cleanup")) {
            if (RollbackMarker.startedFor(c, schema)) {
                throw new UuidmigException(ExitCode.CHECKS_FAILED, "cleanup refused: a rollback of schema " + schema
                    + " is under way; finish it with uuidmig rollback (it removes uuidmig's state itself). Nothing was changed");
            }
            List<StateStore.ColumnRow> state = StateStore.exists(c) ? StateStore.columns(c, schema) : List.of();
            List<String> unfinished = state.stream().filter(r -> !r.step().equals(StepIds.DONE))
                .map(r -> r.table() + "." + r.column() + " at step " + r.step()).toList();
            if (!unfinished.isEmpty()) {
                throw new UuidmigException(ExitCode.CHECKS_FAILED, "cleanup refused: the migration of schema " + schema
                    + " is not finished (" + String.join("; ", unfinished) + "); finish it with uuidmig migrate, or undo it with "
                    + "uuidmig rollback. Nothing was changed");
            }
            List<String> objects = new ArrayList<>();
            boolean others = StateStore.exists(c) && !StateStore.otherSchemas(c, schema).isEmpty();
            if (!state.isEmpty()) {
                objects.add(others ? "the record of schema " + schema + " in schema " + StateStore.SCHEMA
                    + " (the schema stays: it records other schemas too)" : "schema " + StateStore.SCHEMA + " (uuidmig's state and functions)");
            }
            List<HistoryTable> histories = new ArrayList<>();
            for (HistoryTable h : List.of(HistoryTable.of(schema), HistoryTable.legacy(schema))) {
                if (h.exists(c)) {
                    histories.add(h);
                    objects.add("table " + h.qualified() + " (Flyway's record of uuidmig's migration)");
                }
            }
            boolean dropHistorySchema = HistoryTable.schemaExists(c) && StateStore.foreignReason(c, HistoryTable.SCHEMA) == null
                && onlyHistoryOf(c, schema);
            if (dropHistorySchema) {
                objects.add("schema " + HistoryTable.SCHEMA + " (then empty)");
            }
            if (objects.isEmpty()) {
                return new Result(false, objects, "Nothing to clean up: no uuidmig state or history for schema " + schema + ".");
            }
            if (!confirm.test(objects)) {
                return new Result(false, objects, "Cleanup cancelled; nothing was changed.");
            }
            if (!state.isEmpty()) {
                StateStore.requireOwn(c); // never CASCADE a schema uuidmig did not create
                RollbackSteps.dropState(c, schema, "cleanup");
            }
            try (var st = c.createStatement()) {
                for (HistoryTable h : histories) {
                    st.execute("DROP TABLE IF EXISTS " + h.qualified());
                }
                if (dropHistorySchema && HistoryTable.schemaEmpty(c)) {
                    // RESTRICT: never anything but an empty schema
                    st.execute("DROP SCHEMA IF EXISTS " + Sql.ident(HistoryTable.SCHEMA) + " RESTRICT");
                }
            }
            return new Result(true, objects, "Removed: " + String.join("; ", objects) + ".");
        } catch (SQLException e) {
            throw new UuidmigException(ExitCode.UNEXPECTED, "cleanup: " + e.getMessage(), e);
        }
    }

    /** Whether schema uuidmig_history holds nothing but the history table of {@code schema} (or nothing at all). */
    private static boolean onlyHistoryOf(Connection c, String schema) throws SQLException {
        try (var ps = c.prepareStatement("""
            SELECT NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class k WHERE k.relnamespace = n.oid AND k.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                                  AND k.relname <> ?)
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p WHERE p.pronamespace = n.oid)
              FROM pg_catalog.pg_namespace n WHERE n.nspname = ?""")) {
            ps.setString(1, HistoryTable.tableFor(schema));
            ps.setString(2, HistoryTable.SCHEMA);
            try (var rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }
}
