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

    /**
     * What the step does from the state on c now (catalog and uuidmig.created_objects), decided before it sends
     * anything: the same decisions for --dry-run and for the run.
     *
     * @param recorded      the unique index's record, its oid found when an earlier run stopped before recording it
     * @param recordOid     the record lacked the oid, which was found: the run records it first
     * @param dropInvalid   an invalid index uuidmig built (an interrupted build) to drop first, or null
     * @param build         the name of the unique index to build, or null
     * @param attach        the name of the index to attach as a UNIQUE constraint, or null
     * @param setNotNull    whether to make the column NOT NULL (through a validated check)
     * @param addCheck      whether the helper check is still to add
     * @param foreignCheck  a constraint of the check's name that uuidmig did not create is in the way (the run refuses)
     */
    private record Decision(StateStore.CreatedObject recorded, boolean recordOid, String dropInvalid, String build, String attach,
                            boolean setNotNull, boolean addCheck, boolean foreignCheck) {
    }

    private static Decision decide(Connection conn, StepContext ctx) throws SQLException {
        UsersTable u = ctx.users();
        StateStore.CreatedObject rec = StateStore.created(conn, ctx.schema(), StateStore.USERS_UNIQUE_INDEX);
        boolean recordOid = false;
        if (rec != null && rec.oid() == null) {
            // the name was chosen by an earlier run, which may have stopped in or after the build
            Long oid = builtIndexOid(conn, u, rec.name());
            if (oid != null) {
                rec = new StateStore.CreatedObject(rec.kind(), rec.name(), oid);
                recordOid = true;
            } else if (!nameFree(conn, u, rec.name())) {
                rec = null; // someone else took the name since: choose another
            }
        }
        String dropInvalid = null;
        String build = null;
        String attach = null;
        if (!hasUnique(ctx)) {
            Object[] built = rec == null || rec.oid() == null ? null : indexByOid(conn, rec.oid());
            if (built != null && !(Boolean) built[1]) {
                dropInvalid = (String) built[0];
                built = null;
            }
            if (built == null) {
                build = rec != null && nameFree(conn, u, rec.name()) ? rec.name() : firstFreeName(conn, u);
                attach = build;
            }
        }
        if (build == null && rec != null && rec.oid() != null) {
            Object[] idx = indexByOid(conn, rec.oid());
            if (idx != null && (Boolean) idx[1] && !Catalog.exists(conn,
                "SELECT 1 FROM pg_catalog.pg_constraint WHERE conindid = ?::bigint::oid AND conrelid = ?::regclass",
                rec.oid(), users(ctx))) {
                attach = (String) idx[0];
            }
        }
        boolean setNotNull = !notNull(ctx);
        boolean addCheck = false;
        boolean foreignCheck = false;
        if (setNotNull) {
            StateStore.CreatedObject recCheck = StateStore.created(conn, ctx.schema(), StateStore.USERS_NOT_NULL_CHECK);
            Long checkOid = checkOid(conn, ctx, TempNames.usersNotNullCheck(u.targetKey()));
            foreignCheck = checkOid != null && (recCheck == null || !checkOid.equals(recCheck.oid()));
            addCheck = checkOid == null;
        }
        return new Decision(rec, recordOid, dropInvalid, build, attach, setNotNull, addCheck, foreignCheck);
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) throws SQLException {
        Decision d = decide(ctx.conn(), ctx);
        UsersTable u = ctx.users();
        List<PlannedStatement> out = new ArrayList<>();
        if (d.dropInvalid() != null) {
            out.add(PlannedStatement.once(dropIndex(ctx, d.dropInvalid()), "SHARE UPDATE EXCLUSIVE", "left invalid by an interrupted build"));
        }
        if (d.build() != null) {
            out.add(PlannedStatement.once(createUnique(ctx, d.build()), "SHARE UPDATE EXCLUSIVE", "the first free name of " + u.name() + "_"
                + u.targetKey() + "_key, ..._key1, ...; recorded in uuidmig.created_objects"));
        }
        if (d.attach() != null) {
            out.add(new PlannedStatement(attachUnique(ctx, d.attach()), "ACCESS EXCLUSIVE (catalog only)"));
        }
        if (d.setNotNull()) {
            List<String> s = notNullStatements(ctx);
            if (d.addCheck()) {
                out.add(PlannedStatement.once(s.get(0), "ACCESS EXCLUSIVE (catalog only)", "recorded in uuidmig.created_objects"));
            }
            out.add(new PlannedStatement(s.get(1), "SHARE UPDATE EXCLUSIVE"));
            out.add(new PlannedStatement(s.get(2), "ACCESS EXCLUSIVE (catalog only)"));
            out.add(new PlannedStatement(s.get(3), "ACCESS EXCLUSIVE (catalog only)"));
        }
        return out;
    }

    private static String dropIndex(StepContext ctx, String name) {
        return "DROP INDEX CONCURRENTLY IF EXISTS " + Sql.qualified(ctx.users().schema(), name);
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
        Decision d = decide(conn, ctx);
        if (d.recordOid()) {
            StateStore.recordCreated(conn, schema, StateStore.USERS_UNIQUE_INDEX, d.recorded().name(), d.recorded().oid());
        }
        if (d.dropInvalid() != null) {
            ctx.blocking().autocommit(conn, "drop invalid index " + d.dropInvalid(), ctx.settings().lock().waitTimeout(),
                c -> Catalog.exec(c, dropIndex(ctx, d.dropInvalid())));
        }
        if (d.build() != null) {
            String name = d.build();
            StateStore.recordCreated(conn, schema, StateStore.USERS_UNIQUE_INDEX, name, null);
            ctx.blocking().autocommit(conn, "create unique index on " + u.name(), ctx.settings().lock().waitTimeout(),
                c -> Catalog.exec(c, createUnique(ctx, name)));
            Long oid = builtIndexOid(conn, u, name);
            if (oid == null) {
                throw new UuidmigException(ExitCode.UNEXPECTED, "created unique index " + name + " on " + users(ctx)
                    + " but cannot find it; rerun uuidmig migrate");
            }
            StateStore.recordCreated(conn, schema, StateStore.USERS_UNIQUE_INDEX, name, oid);
        }
        if (d.attach() != null) {
            ctx.blocking().inTransaction(conn, "attach unique constraint to " + u.name(), c -> Catalog.exec(c, attachUnique(ctx, d.attach())));
        }
        if (d.setNotNull()) {
            List<String> s = notNullStatements(ctx);
            String check = TempNames.usersNotNullCheck(u.targetKey());
            if (d.foreignCheck()) {
                throw new UuidmigException(ExitCode.CHECKS_FAILED, "constraint " + check + " on " + users(ctx)
                    + " was not created by uuidmig: rename or drop it, then rerun uuidmig migrate");
            }
            if (d.addCheck()) {
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
