package org.uuidmig.step;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.uuidmig.db.Sql;
import org.uuidmig.plan.UsersTable;
import org.uuidmig.sql.MigrationSql;
import org.uuidmig.sql.TempNames;

/**
 * Rollback: undoes what {@link SecureUsersKeyStep} added to users(uuid), and only that, as
 * recorded in uuidmig.users_table.original: the unique constraint (or a bare unique index
 * from an interrupted build) when users(uuid) had no unique index before, and NOT NULL (with
 * its helper check) when the column was nullable before. Runs after every FK to users(uuid)
 * that the migration made is gone.
 * Lock: ACCESS EXCLUSIVE on users, briefly, under lock_timeout with retries, to drop the
 * constraint or NOT NULL; SHARE UPDATE EXCLUSIVE to drop a bare index concurrently.
 * Transaction: one per statement kind.
 * Done when: users(uuid) has neither the added index nor a NOT NULL it did not have.
 */
final class RestoreUsersKeyStep implements MigrationStep {
    /** users as recorded before the migration (a rollback after the swap runs with the keys exchanged in its context). */
    private final UsersTable original;

    RestoreUsersKeyStep(UsersTable original) {
        this.original = original;
    }

    @Override
    public String id() {
        return RollbackSteps.USERS_KEY;
    }

    @Override
    public String target() {
        return "";
    }

    private String users(StepContext ctx) {
        return Sql.qualified(original.schema(), original.name());
    }

    private String uniqueName(StepContext ctx) {
        return TempNames.usersUniqueIndex(original.name(), original.newKey());
    }

    private boolean addedUnique(StepContext ctx) {
        return original.newKeyUniqueIndex() == null;
    }

    private boolean indexPresent(StepContext ctx) throws SQLException {
        return addedUnique(ctx) && Catalog.indexValid(ctx.conn(), original.schema(), uniqueName(ctx)) != null;
    }

    private boolean checkPresent(StepContext ctx) throws SQLException {
        return Catalog.constraintValidated(ctx.conn(), original.schema(), original.name(),
            TempNames.usersNotNullCheck(original.newKey())) != null;
    }

    private boolean notNullAdded(StepContext ctx) throws SQLException {
        UsersTable u = original;
        return !u.newKeyNotNull() && Catalog.exists(ctx.conn(), """
            SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = ?::regclass AND a.attname = ? AND a.attnotnull""",
            users(ctx), u.newKey());
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        return !indexPresent(ctx) && !checkPresent(ctx) && !notNullAdded(ctx);
    }

    private String dropConstraint(StepContext ctx) {
        return "ALTER TABLE " + users(ctx) + " DROP CONSTRAINT IF EXISTS " + Sql.ident(uniqueName(ctx));
    }

    private String dropCheck(StepContext ctx) {
        return "ALTER TABLE " + users(ctx) + " DROP CONSTRAINT IF EXISTS " + Sql.ident(TempNames.usersNotNullCheck(original.newKey()));
    }

    private String dropNotNull(StepContext ctx) {
        return "ALTER TABLE " + users(ctx) + " ALTER COLUMN " + Sql.ident(original.newKey()) + " DROP NOT NULL";
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) {
        List<PlannedStatement> out = new ArrayList<>();
        if (addedUnique(ctx)) {
            out.add(new PlannedStatement(dropConstraint(ctx) + "  -- when it was attached as a constraint", "ACCESS EXCLUSIVE (catalog only)"));
            out.add(new PlannedStatement(MigrationSql.dropIndexConcurrently(original.schema(), uniqueName(ctx))
                + "  -- when it is a bare index", "SHARE UPDATE EXCLUSIVE"));
        }
        if (!original.newKeyNotNull()) {
            out.add(new PlannedStatement(dropNotNull(ctx), "ACCESS EXCLUSIVE (catalog only)"));
        }
        out.add(new PlannedStatement(dropCheck(ctx), "ACCESS EXCLUSIVE (catalog only)"));
        if (out.size() == 1 && original.newKeyNotNull()) {
            out.add(0, new PlannedStatement("-- " + original.name() + "(" + original.newKey()
                + ") was NOT NULL and unique before the migration: nothing was added, nothing to remove", "none"));
        }
        return out;
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        if (indexPresent(ctx)) {
            if (Catalog.constraintValidated(ctx.conn(), original.schema(), original.name(), uniqueName(ctx)) != null) {
                ctx.blocking().inTransaction(ctx.conn(), "drop unique constraint on " + original.name(),
                    c -> Catalog.exec(c, dropConstraint(ctx)));
            } else {
                ctx.blocking().autocommit(ctx.conn(), "drop index " + uniqueName(ctx), ctx.settings().lock().waitTimeout(),
                    c -> Catalog.exec(c, MigrationSql.dropIndexConcurrently(original.schema(), uniqueName(ctx))));
            }
        }
        if (checkPresent(ctx) || notNullAdded(ctx)) {
            boolean dropNn = notNullAdded(ctx);
            ctx.blocking().inTransaction(ctx.conn(), "restore nullability of " + original.name() + "." + original.newKey(), c -> {
                if (dropNn) {
                    Catalog.exec(c, dropNotNull(ctx));
                }
                Catalog.exec(c, dropCheck(ctx));
            });
        }
    }
}
