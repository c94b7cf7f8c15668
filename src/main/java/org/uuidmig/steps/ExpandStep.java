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
final class ExpandStep implements MigrationStep {
    private final Direction direction;
    private final String table;
    private final List<PlannedColumn> columns;

    ExpandStep(Direction direction, String table, List<PlannedColumn> columns) {
        this.direction = direction;
        this.table = table;
        this.columns = columns;
    }

    @Override
    public String id() {
        return direction.expandId;
    }

    @Override
    public String target() {
        return table;
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

    /** The trigger statements for --dry-run, in the order {@link #installTriggers} runs them. */
    static List<PlannedStatement> triggerStatements(StepContext ctx, String table, List<PlannedColumn> columns) {
        List<PlannedStatement> out = new ArrayList<>();
        for (PlannedColumn c : columns) {
            out.add(new PlannedStatement(MigrationSql.createSyncTrigger(ctx.schema(), c), "SHARE ROW EXCLUSIVE"));
            out.add(new PlannedStatement(MigrationSql.enableAlways(ctx.schema(), table, TempNames.syncTrigger(c.ref().column())),
                "SHARE ROW EXCLUSIVE"));
        }
        out.add(new PlannedStatement(MigrationSql.createLedgerInsertTrigger(ctx.schema(), table), "SHARE ROW EXCLUSIVE"));
        out.add(new PlannedStatement(MigrationSql.enableAlways(ctx.schema(), table, TempNames.ledgerInsertTrigger()), "SHARE ROW EXCLUSIVE"));
        out.add(new PlannedStatement(MigrationSql.createLedgerDeleteTrigger(ctx.schema(), table), "SHARE ROW EXCLUSIVE"));
        out.add(new PlannedStatement(MigrationSql.enableAlways(ctx.schema(), table, TempNames.ledgerDeleteTrigger()), "SHARE ROW EXCLUSIVE"));
        return out;
    }

    /**
     * In the expand transaction, after the shadow columns: creates each missing trigger, replaces a sync trigger
     * that calls another function than its column's (an older uuidmig's shared name), and makes every one fire
     * ALWAYS (also re-enables one the application disabled).
     */
    static void installTriggers(java.sql.Connection conn, StepContext ctx, String table, List<PlannedColumn> columns) throws SQLException {
        for (PlannedColumn c : columns) {
            String trigger = TempNames.syncTrigger(c.ref().column());
            if (Catalog.triggerExists(conn, ctx.schema(), table, trigger) && !Catalog.triggerCalls(conn, ctx.schema(), table, trigger,
                TempNames.syncFunction(ctx.schema(), table, c.ref().column()))) {
                Catalog.exec(conn, DropSyncTriggersStep.sql(ctx.schema(), table, trigger));
            }
            if (!Catalog.triggerExists(conn, ctx.schema(), table, trigger)) {
                Catalog.exec(conn, MigrationSql.createSyncTrigger(ctx.schema(), c));
            }
            Catalog.exec(conn, MigrationSql.enableAlways(ctx.schema(), table, trigger));
        }
        if (!Catalog.triggerExists(conn, ctx.schema(), table, TempNames.ledgerInsertTrigger())) {
            Catalog.exec(conn, MigrationSql.createLedgerInsertTrigger(ctx.schema(), table));
        }
        Catalog.exec(conn, MigrationSql.enableAlways(ctx.schema(), table, TempNames.ledgerInsertTrigger()));
        if (!Catalog.triggerExists(conn, ctx.schema(), table, TempNames.ledgerDeleteTrigger())) {
            Catalog.exec(conn, MigrationSql.createLedgerDeleteTrigger(ctx.schema(), table));
        }
        Catalog.exec(conn, MigrationSql.enableAlways(ctx.schema(), table, TempNames.ledgerDeleteTrigger()));
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) {
        List<PlannedStatement> out = new ArrayList<>();
        for (PlannedColumn c : columns) {
            out.add(new PlannedStatement(MigrationSql.syncFunction(ctx.schema(), c, ctx.users()), "none"));
        }
        for (PlannedColumn c : columns) {
            out.add(new PlannedStatement(MigrationSql.addShadowColumn(ctx.schema(), c, direction.shadowType(c)), "ACCESS EXCLUSIVE (catalog only)"));
        }
        out.addAll(triggerStatements(ctx, table, columns));
        return out;
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        for (PlannedColumn c : columns) {
            Catalog.exec(ctx.conn(), MigrationSql.syncFunction(ctx.schema(), c, ctx.users()));
        }
        ctx.blocking().inTransaction(ctx.conn(), direction.expandLabel + " " + table, conn -> {
            for (PlannedColumn c : columns) {
                Catalog.exec(conn, MigrationSql.addShadowColumn(ctx.schema(), c, direction.shadowType(c)));
            }
            installTriggers(conn, ctx, table, columns);
            for (PlannedColumn c : columns) {
                StateStore.setStep(conn, ctx.schema(), table, c.ref().column(), StepIds.EXPAND);
            }
        });
    }
}
