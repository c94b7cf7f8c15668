package org.uuidmig.steps;

import java.sql.SQLException;
import java.util.List;

import org.uuidmig.catalog.Catalog;
import org.uuidmig.db.Sql;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.StateStore;
import org.uuidmig.engine.StepContext;

/**
 * Rollback before the swap, first step: closes the blue-green window if one is open (drops each view, then the
 * schema uuidmig created for them when nothing else is in it). Green's statements then fail (their views are gone):
 * roll green back before rolling the migration back.
 * Lock: ACCESS EXCLUSIVE on the views only, under lock_timeout with retries. Done when: no window is recorded.
 */
final class CloseWindowStep implements MigrationStep {
    private final List<String> tables;

    CloseWindowStep(List<String> tables) {
        this.tables = tables;
    }

    @Override
    public String id() {
        return RollbackSteps.WINDOW;
    }

    @Override
    public String target() {
        return String.join(", ", tables);
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        return BlueGreenWindow.recorded(ctx.conn(), ctx.schema()) == null;
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) {
        return List.of(new PlannedStatement("DROP VIEW IF EXISTS <view schema>." + String.join(", ", tables.stream().map(Sql::ident).toList())
            + "; DROP SCHEMA <view schema>  -- when a blue-green window is open, and only the schema uuidmig created", "ACCESS EXCLUSIVE on the views"));
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        StateStore.CreatedObject rec = BlueGreenWindow.recorded(ctx.conn(), ctx.schema());
        ctx.blocking().inTransaction(ctx.conn(), "close the blue-green window", c -> {
            for (String sql : BlueGreenWindow.closeStatements(ctx.schema(), rec, tables)) {
                Catalog.exec(c, sql);
            }
            // the schema stays when something else is in it; the record goes with the views either way
            StateStore.forgetCreated(c, ctx.schema(), StateStore.VIEW_SCHEMA);
        });
    }
}
