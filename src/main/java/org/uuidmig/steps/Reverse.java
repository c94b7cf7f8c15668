package org.uuidmig.steps;

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
    private Reverse() {
    }

    /** users with its keys exchanged: the source key is now uuid, the target id (its PK, unique and NOT NULL). */
    public static UsersTable users(UsersTable u) {
        return new UsersTable(u.oid(), u.schema(), u.name(), u.targetKey(), u.targetKeyType(), u.sourceKey(), u.sourceKeyType(), true,
            u.sourceKey(), u.estimatedRows());
    }

    /** The column as it is after the swap, with what to restore; see the class comment. */
    public static PlannedColumn column(PlannedColumn original, UsersTable users, List<PlannedColumn> all) {
        List<ForeignKey> fks = new ArrayList<>();
        ForeignKey fk = original.userForeignKey(users);
        if (fk != null) {
            fks.add(new ForeignKey(fk.name(), fk.columns(), fk.refSchema(), fk.refTable(), List.of(users.targetKey()), fk.onUpdate(),
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
}
