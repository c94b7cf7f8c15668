package org.uuidmig.steps;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.catalog.Catalog;
import org.uuidmig.db.Sql;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.StateStore;
import org.uuidmig.engine.StepContext;
import org.uuidmig.engine.StepIds;
import org.uuidmig.plan.UsersTable;
import org.uuidmig.sql.TempNames;

/**
 * Makes users(uuid) a valid foreign-key target when it is not: a unique index built
 * concurrently and attached as a UNIQUE constraint, and NOT NULL through a validated check.
 * The index takes the first free name of users_uuid_key, users_uuid_key1, ... (an application's
 * object holding the name is never adopted), and both it and the helper check are recorded in
 * uuidmig.created_objects, so that rollback drops them and nothing else: the index's name before
 * its concurrent build (which cannot share a transaction with the record) and its oid after; the
 * check in the transaction that adds it.
 * Lock: SHARE UPDATE EXCLUSIVE for the index build and validation; ACCESS EXCLUSIVE on users,
 * briefly and under lock_timeout with retries, to attach the constraint and set NOT NULL.
 * Transaction: index build auto-commit; each attach in one.
 * Done when: users(uuid) is NOT NULL and has a valid, non-partial unique index.
 */
final class SecureUsersKeyStep implements MigrationStep {
    @Override
    public String id() {
        return StepIds.USERS_KEY;
    }

    @Override
    public String target() {
        return "";
    }

    private static String users(StepContext ctx) {
        return Sql.qualified(ctx.users().schema(), ctx.users().name());
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        return notNull(ctx) && hasUnique(ctx);
    }

    private static boolean notNull(StepContext ctx) throws SQLException {
        UsersTable u = ctx.users();
        return Catalog.exists(ctx.conn(), """
            SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = ?::regclass AND a.attname = ? AND a.attnotnull""",
            users(ctx), u.targetKey());
    }

    private static boolean hasUnique(StepContext ctx) throws SQLException {
        return Catalog.exists(ctx.conn(), """
            SELECT 1 FROM pg_catalog.pg_index i JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
             WHERE i.indrelid = ?::regclass AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
               AND i.indnkeyatts = 1 AND a.attname = ?""", users(ctx), ctx.users().targetKey());
    }

    /** Whether no relation of users' schema and no constraint on users is called name. */
    static boolean nameFree(Connection c, UsersTable u, String name) throws SQLException {
        return !Catalog.exists(c, """
            SELECT 1 FROM pg_catalog.pg_class r JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
             WHERE n.nspname = ? AND r.relname = ?
            UNION ALL
            SELECT 1 FROM pg_catalog.pg_constraint con WHERE con.conrelid = ?::regclass AND con.conname = ?""",
            u.schema(), name, Sql.qualified(u.schema(), u.name()), name);
    }

    /** The first free candidate name for the unique index (see {@link TempNames#usersUniqueIndex(String, String, int)}). */
    static String firstFreeName(Connection c, UsersTable u) throws SQLException {
        for (int n = 0; ; n++) {
            String name = TempNames.usersUniqueIndex(u.name(), u.targetKey(), n);
            if (nameFree(c, u, name)) {
                return name;
            }
        }
    }

    /**
     * The oid of the index called name if it is what this step builds (an index of users on the uuid column alone,
     * unique, without predicate or expression; valid or not), else null.
     */
    static Long builtIndexOid(Connection c, UsersTable u, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT ic.oid::bigint FROM pg_catalog.pg_class ic JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace
              JOIN pg_catalog.pg_index i ON i.indexrelid = ic.oid
              JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
             WHERE n.nspname = ? AND ic.relname = ? AND i.indrelid = ?::regclass AND i.indisunique AND i.indpred IS NULL
               AND i.indexprs IS NULL AND i.indnkeyatts = 1 AND i.indnatts = 1 AND a.attname = ?""")) {
            ps.setString(1, u.schema());
            ps.setString(2, name);
            ps.setString(3, Sql.qualified(u.schema(), u.name()));
            ps.setString(4, u.targetKey());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    /** The recorded index's current name and validity, by oid, or null when it is gone. */
    private static Object[] indexByOid(Connection c, long oid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT ic.relname, i.indisvalid FROM pg_catalog.pg_class ic JOIN pg_catalog.pg_index i ON i.indexrelid = ic.oid
             WHERE ic.oid = ?::bigint::oid""")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Object[] {rs.getString(1), rs.getBoolean(2)} : null;
            }
        }
    }

    /** For --dry-run: the name recorded by an earlier run, else the one this run would choose. */
    private static String plannedName(StepContext ctx) {
        try {
            StateStore.CreatedObject rec = StateStore.created(ctx.conn(), ctx.schema(), StateStore.USERS_UNIQUE_INDEX);
            return rec != null ? rec.name() : firstFreeName(ctx.conn(), ctx.users());
        } catch (SQLException e) {
            return TempNames.usersUniqueIndex(ctx.users().name(), ctx.users().targetKey());
        }
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) {
        List<PlannedStatement> out = new ArrayList<>();
        UsersTable u = ctx.users();
        if (u.targetKeyUniqueIndex() == null) {
            String name = plannedName(ctx);
            out.add(new PlannedStatement(createUnique(ctx, name) + "  -- the first free name of " + u.name() + "_" + u.targetKey()
                + "_key, ..._key1, ...; recorded in uuidmig.created_objects", "SHARE UPDATE EXCLUSIVE"));
            out.add(new PlannedStatement(attachUnique(ctx, name), "ACCESS EXCLUSIVE (catalog only)"));
        }
        if (!u.targetKeyNotNull()) {
            for (String s : notNullStatements(ctx)) {
                out.add(new PlannedStatement(s, s.contains("VALIDATE") ? "SHARE UPDATE EXCLUSIVE" : "ACCESS EXCLUSIVE (catalog only)"));
            }
        }
        if (out.isEmpty()) {
            out.add(new PlannedStatement("-- " + u.name() + "(" + u.targetKey() + ") is already NOT NULL and unique: nothing to do", "none"));
        }
        return out;
    }

    private static String createUnique(StepContext ctx, String name) {
        return "CREATE UNIQUE INDEX CONCURRENTLY " + Sql.ident(name) + " ON " + users(ctx) + " (" + Sql.ident(ctx.users().targetKey()) + ")";
    }

    private static String attachUnique(StepContext ctx, String name) {
        return "ALTER TABLE " + users(ctx) + " ADD CONSTRAINT " + Sql.ident(name) + " UNIQUE USING INDEX " + Sql.ident(name);
    }

    private static List<String> notNullStatements(StepContext ctx) {
        String check = Sql.ident(TempNames.usersNotNullCheck(ctx.users().targetKey()));
        String col = Sql.ident(ctx.users().targetKey());
        return List.of(
            "ALTER TABLE " + users(ctx) + " ADD CONSTRAINT " + check + " CHECK (" + col + " IS NOT NULL) NOT VALID",
            "ALTER TABLE " + users(ctx) + " VALIDATE CONSTRAINT " + check,
            "ALTER TABLE " + users(ctx) + " ALTER COLUMN " + col + " SET NOT NULL",
            "ALTER TABLE " + users(ctx) + " DROP CONSTRAINT " + check);
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        Connection conn = ctx.conn();
        UsersTable u = ctx.users();
        String schema = ctx.schema();
        StateStore.CreatedObject rec = StateStore.created(conn, schema, StateStore.USERS_UNIQUE_INDEX);
        if (rec != null && rec.oid() == null) {
            // the name was chosen by an earlier run, which may have stopped in or after the build
            Long oid = builtIndexOid(conn, u, rec.name());
            if (oid != null) {
                StateStore.recordCreated(conn, schema, StateStore.USERS_UNIQUE_INDEX, rec.name(), oid);
                rec = new StateStore.CreatedObject(rec.kind(), rec.name(), oid);
            } else if (!nameFree(conn, u, rec.name())) {
                rec = null; // someone else took the name since: choose another
            }
        }
        if (!hasUnique(ctx)) {
            Object[] built = rec == null || rec.oid() == null ? null : indexByOid(conn, rec.oid());
            if (built != null && !(Boolean) built[1]) {
                String invalid = (String) built[0];
                ctx.blocking().autocommit(conn, "drop invalid index " + invalid, ctx.settings().lock().waitTimeout(),
                    c -> Catalog.exec(c, "DROP INDEX CONCURRENTLY IF EXISTS " + Sql.qualified(u.schema(), invalid)));
                built = null;
            }
            if (built == null) {
                String name = rec != null && nameFree(conn, u, rec.name()) ? rec.name() : firstFreeName(conn, u);
                StateStore.recordCreated(conn, schema, StateStore.USERS_UNIQUE_INDEX, name, null);
                ctx.blocking().autocommit(conn, "create unique index on " + u.name(), ctx.settings().lock().waitTimeout(),
                    c -> Catalog.exec(c, createUnique(ctx, name)));
                Long oid = builtIndexOid(conn, u, name);
                if (oid == null) {
                    throw new UuidmigException(ExitCode.UNEXPECTED, "created unique index " + name + " on " + users(ctx)
                        + " but cannot find it; rerun uuidmig migrate");
                }
                StateStore.recordCreated(conn, schema, StateStore.USERS_UNIQUE_INDEX, name, oid);
                rec = new StateStore.CreatedObject(StateStore.USERS_UNIQUE_INDEX, name, oid);
            }
        }
        if (rec != null && rec.oid() != null) {
            Object[] idx = indexByOid(conn, rec.oid());
            if (idx != null && (Boolean) idx[1] && !Catalog.exists(conn,
                "SELECT 1 FROM pg_catalog.pg_constraint WHERE conindid = ?::bigint::oid AND conrelid = ?::regclass",
                rec.oid(), users(ctx))) {
                String name = (String) idx[0];
                ctx.blocking().inTransaction(conn, "attach unique constraint to " + u.name(),
                    c -> Catalog.exec(c, attachUnique(ctx, name)));
            }
        }
        if (!notNull(ctx)) {
            List<String> s = notNullStatements(ctx);
            String check = TempNames.usersNotNullCheck(u.targetKey());
            StateStore.CreatedObject recCheck = StateStore.created(conn, schema, StateStore.USERS_NOT_NULL_CHECK);
            Long checkOid = checkOid(conn, ctx, check);
            if (checkOid != null && (recCheck == null || !checkOid.equals(recCheck.oid()))) {
                throw new UuidmigException(ExitCode.CHECKS_FAILED, "constraint " + check + " on " + users(ctx)
                    + " was not created by uuidmig: rename or drop it, then rerun uuidmig migrate");
            }
            if (checkOid == null) {
                ctx.blocking().inTransaction(conn, "add NOT NULL check on " + u.name(), c -> {
                    Catalog.exec(c, s.get(0));
                    StateStore.recordCreated(c, schema, StateStore.USERS_NOT_NULL_CHECK, check, checkOid(c, ctx, check));
                });
            }
            ctx.blocking().autocommit(conn, "validate NOT NULL check on " + u.name(), ctx.settings().lock().waitTimeout(),
                c -> Catalog.exec(c, s.get(1)));
            ctx.blocking().inTransaction(conn, "set NOT NULL on " + u.name(), c -> {
                Catalog.exec(c, s.get(2));
                Catalog.exec(c, s.get(3));
                StateStore.forgetCreated(c, schema, StateStore.USERS_NOT_NULL_CHECK);
            });
        }
    }

    /** The oid of the constraint called name on users, or null. */
    static Long checkOid(Connection c, StepContext ctx, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT oid::bigint FROM pg_catalog.pg_constraint WHERE conrelid = ?::regclass AND conname = ?")) {
            ps.setString(1, users(ctx));
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }
}
