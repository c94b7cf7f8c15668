package org.uuidmig.steps;

import java.sql.SQLException;
import java.util.List;

import org.uuidmig.catalog.Catalog;
import org.uuidmig.db.Sql;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.StateStore;
import org.uuidmig.engine.StepContext;
import org.uuidmig.engine.StepIds;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.sql.MigrationSql;
import org.uuidmig.sql.TempNames;

/**
 * Adds FOREIGN KEY (new) REFERENCES users(uuid) with the old FK's ON DELETE / ON UPDATE actions
 * and deferrability (NO ACTION where the column had no FK) as NOT VALID, then validates it.
 * Lock: SHARE ROW EXCLUSIVE on users and then the table, briefly, both within the swap's lock
 * budget (--swap-lock-wait, below deadlock_timeout) with retries, for ADD; SHARE UPDATE EXCLUSIVE
 * on the table and ROW SHARE on users for VALIDATE.
 * Transaction: ADD in one; VALIDATE auto-commit.
 * Done when: the new FK exists and is validated.
 */
final class AddForeignKeyStep implements MigrationStep {
    private final PlannedColumn col;

    AddForeignKeyStep(PlannedColumn col) {
        this.col = col;
    }

    @Override
    public String id() {
        return StepIds.FOREIGN_KEY;
    }

    @Override
    public String target() {
        return col.ref().toString();
    }

    private String name() {
        return TempNames.foreignKey(col.ref().column());
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        return Boolean.TRUE.equals(Catalog.constraintValidated(ctx.conn(), ctx.schema(), col.ref().table(), name()));
    }

    /**
     * The locks (users first, then the table, each taken with what is left of one budget) and the new FK, NOT VALID;
     * nothing when the FK exists already (on the context's connection now).
     */
    private List<PlannedStatement> add(StepContext ctx) throws SQLException {
        if (Catalog.constraintValidated(ctx.conn(), ctx.schema(), col.ref().table(), name()) != null) {
            return List.of();
        }
        String lock = "SHARE ROW EXCLUSIVE on " + ctx.users().name() + " and the table";
        return List.of(
            PlannedStatement.once("LOCK TABLE " + Sql.qualified(ctx.users().schema(), ctx.users().name()) + " IN SHARE ROW EXCLUSIVE MODE",
                lock, "users first, then the table, within one budget of --swap-lock-wait"),
            new PlannedStatement("LOCK TABLE " + Sql.qualified(ctx.schema(), col.ref().table()) + " IN SHARE ROW EXCLUSIVE MODE", lock),
            new PlannedStatement(MigrationSql.addForeignKey(ctx.schema(), col, col.userForeignKey(ctx.users()), ctx.users()),
                "SHARE ROW EXCLUSIVE on the table and on " + ctx.users().name()));
    }

    private PlannedStatement validate(StepContext ctx) {
        return new PlannedStatement(MigrationSql.validateConstraint(ctx.schema(), col.ref().table(), name()),
            "SHARE UPDATE EXCLUSIVE + ROW SHARE on " + ctx.users().name());
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) throws SQLException {
        List<PlannedStatement> out = new java.util.ArrayList<>(CheckTriggers.statements(ctx, col.ref().table(), List.of(col)));
        out.addAll(add(ctx));
        out.add(validate(ctx));
        return out;
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        // before the new FK exists: under a deferred FK, the check trigger must complete a row inserted before its
        // user before the new FK looks at that row (see TempNames.checkTrigger)
        CheckTriggers.arm(ctx, col.ref().table(), List.of(col));
        List<PlannedStatement> add = add(ctx);
        if (!add.isEmpty()) {
            ctx.blocking().inTransaction(ctx.conn(), "add foreign key on " + col.ref(), c -> {
                // users first, then the table, within one budget below deadlock_timeout, as the swap does: an
                // application transaction that writes the table and then users cannot make its statement the
                // deadlock victim, because uuidmig gives up (and retries later) before the deadlock check runs
                var budget = new SwapTransaction.LockBudget(c, ctx.settings().lock().lockTimeout(), ctx.settings().lock().swapLockWait(),
                    "the foreign key's");
                budget.lock(add.get(0).sql());
                budget.lock(add.get(1).sql());
                Catalog.exec(c, add.get(2).sql());
            });
        }
        ctx.blocking().autocommit(ctx.conn(), "validate foreign key on " + col.ref(), ctx.settings().lock().waitTimeout(),
            c -> Catalog.exec(c, validate(ctx).sql()));
        StateStore.setStep(ctx.conn(), ctx.schema(), col.ref().table(), col.ref().column(), StepIds.FOREIGN_KEY);
    }
}
