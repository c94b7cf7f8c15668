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
 * Rollback before the swap, per table: drops the new foreign keys and NOT NULL checks and then
 * the shadow columns (anything still attached to them, e.g. an index copy a crash left behind,
 * goes with them).
 * Lock: ACCESS EXCLUSIVE on users first (dropping an FK also locks the referenced table; users
 * first, like the swap, so it cannot deadlock with the application) when the table still has a
 * new FK, then ACCESS EXCLUSIVE on the table; catalog work only, under lock_timeout with retries.
 * Transaction: one per table.
 * Done when: no shadow column and no {@code _uuidmig_} constraint of the table's columns exists.
 */
final class DropShadowColumnStep extends TableStep {
    DropShadowColumnStep(String table, List<PlannedColumn> columns) {
        super(RollbackSteps.COLUMNS, table, columns);
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        for (PlannedColumn c : columns) {
            String col = c.ref().column();
            if (Catalog.columnExists(ctx.conn(), ctx.schema(), table, TempNames.shadowColumn(col))
                || Catalog.constraintValidated(ctx.conn(), ctx.schema(), table, TempNames.foreignKey(col)) != null
                || Catalog.constraintValidated(ctx.conn(), ctx.schema(), table, TempNames.notNullCheck(col)) != null) {
                return false;
            }
        }
        return true;
    }

    private List<String> sql(StepContext ctx) {
        String t = Sql.qualified(ctx.schema(), table);
        List<String> out = new ArrayList<>();
        for (PlannedColumn c : columns) {
            String col = c.ref().column();
            out.add("ALTER TABLE " + t + " DROP CONSTRAINT IF EXISTS " + Sql.ident(TempNames.foreignKey(col)));
            out.add("ALTER TABLE " + t + " DROP CONSTRAINT IF EXISTS " + Sql.ident(TempNames.notNullCheck(col)));
            out.add("ALTER TABLE " + t + " DROP COLUMN IF EXISTS " + Sql.ident(TempNames.shadowColumn(col)));
        }
        return out;
    }

    private String lockUsers(StepContext ctx) {
        return "LOCK TABLE " + Sql.qualified(ctx.users().schema(), ctx.users().name()) + " IN ACCESS EXCLUSIVE MODE";
    }

    private String lockTable(StepContext ctx) {
        return "LOCK TABLE " + Sql.qualified(ctx.schema(), table) + " IN ACCESS EXCLUSIVE MODE";
    }

    /**
     * In one transaction: users locked first while the table still has a new FK (on c now), then the table, then the
     * drops.
     */
    private List<PlannedStatement> drop(java.sql.Connection c, StepContext ctx) throws SQLException {
        boolean fk = false;
        for (PlannedColumn col : columns) {
            fk |= Catalog.constraintValidated(c, ctx.schema(), table, TempNames.foreignKey(col.ref().column())) != null;
        }
        List<PlannedStatement> out = new ArrayList<>();
        if (fk) {
            out.add(PlannedStatement.once(lockUsers(ctx), "ACCESS EXCLUSIVE", "while a new FK exists: users first, as the swap does"));
        }
        out.add(new PlannedStatement(lockTable(ctx), "ACCESS EXCLUSIVE"));
        for (String s : sql(ctx)) {
            out.add(new PlannedStatement(s, "held"));
        }
        return out;
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) throws SQLException {
        List<PlannedStatement> out = new ArrayList<>();
        out.add(PlannedStatement.once("BEGIN", "none", "under SET LOCAL lock_timeout = " + ctx.settings().lock().lockTimeout().toMillis()
            + " ms, retried with growing sleeps"));
        out.addAll(drop(ctx.conn(), ctx));
        out.add(new PlannedStatement("COMMIT", "released"));
        return out;
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        ctx.blocking().inTransaction(ctx.conn(), "drop shadow columns of " + table, c -> PlannedStatement.send(c, drop(c, ctx)));
    }
}
