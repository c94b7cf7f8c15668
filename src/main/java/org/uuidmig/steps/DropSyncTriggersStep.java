package org.uuidmig.steps;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.uuidmig.catalog.Catalog;
import org.uuidmig.db.Sql;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.StepContext;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.sql.TempNames;

/**
 * Rollback before the swap, first step per table: drops the sync triggers and the two ledger
 * triggers, so the application's writes stop touching the shadow columns.
 * Lock: ACCESS EXCLUSIVE on the table (DROP TRIGGER), catalog only, under lock_timeout with retries.
 * Transaction: one per table.
 * Done when: none of the table's {@code zz_uuidmig_} triggers exists.
 */
final class DropSyncTriggersStep extends TableStep {
    DropSyncTriggersStep(String table, List<PlannedColumn> columns) {
        super(RollbackSteps.TRIGGERS, table, columns);
    }

    private List<String> triggers() {
        List<String> out = new ArrayList<>();
        for (PlannedColumn c : columns) {
            out.add(TempNames.syncTrigger(c.ref().column()));
            out.add(TempNames.checkTrigger(c.ref().column()));
        }
        out.add(TempNames.ledgerInsertTrigger());
        out.add(TempNames.ledgerDeleteTrigger());
        return out;
    }

    static String sql(String schema, String table, String trigger) {
        return "DROP TRIGGER IF EXISTS " + Sql.ident(trigger) + " ON " + Sql.qualified(schema, table);
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        for (String t : triggers()) {
            if (Catalog.triggerExists(ctx.conn(), ctx.schema(), table, t)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) {
        List<PlannedStatement> out = new ArrayList<>();
        for (String t : triggers()) {
            out.add(new PlannedStatement(sql(ctx.schema(), table, t), "ACCESS EXCLUSIVE (catalog only)"));
        }
        return out;
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        ctx.blocking().inTransaction(ctx.conn(), "drop triggers on " + table, c -> PlannedStatement.send(c, statements(ctx)));
    }
}
