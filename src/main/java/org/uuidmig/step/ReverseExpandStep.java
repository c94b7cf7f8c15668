package org.uuidmig.step;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.sql.MigrationSql;
import org.uuidmig.sql.TempNames;

/**
 * Rollback after the swap, expand: adds beside each uuid column a nullable shadow column of the
 * column's ORIGINAL type, the row trigger that sets it to users.id of the uuid on every INSERT
 * and UPDATE OF the column, and the ledger triggers. The mirror of {@link AddShadowColumnStep}.
 * Lock: ACCESS EXCLUSIVE on the table, catalog only, under lock_timeout with retries.
 * Transaction: one. Done when: every shadow column and trigger exists, or the table is swapped
 * back already (its columns are no longer uuid).
 */
final class ReverseExpandStep implements MigrationStep {
    private final String table;
    private final List<PlannedColumn> columns;

    ReverseExpandStep(String table, List<PlannedColumn> columns) {
        this.table = table;
        this.columns = columns;
    }

    @Override
    public String id() {
        return RollbackSteps.EXPAND;
    }

    @Override
    public String target() {
        return table;
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        for (PlannedColumn c : columns) {
            if (!"uuid".equals(Catalog.columnType(ctx.conn(), ctx.schema(), table, c.ref().column()))) {
                return true; // swapped back already
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
            out.add(new PlannedStatement(MigrationSql.addShadowColumn(ctx.schema(), c, c.type()), "ACCESS EXCLUSIVE (catalog only)"));
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
        ctx.blocking().inTransaction(ctx.conn(), "rollback expand " + table, conn -> {
            for (PlannedColumn c : columns) {
                Catalog.exec(conn, MigrationSql.addShadowColumn(ctx.schema(), c, c.type()));
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
