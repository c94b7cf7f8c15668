package org.uuidmig.step;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.uuidmig.plan.ForeignKey;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.plan.TableInfo;
import org.uuidmig.plan.UsersTable;

/**
 * The migration seen backwards, for a rollback after the swap: users with its keys exchanged
 * (from uuid to id), and each column as it is now (uuid, its key types with uuid where the
 * column is part of the table's key) carrying the definition to restore (original type,
 * nullability, FK actions, indexes, comment, grants). With these, the forward steps' SQL
 * (sync function, backfill, index copies, NOT NULL check, FK, verify, swap) runs in reverse.
 *
 * The reverse run keeps its progress in the same state tables, which it resets once when it
 * starts; the forward record is copied to uuidmig.forward_columns / forward_tables first, and
 * the table uuidmig.rollback marks the state as a rollback's, so a rerun resumes the rollback
 * and migrate refuses to run.
 */
public final class Reverse {
    public static final String MARKER = "uuidmig.rollback";

    private Reverse() {
    }

    /** users with oldKey and newKey exchanged: the "old" key is now uuid, the "new" one id (its PK, unique and NOT NULL). */
    public static UsersTable users(UsersTable u) {
        return new UsersTable(u.oid(), u.schema(), u.name(), u.newKey(), u.newKeyType(), u.oldKey(), u.oldKeyType(), true,
            u.oldKey(), u.estimatedRows());
    }

    /** The column as it is after the swap, with what to restore; see the class comment. */
    public static PlannedColumn column(PlannedColumn original, UsersTable users, List<PlannedColumn> all) {
        List<ForeignKey> fks = new ArrayList<>();
        ForeignKey fk = original.userForeignKey(users);
        if (fk != null) {
            fks.add(new ForeignKey(fk.name(), fk.columns(), fk.refSchema(), fk.refTable(), List.of(users.newKey()), fk.onUpdate(),
                fk.onDelete(), fk.matchType(), fk.deferrable(), fk.deferred(), fk.validated()));
        }
        TableInfo t = original.table();
        List<String> keyTypes = new ArrayList<>(t.keyTypes());
        for (int i = 0; i < t.keyColumns().size(); i++) {
            String k = t.keyColumns().get(i);
            if (all.stream().anyMatch(c -> c.ref().table().equals(t.name()) && c.ref().column().equals(k))) {
                keyTypes.set(i, "uuid");
            }
        }
        TableInfo rt = new TableInfo(t.oid(), t.schema(), t.name(), t.relkind(), t.partitionOrInherited(), t.owner(),
            t.keyColumns(), keyTypes, t.estimatedRows(), t.tableBytes());
        return new PlannedColumn(original.ref(), original.state(), rt, original.attnum(), original.type(), original.notNull(),
            original.defaultExpr(), original.comment(), original.grants(), fks, original.indexes(), original.dependents());
    }

    public static List<PlannedColumn> columns(List<PlannedColumn> originals, UsersTable users) {
        return originals.stream().map(c -> column(c, users, originals)).toList();
    }

    /** Whether the original column had an FK to users(id), which the rollback restores (else it adds none). */
    static boolean hasForeignKey(PlannedColumn reverse) {
        return !reverse.foreignKeys().isEmpty();
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
