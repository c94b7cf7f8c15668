package org.uuidmig.step;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.uuidmig.db.Sql;
import org.uuidmig.plan.UsersTable;
import org.uuidmig.sql.TempNames;

/**
 * Makes users(uuid) a valid foreign-key target when it is not: a unique index built
 * concurrently and attached as a UNIQUE constraint, and NOT NULL through a validated check.
 * Lock: SHARE UPDATE EXCLUSIVE for the index build and validation; ACCESS EXCLUSIVE on users,
 * briefly and under lock_timeout with retries, to attach the constraint and set NOT NULL.
 * Transaction: index build auto-commit; each attach in one.
 * Done when: users(uuid) is NOT NULL and has a valid, non-partial unique index.
 */
final class SecureUsersKeyStep implements MigrationStep {
    @Override
    public String id() {
        return Steps.USERS_KEY;
    }

    @Override
    public String target() {
        return "";
    }

    private static String users(StepContext ctx) {
        return Sql.qualified(ctx.users().schema(), ctx.users().name());
    }

    private static String uniqueName(StepContext ctx) {
        return TempNames.usersUniqueIndex(ctx.users().name(), ctx.users().newKey());
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        return notNull(ctx) && hasUnique(ctx);
    }

    private static boolean notNull(StepContext ctx) throws SQLException {
        UsersTable u = ctx.users();
        return Catalog.exists(ctx.conn(), """
            SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = ?::regclass AND a.attname = ? AND a.attnotnull""",
            users(ctx), u.newKey());
    }

    private static boolean hasUnique(StepContext ctx) throws SQLException {
        return Catalog.exists(ctx.conn(), """
            SELECT 1 FROM pg_catalog.pg_index i JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
             WHERE i.indrelid = ?::regclass AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
               AND i.indnkeyatts = 1 AND a.attname = ?""", users(ctx), ctx.users().newKey());
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) {
        List<PlannedStatement> out = new ArrayList<>();
        UsersTable u = ctx.users();
        if (u.newKeyUniqueIndex() == null) {
            out.add(new PlannedStatement(createUnique(ctx), "SHARE UPDATE EXCLUSIVE"));
            out.add(new PlannedStatement(attachUnique(ctx), "ACCESS EXCLUSIVE (catalog only)"));
        }
        if (!u.newKeyNotNull()) {
            for (String s : notNullStatements(ctx)) {
                out.add(new PlannedStatement(s, s.contains("VALIDATE") ? "SHARE UPDATE EXCLUSIVE" : "ACCESS EXCLUSIVE (catalog only)"));
            }
        }
        if (out.isEmpty()) {
            out.add(new PlannedStatement("-- " + u.name() + "(" + u.newKey() + ") is already NOT NULL and unique: nothing to do", "none"));
        }
        return out;
    }

    private static String createUnique(StepContext ctx) {
        return "CREATE UNIQUE INDEX CONCURRENTLY " + Sql.ident(uniqueName(ctx)) + " ON " + users(ctx) + " (" + Sql.ident(ctx.users().newKey()) + ")";
    }

    private static String attachUnique(StepContext ctx) {
        return "ALTER TABLE " + users(ctx) + " ADD CONSTRAINT " + Sql.ident(uniqueName(ctx)) + " UNIQUE USING INDEX " + Sql.ident(uniqueName(ctx));
    }

    private static List<String> notNullStatements(StepContext ctx) {
        String check = Sql.ident(TempNames.usersNotNullCheck(ctx.users().newKey()));
        String col = Sql.ident(ctx.users().newKey());
        return List.of(
            "ALTER TABLE " + users(ctx) + " ADD CONSTRAINT " + check + " CHECK (" + col + " IS NOT NULL) NOT VALID",
            "ALTER TABLE " + users(ctx) + " VALIDATE CONSTRAINT " + check,
            "ALTER TABLE " + users(ctx) + " ALTER COLUMN " + col + " SET NOT NULL",
            "ALTER TABLE " + users(ctx) + " DROP CONSTRAINT " + check);
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        if (!hasUnique(ctx)) {
            Boolean valid = Catalog.indexValid(ctx.conn(), ctx.users().schema(), uniqueName(ctx));
            if (valid != null && !valid) {
                ctx.blocking().autocommit(ctx.conn(), "drop invalid index " + uniqueName(ctx), ctx.settings().lock().waitTimeout(),
                    c -> Catalog.exec(c, "DROP INDEX CONCURRENTLY IF EXISTS " + Sql.qualified(ctx.users().schema(), uniqueName(ctx))));
                valid = null;
            }
            if (valid == null) {
                ctx.blocking().autocommit(ctx.conn(), "create unique index on " + ctx.users().name(), ctx.settings().lock().waitTimeout(),
                    c -> Catalog.exec(c, createUnique(ctx)));
            }
        }
        if (Catalog.constraintValidated(ctx.conn(), ctx.users().schema(), ctx.users().name(), uniqueName(ctx)) == null
            && Catalog.indexValid(ctx.conn(), ctx.users().schema(), uniqueName(ctx)) != null) {
            ctx.blocking().inTransaction(ctx.conn(), "attach unique constraint to " + ctx.users().name(),
                c -> Catalog.exec(c, attachUnique(ctx)));
        }
        if (!notNull(ctx)) {
            List<String> s = notNullStatements(ctx);
            String check = TempNames.usersNotNullCheck(ctx.users().newKey());
            if (Catalog.constraintValidated(ctx.conn(), ctx.users().schema(), ctx.users().name(), check) == null) {
                ctx.blocking().inTransaction(ctx.conn(), "add NOT NULL check on " + ctx.users().name(), c -> Catalog.exec(c, s.get(0)));
            }
            ctx.blocking().autocommit(ctx.conn(), "validate NOT NULL check on " + ctx.users().name(), ctx.settings().lock().waitTimeout(),
                c -> Catalog.exec(c, s.get(1)));
            ctx.blocking().inTransaction(ctx.conn(), "set NOT NULL on " + ctx.users().name(), c -> {
                Catalog.exec(c, s.get(2));
                Catalog.exec(c, s.get(3));
            });
        }
    }
}
