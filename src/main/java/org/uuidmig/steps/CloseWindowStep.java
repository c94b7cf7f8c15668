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
    public List<PlannedStatement> statements(StepContext ctx) throws SQLException {
        return close(BlueGreenWindow.recorded(ctx.conn(), ctx.schema()), ctx);
    }

    /** Each view of the window recorded now, then its schema when nothing else is in it and it is the one uuidmig made. */
    private List<PlannedStatement> close(StateStore.CreatedObject rec, StepContext ctx) {
        return BlueGreenWindow.closeStatements(ctx.schema(), rec, tables).stream()
            .map(sql -> new PlannedStatement(sql, "ACCESS EXCLUSIVE on the views")).toList();
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        StateStore.CreatedObject rec = BlueGreenWindow.recorded(ctx.conn(), ctx.schema());
        ctx.blocking().inTransaction(ctx.conn(), "close the blue-green window", c -> {
            PlannedStatement.send(c, close(rec, ctx));
            // the schema stays when something else is in it; the record goes with the views either way
            StateStore.forgetCreated(c, ctx.schema(), StateStore.VIEW_SCHEMA);
        });
    }
}
