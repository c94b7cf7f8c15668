package org.uuidmig.steps;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.uuidmig.catalog.Catalog;
import org.uuidmig.db.Sql;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.StateStore;
import org.uuidmig.engine.StepContext;
import org.uuidmig.plan.UsersTable;
import org.uuidmig.sql.MigrationSql;
import org.uuidmig.sql.TempNames;

/**
 * Rollback: undoes what {@link SecureUsersKeyStep} added to users(uuid), and only that: the
 * unique index (attached as a UNIQUE constraint, or bare after an interrupted build) and the
 * helper NOT NULL check that uuidmig.created_objects records it created, each only while the
 * object with the recorded oid is still there (an object of the application that merely has the
 * same name, such as its own users_uuid_key, is never dropped); and NOT NULL when
 * uuidmig.users_table.original records the column as nullable before. Runs after every FK to
 * users(uuid) that the migration made is gone.
 * Lock: ACCESS EXCLUSIVE on users, briefly, under lock_timeout with retries, to drop the
 * constraint or NOT NULL; SHARE UPDATE EXCLUSIVE to drop a bare index concurrently.
 * Transaction: one per statement kind.
 * Done when: users(uuid) has neither a recorded object nor a NOT NULL it did not have.
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

    private String users() {
        return Sql.qualified(original.schema(), original.name());
    }

    /** The recorded unique index's current name and, when attached, its constraint's name; null when absent. */
    private String[] recordedIndex(StepContext ctx) throws SQLException {
        StateStore.CreatedObject rec = StateStore.created(ctx.conn(), ctx.schema(), StateStore.USERS_UNIQUE_INDEX);
        if (rec == null) {
            return null;
        }
        Long oid = rec.oid() != null ? rec.oid() : SecureUsersKeyStep.builtIndexOid(ctx.conn(), original, rec.name());
        if (oid == null) {
            return null;
        }
        try (PreparedStatement ps = ctx.conn().prepareStatement("""
            SELECT ic.relname, (SELECT con.conname FROM pg_catalog.pg_constraint con WHERE con.conindid = ic.oid
                                   AND con.conrelid = i.indrelid AND con.contype = 'u' LIMIT 1)
              FROM pg_catalog.pg_class ic JOIN pg_catalog.pg_index i ON i.indexrelid = ic.oid
             WHERE ic.oid = ?::bigint::oid AND i.indrelid = ?::regclass""")) {
            ps.setLong(1, oid);
            ps.setString(2, users());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new String[] {rs.getString(1), rs.getString(2)} : null;
            }
        }
    }

    /** Whether the helper check on users is there under the recorded oid (so it is uuidmig's). */
    private boolean checkPresent(StepContext ctx) throws SQLException {
        StateStore.CreatedObject rec = StateStore.created(ctx.conn(), ctx.schema(), StateStore.USERS_NOT_NULL_CHECK);
        return rec != null && rec.oid() != null && Catalog.exists(ctx.conn(), """
            SELECT 1 FROM pg_catalog.pg_constraint WHERE oid = ?::bigint::oid AND conrelid = ?::regclass AND conname = ?""",
            rec.oid(), users(), rec.name());
    }

    private boolean notNullAdded(StepContext ctx) throws SQLException {
        UsersTable u = original;
        return !u.targetKeyNotNull() && Catalog.exists(ctx.conn(), """
            SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = ?::regclass AND a.attname = ? AND a.attnotnull""",
            users(), u.targetKey());
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        return recordedIndex(ctx) == null && !checkPresent(ctx) && !notNullAdded(ctx);
    }

    private String dropConstraint(String name) {
        return "ALTER TABLE " + users() + " DROP CONSTRAINT IF EXISTS " + Sql.ident(name);
    }

    private String dropCheck() {
        return "ALTER TABLE " + users() + " DROP CONSTRAINT IF EXISTS " + Sql.ident(TempNames.usersNotNullCheck(original.targetKey()));
    }

    private String dropNotNull() {
        return "ALTER TABLE " + users() + " ALTER COLUMN " + Sql.ident(original.targetKey()) + " DROP NOT NULL";
    }

    /**
     * The unique index recorded as uuidmig's, if it is still there under its oid (now): its constraint dropped when it
     * is attached as one (with the index), else the bare index dropped concurrently.
     */
    private List<PlannedStatement> dropIndex(StepContext ctx) throws SQLException {
        String[] idx = recordedIndex(ctx);
        if (idx == null) {
            return List.of();
        }
        return List.of(idx[1] != null
            ? PlannedStatement.once(dropConstraint(idx[1]), "ACCESS EXCLUSIVE (catalog only)", "the unique constraint uuidmig attached, with its index")
            : PlannedStatement.once(MigrationSql.dropIndexConcurrently(original.schema(), idx[0]), "SHARE UPDATE EXCLUSIVE",
                "the unique index uuidmig built, never attached"));
    }

    /** In one transaction: NOT NULL dropped where uuidmig added it, and its helper check where it is still there (now). */
    private List<PlannedStatement> restoreNullability(StepContext ctx) throws SQLException {
        List<PlannedStatement> out = new ArrayList<>();
        if (notNullAdded(ctx)) {
            out.add(new PlannedStatement(dropNotNull(), "ACCESS EXCLUSIVE (catalog only)"));
        }
        if (checkPresent(ctx)) {
            out.add(new PlannedStatement(dropCheck(), "ACCESS EXCLUSIVE (catalog only)"));
        }
        return out;
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) throws SQLException {
        List<PlannedStatement> out = new ArrayList<>(dropIndex(ctx));
        out.addAll(restoreNullability(ctx));
        return out;
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        for (PlannedStatement s : dropIndex(ctx)) {
            if (s.sql().startsWith("DROP INDEX CONCURRENTLY")) {
                ctx.blocking().autocommit(ctx.conn(), "drop index on " + original.name(), ctx.settings().lock().waitTimeout(),
                    c -> Catalog.exec(c, s.sql()));
            } else {
                ctx.blocking().inTransaction(ctx.conn(), "drop unique constraint on " + original.name(), c -> Catalog.exec(c, s.sql()));
            }
        }
        List<PlannedStatement> nullability = restoreNullability(ctx);
        if (!nullability.isEmpty()) {
            ctx.blocking().inTransaction(ctx.conn(), "restore nullability of " + original.name() + "." + original.targetKey(),
                c -> PlannedStatement.send(c, nullability));
        }
    }
}
