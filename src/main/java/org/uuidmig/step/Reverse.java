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

    public static boolean started(Connection c) throws SQLException {
        return Catalog.exists(c, "SELECT 1 WHERE to_regclass('uuidmig.rollback') IS NOT NULL");
    }

    /**
     * Once: keeps the forward record, resets the per-column and per-table progress for the
     * reverse run, empties the ledger, and writes the marker, in one transaction. Recreates
     * the ledger functions (migrate's clean-up dropped them).
     */
    public static void begin(Connection c) throws SQLException {
        StateStore.ensure(c);
        if (started(c)) {
            return;
        }
        c.setAutoCommit(false);
        try {
            Catalog.exec(c, """
                CREATE TABLE uuidmig.forward_columns AS TABLE uuidmig.columns;
                CREATE TABLE uuidmig.forward_tables AS TABLE uuidmig.tables;
                UPDATE uuidmig.columns SET step = 'planned', backfill_last_key = NULL, backfill_rows = 0, backfill_done = false,
                       updated_at = now();
                UPDATE uuidmig.tables SET base_rows = NULL, counted_at = NULL, verified_rows = NULL, mismatches = NULL,
                       verified_at = NULL, end_rows = NULL, ledger_inserted = NULL, ledger_deleted = NULL, swapped_at = NULL,
                       stat_ins_at_end = NULL, stat_del_at_end = NULL;
                DELETE FROM uuidmig.row_ledger;
                CREATE TABLE uuidmig.rollback (direction text NOT NULL, started_at timestamptz NOT NULL DEFAULT now());
                INSERT INTO uuidmig.rollback (direction) VALUES ('uuid_to_integer')""");
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }
}
