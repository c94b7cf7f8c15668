package org.uuidmig.steps;

import java.sql.SQLException;
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
 * For a column that was NOT NULL: adds CHECK (new IS NOT NULL) NOT VALID, then validates it,
 * so that the swap's SET NOT NULL needs no scan (PostgreSQL 12+ uses the validated check).
 * Lock: ACCESS EXCLUSIVE briefly for ADD (no scan, lock_timeout + retries); SHARE UPDATE
 * EXCLUSIVE for VALIDATE (scan; reads and writes continue).
 * Transaction: ADD in one; VALIDATE auto-commit.
 * Done when: the check exists and is validated.
 */
final class AddNotNullCheckStep implements MigrationStep {
    private final PlannedColumn col;

    AddNotNullCheckStep(PlannedColumn col) {
        this.col = col;
    }

    @Override
    public String id() {
        return StepIds.NOT_NULL;
    }

    @Override
    public String target() {
        return col.ref().toString();
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        return Boolean.TRUE.equals(Catalog.constraintValidated(ctx.conn(), ctx.schema(), col.ref().table(), name()));
    }

    private String name() {
        return TempNames.notNullCheck(col.ref().column());
    }

    /** The check, added NOT VALID unless it exists already (on c now). */
    private List<PlannedStatement> add(java.sql.Connection c, StepContext ctx) throws SQLException {
        return Catalog.constraintValidated(c, ctx.schema(), col.ref().table(), name()) != null ? List.of()
            : List.of(new PlannedStatement(MigrationSql.addNotNullCheck(ctx.schema(), col), "ACCESS EXCLUSIVE (catalog only)"));
    }

    private PlannedStatement validate(StepContext ctx) {
        return new PlannedStatement(MigrationSql.validateConstraint(ctx.schema(), col.ref().table(), name()), "SHARE UPDATE EXCLUSIVE");
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) throws SQLException {
        List<PlannedStatement> out = new java.util.ArrayList<>(add(ctx.conn(), ctx));
        out.add(validate(ctx));
        return out;
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        List<PlannedStatement> add = add(ctx.conn(), ctx);
        if (!add.isEmpty()) {
            ctx.blocking().inTransaction(ctx.conn(), "add NOT NULL check on " + col.ref(), c -> PlannedStatement.send(c, add));
        }
        ctx.blocking().autocommit(ctx.conn(), "validate NOT NULL check on " + col.ref(), ctx.settings().lock().waitTimeout(),
            c -> Catalog.exec(c, validate(ctx).sql()));
        StateStore.setStep(ctx.conn(), ctx.schema(), col.ref().table(), col.ref().column(), StepIds.NOT_NULL);
    }
}
