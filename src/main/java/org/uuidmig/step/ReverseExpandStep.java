package org.uuidmig.step;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.sql.MigrationSql;

/**
 * Rollback after the swap, expand: adds beside each uuid column a nullable shadow column of the
 * column's ORIGINAL type, the row trigger that sets it to users.id of the uuid on every INSERT
 * and UPDATE OF the column, and the ledger triggers. The mirror of {@link AddShadowColumnStep}.
 * Lock: ACCESS EXCLUSIVE on the table, catalog only, under lock_timeout with retries.
 * Transaction: one. The triggers fire ALWAYS, as in expand. Done when: every shadow column exists and every
 * trigger is ready as {@link AddShadowColumnStep#triggersReady} says, or the table is swapped back already (its
 * columns are no longer uuid).
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
        }
        return AddShadowColumnStep.triggersReady(ctx, table, columns);
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) {
        List<PlannedStatement> out = new ArrayList<>();
        for (PlannedColumn c : columns) {
            out.add(new PlannedStatement(MigrationSql.syncFunction(ctx.schema(), c, ctx.users()), "none"));
        }
        for (PlannedColumn c : columns) {
            out.add(new PlannedStatement(MigrationSql.addShadowColumn(ctx.schema(), c, c.type()), "ACCESS EXCLUSIVE (catalog only)"));
        }
        out.addAll(AddShadowColumnStep.triggerStatements(ctx, table, columns));
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
            }
            AddShadowColumnStep.installTriggers(conn, ctx, table, columns);
            for (PlannedColumn c : columns) {
                StateStore.setStep(conn, ctx.schema(), table, c.ref().column(), Steps.EXPAND);
            }
        });
    }
}
