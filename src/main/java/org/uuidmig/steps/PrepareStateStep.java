package org.uuidmig.steps;

import java.sql.SQLException;
import java.util.List;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.StateStore;
import org.uuidmig.engine.StepContext;
import org.uuidmig.engine.StepIds;

/**
 * Creates the uuidmig schema: state tables and the two ledger trigger functions.
 * Lock: none on application tables. Transaction: auto-commit, every statement IF NOT EXISTS /
 * OR REPLACE, so it is always safe to rerun and is never skipped.
 */
final class PrepareStateStep implements MigrationStep {
    @Override
    public String id() {
        return StepIds.PREPARE;
    }

    @Override
    public String target() {
        return "";
    }

    @Override
    public boolean isDone(StepContext ctx) {
        return false;
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) {
        return List.of(PlannedStatement.once(StateStore.DDL.strip().replaceFirst(";$", ""), "none on application tables",
            "the state schema: its tables, and the ledger functions the ledger triggers call"));
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        StateStore.ensure(ctx.conn());
    }
}
