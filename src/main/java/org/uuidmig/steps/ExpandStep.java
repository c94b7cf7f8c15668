package org.uuidmig.steps;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.uuidmig.catalog.Catalog;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.StateStore;
import org.uuidmig.engine.StepContext;
import org.uuidmig.engine.StepIds;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.sql.MigrationSql;
import org.uuidmig.sql.TempNames;

/**
 * Expand, in either {@link Direction}: adds the nullable shadow column beside each planned column of one table (uuid
 * forward; the column's original type backward, in a rollback after the swap), the row trigger that keeps it equal to
 * the users key of the column's value on every INSERT and UPDATE OF the column, and the statement triggers of the
 * insert/delete ledger. From the commit on, the application's writes stay in sync.
 * Lock: ACCESS EXCLUSIVE on the table, for catalog work only, under lock_timeout with retries.
 * Transaction: one, so the column never exists without its trigger.
 * Every trigger fires ALWAYS ({@code ENABLE ALWAYS TRIGGER}), so writes under session_replication_role = replica
 * (a logical-replication subscriber's apply worker) are synced and counted too.
 * Done when: every shadow column exists, each sync trigger calls its column's function, and every sync and
 * ledger trigger fires ALWAYS (a trigger an older uuidmig made ORIGIN-only is made ALWAYS by the rerun).
 */
final class ExpandStep extends TableStep {
    private final Direction direction;

    ExpandStep(Direction direction, String table, List<PlannedColumn> columns) {
        super(direction.expandId, table, columns);
        this.direction = direction;
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        for (PlannedColumn c : columns) {
            if (direction.arrived(Catalog.columnType(ctx.conn(), ctx.schema(), table, c.ref().column()))) {
                return true; // swapped already: never add a second shadow column
            }
        }
        return triggersReady(ctx, table, columns);
    }

    /**
     * Whether every shadow column exists, every sync trigger calls its own function, and every sync and ledger trigger
     * fires ALWAYS. A trigger made by an older uuidmig (ORIGIN only, or calling a function whose name another column
     * shared) or disabled by the application is not ready: the step runs again and puts it right.
     */
    static boolean triggersReady(StepContext ctx, String table, List<PlannedColumn> columns) throws SQLException {
        for (PlannedColumn c : columns) {
            String trigger = TempNames.syncTrigger(c.ref().column());
            if (!Catalog.columnExists(ctx.conn(), ctx.schema(), table, TempNames.shadowColumn(c.ref().column()))
                || !Catalog.triggerFiresAlways(ctx.conn(), ctx.schema(), table, trigger)
                || !Catalog.triggerCalls(ctx.conn(), ctx.schema(), table, trigger,
                    TempNames.syncFunction(ctx.schema(), table, c.ref().column()))) {
                return false;
            }
        }
        return Catalog.triggerFiresAlways(ctx.conn(), ctx.schema(), table, TempNames.ledgerInsertTrigger())
            && Catalog.triggerFiresAlways(ctx.conn(), ctx.schema(), table, TempNames.ledgerDeleteTrigger());
    }

    /** The triggers of the table's swap check: each sync trigger and the two ledger triggers, as {table, trigger}. */
    static List<String[]> triggersOf(String table, List<PlannedColumn> columns) {
        List<String[]> out = new ArrayList<>();
        for (PlannedColumn c : columns) {
            out.add(new String[] {table, TempNames.syncTrigger(c.ref().column())});
        }
        out.add(new String[] {table, TempNames.ledgerInsertTrigger()});
        out.add(new String[] {table, TempNames.ledgerDeleteTrigger()});
        return out;
    }

    /**
     * The trigger statements of the expand transaction, as the catalog on {@code c} says they are needed now: each
     * missing trigger is created, a sync trigger that calls another function than its column's (an older uuidmig's
     * shared name) is dropped and created again, and every one is made to fire ALWAYS (which also re-enables one the
     * application disabled).
     */
    static List<PlannedStatement> triggerStatements(java.sql.Connection c, StepContext ctx, String table, List<PlannedColumn> columns)
        throws SQLException {
        String lock = "SHARE ROW EXCLUSIVE";
        List<PlannedStatement> out = new ArrayList<>();
        for (PlannedColumn col : columns) {
            String trigger = TempNames.syncTrigger(col.ref().column());
            boolean exists = Catalog.triggerExists(c, ctx.schema(), table, trigger);
            if (exists && !Catalog.triggerCalls(c, ctx.schema(), table, trigger, TempNames.syncFunction(ctx.schema(), table, col.ref().column()))) {
                out.add(PlannedStatement.once(DropSyncTriggersStep.sql(ctx.schema(), table, trigger), "ACCESS EXCLUSIVE (catalog only)",
                    "it calls another function than its column's (made by an older uuidmig)"));
                exists = false;
            }
            if (!exists) {
                out.add(new PlannedStatement(MigrationSql.createSyncTrigger(ctx.schema(), col), lock));
            }
            out.add(new PlannedStatement(MigrationSql.enableAlways(ctx.schema(), table, trigger), lock));
        }
        if (!Catalog.triggerExists(c, ctx.schema(), table, TempNames.ledgerInsertTrigger())) {
            out.add(new PlannedStatement(MigrationSql.createLedgerInsertTrigger(ctx.schema(), table), lock));
        }
        out.add(new PlannedStatement(MigrationSql.enableAlways(ctx.schema(), table, TempNames.ledgerInsertTrigger()), lock));
        if (!Catalog.triggerExists(c, ctx.schema(), table, TempNames.ledgerDeleteTrigger())) {
            out.add(new PlannedStatement(MigrationSql.createLedgerDeleteTrigger(ctx.schema(), table), lock));
        }
        out.add(new PlannedStatement(MigrationSql.enableAlways(ctx.schema(), table, TempNames.ledgerDeleteTrigger()), lock));
        return out;
    }

    /** The sync functions, created (or replaced) before the transaction. */
    private List<PlannedStatement> functions(StepContext ctx) {
        return columns.stream().map(c -> new PlannedStatement(MigrationSql.syncFunction(ctx.schema(), c, ctx.users()), "none")).toList();
    }

    /** The shadow columns, first in the transaction. */
    private List<PlannedStatement> shadowColumns(StepContext ctx) {
        return columns.stream().map(c -> new PlannedStatement(MigrationSql.addShadowColumn(ctx.schema(), c, direction.shadowType(c)),
            "ACCESS EXCLUSIVE (catalog only)")).toList();
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) throws SQLException {
        List<PlannedStatement> out = new ArrayList<>(functions(ctx));
        out.addAll(shadowColumns(ctx));
        out.addAll(triggerStatements(ctx.conn(), ctx, table, columns));
        return out;
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        PlannedStatement.send(ctx.conn(), functions(ctx));
        ctx.blocking().inTransaction(ctx.conn(), direction.expandLabel + " " + table, conn -> {
            PlannedStatement.send(conn, shadowColumns(ctx));
            PlannedStatement.send(conn, triggerStatements(conn, ctx, table, columns));
            for (PlannedColumn c : columns) {
                StateStore.setStep(conn, ctx.schema(), table, c.ref().column(), StepIds.EXPAND);
            }
        });
    }
}
