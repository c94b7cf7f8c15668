package org.uuidmig.step;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.sql.MigrationSql;
import org.uuidmig.sql.TempNames;

/**
 * Expand: adds the nullable uuid column beside each planned column of one table, the row
 * trigger that keeps it equal to users.uuid of the integer on every INSERT and UPDATE OF the
 * integer, and the statement triggers of the insert/delete ledger. From the commit on, the
 * application's writes stay in sync.
 * Lock: ACCESS EXCLUSIVE on the table, for catalog work only, under lock_timeout with retries.
 * Transaction: one, so the column never exists without its trigger.
 * Done when: every shadow column, sync trigger and ledger trigger exists.
 */
final class AddShadowColumnStep implements MigrationStep {
    private final String table;
    private final List<PlannedColumn> columns;

    AddShadowColumnStep(String table, List<PlannedColumn> columns) {
        this.table = table;
        this.columns = columns;
    }

    @Override
    public String id() {
        return Steps.EXPAND;
    }

    @Override
    public String target() {
        return table;
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        for (PlannedColumn c : columns) {
            if ("uuid".equals(Catalog.columnType(ctx.conn(), ctx.schema(), table, c.ref().column()))) {
                return true; // swapped already: never add a second shadow column
            }
            if (!Catalog.columnExists(ctx.conn(), ctx.schema(), table, TempNames.shadowColumn(c.ref().column()))
                || !Catalog.triggerExists(ctx.conn(), ctx.schema(), table, TempNames.syncTrigger(c.ref().column()))) {
                return false;
            }
        }
        return Catalog.triggerExists(ctx.conn(), ctx.schema(), table, TempNames.ledgerInsertTrigger())
            && Catalog.triggerExists(ctx.conn(), ctx.schema(), table, TempNames.ledgerDeleteTrigger());
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) {
        List<PlannedStatement> out = new ArrayList<>();
        for (PlannedColumn c : columns) {
            out.add(new PlannedStatement(MigrationSql.syncFunction(ctx.schema(), c, ctx.users()), "none"));
        }
        for (PlannedColumn c : columns) {
            out.add(new PlannedStatement(MigrationSql.addShadowColumn(ctx.schema(), c), "ACCESS EXCLUSIVE (catalog only)"));
            out.add(new PlannedStatement(MigrationSql.createSyncTrigger(ctx.schema(), c), "SHARE ROW EXCLUSIVE"));
        }
        out.add(new PlannedStatement(MigrationSql.createLedgerInsertTrigger(ctx.schema(), table), "SHARE ROW EXCLUSIVE"));
        out.add(new PlannedStatement(MigrationSql.createLedgerDeleteTrigger(ctx.schema(), table), "SHARE ROW EXCLUSIVE"));
        return out;
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        for (PlannedColumn c : columns) {
            Catalog.exec(ctx.conn(), MigrationSql.syncFunction(ctx.schema(), c, ctx.users()));
        }
        ctx.blocking().inTransaction(ctx.conn(), "expand " + table, conn -> {
            for (PlannedColumn c : columns) {
                Catalog.exec(conn, MigrationSql.addShadowColumn(ctx.schema(), c));
                if (!Catalog.triggerExists(conn, ctx.schema(), table, TempNames.syncTrigger(c.ref().column()))) {
                    Catalog.exec(conn, MigrationSql.createSyncTrigger(ctx.schema(), c));
                }
            }
            if (!Catalog.triggerExists(conn, ctx.schema(), table, TempNames.ledgerInsertTrigger())) {
                Catalog.exec(conn, MigrationSql.createLedgerInsertTrigger(ctx.schema(), table));
            }
            if (!Catalog.triggerExists(conn, ctx.schema(), table, TempNames.ledgerDeleteTrigger())) {
                Catalog.exec(conn, MigrationSql.createLedgerDeleteTrigger(ctx.schema(), table));
            }
            for (PlannedColumn c : columns) {
                StateStore.setStep(conn, ctx.schema(), table, c.ref().column(), Steps.EXPAND);
            }
        });
    }
}
