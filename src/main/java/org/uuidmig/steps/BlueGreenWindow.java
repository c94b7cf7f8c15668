package org.uuidmig.steps;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.catalog.Catalog;
import org.uuidmig.db.Sql;
import org.uuidmig.engine.StateStore;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.sql.TempNames;

/**
 * The blue-green window (issue 13): between {@code migrate --phase expand} and {@code --phase contract}, schema
 * {@code <schema>_uuid} holds one automatically updatable view per migrated table, with the table's own name and
 * columns, the user column being the new uuid column under its own name (the integer left out). Green connects with
 * {@code search_path = <schema>_uuid, <schema>}; blue keeps using the tables. The sync triggers then work both ways
 * ({@link org.uuidmig.sql.MigrationSql#syncFunctionBothWays}). The swap drops each table's view in its own
 * transaction, and the schema with the last one; rollback before the swap drops them first.
 *
 * The schema is recorded in uuidmig.created_objects (name and oid): uuidmig drops only a schema it created, and
 * only when nothing but its views is in it.
 */
public final class BlueGreenWindow {
    private BlueGreenWindow() {
    }

    /** The recorded view schema of application schema {@code schema}, or null when no window is open. */
    public static StateStore.CreatedObject recorded(Connection c, String schema) throws SQLException {
        return StateStore.created(c, schema, StateStore.VIEW_SCHEMA);
    }

    /** Whether a schema of that name exists. */
    static Long schemaOid(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT oid::bigint FROM pg_catalog.pg_namespace WHERE nspname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    /** The view: the table's columns as they will be after the swap (the new column under the old name, in its own place). */
    static String viewSql(Connection c, String schema, String viewSchema, String table, List<PlannedColumn> cols) throws SQLException {
        List<String> select = new ArrayList<>();
        Set<String> planned = new LinkedHashSet<>();
        java.util.Map<String, String> shadows = new java.util.LinkedHashMap<>();
        for (PlannedColumn col : cols) {
            planned.add(col.ref().column());
            shadows.put(TempNames.shadowColumn(col.ref().column()), col.ref().column());
        }
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT a.attname FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = ?::pg_catalog.regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""")) {
            ps.setString(1, Sql.qualified(schema, table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    // the order the table will have after the swap (which drops the integer and renames the new
                    // column in place), so a green SELECT * returns the same columns before and after contract
                    String a = rs.getString(1);
                    if (shadows.containsKey(a)) {
                        select.add("x." + Sql.ident(a) + " AS " + Sql.ident(shadows.remove(a)));
                    } else if (!planned.contains(a)) {
                        select.add("x." + Sql.ident(a));
                    }
                }
            }
        }
        // before expand (a --dry-run): the shadow columns do not exist yet; ADD COLUMN will put them last, in this order
        shadows.forEach((shadow, column) -> select.add("x." + Sql.ident(shadow) + " AS " + Sql.ident(column)));
        return "CREATE VIEW " + Sql.qualified(viewSchema, table) + " AS SELECT " + String.join(", ", select) + " FROM "
            + Sql.qualified(schema, table) + " x";
    }

    /**
     * The table's own privileges (SELECT, INSERT, UPDATE, DELETE, to each grantee, the owner's implicit ones included),
     * granted on its view, so that whoever may use the table may use the view and nobody else.
     */
    static List<String> grants(Connection c, String schema, String viewSchema, String table, Set<String> grantees) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END, a.privilege_type, a.is_grantable
              FROM pg_catalog.pg_class t,
                   pg_catalog.aclexplode(coalesce(t.relacl, pg_catalog.acldefault('r', t.relowner))) a
             WHERE t.oid = ?::pg_catalog.regclass AND a.privilege_type IN ('SELECT', 'INSERT', 'UPDATE', 'DELETE')
             ORDER BY 1, 2""")) {
            ps.setString(1, Sql.qualified(schema, table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String grantee = rs.getString(1) == null ? "PUBLIC" : Sql.ident(rs.getString(1));
                    grantees.add(grantee);
                    out.add("GRANT " + rs.getString(2) + " ON " + Sql.qualified(viewSchema, table) + " TO " + grantee
                        + (rs.getBoolean(3) ? " WITH GRANT OPTION" : ""));
                }
            }
        }
        return out;
    }

    /** Fails (exit 1) when a schema of the view schema's name exists and is not the one uuidmig recorded. */
    public static void requireFree(Connection c, String schema, String viewSchema) throws SQLException {
        Long oid = schemaOid(c, viewSchema);
        StateStore.CreatedObject rec = recorded(c, schema);
        if (oid != null && (rec == null || !viewSchema.equals(rec.name()) || !oid.equals(rec.oid()))) {
            throw new UuidmigException(ExitCode.CHECKS_FAILED, "schema " + Sql.ident(viewSchema) + " already exists and uuidmig did "
                + "not create it; name another schema for the blue-green views with --view-schema");
        }
    }

    /**
     * The swap's statements, under its locks, for the window: drop each pending table's view, then the schema if
     * nothing else depends on it any more (checked by oid, so a schema recreated under the name by someone else stays).
     */
    static List<String> closeStatements(String schema, StateStore.CreatedObject rec, List<String> pending) {
        List<String> out = new ArrayList<>();
        if (rec == null) {
            return out;
        }
        for (String t : pending) {
            out.add("DROP VIEW IF EXISTS " + Sql.qualified(rec.name(), t));
        }
        out.add("DO $uuidmig$\nBEGIN\n"
            + "    IF EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE oid = " + rec.oid() + " AND nspname = " + Sql.literal(rec.name()) + ")\n"
            + "       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend WHERE refclassid = 'pg_catalog.pg_namespace'::pg_catalog.regclass"
            + " AND refobjid = " + rec.oid() + ") THEN\n"
            + "        DROP SCHEMA " + Sql.ident(rec.name()) + ";\n"
            + "        DELETE FROM uuidmig.created_objects WHERE table_schema = " + Sql.literal(schema) + " AND kind = "
            + Sql.literal(StateStore.VIEW_SCHEMA) + ";\n"
            + "    END IF;\nEND\n$uuidmig$");
        return out;
    }

    /** The swap's first locks: each pending table's view, if it still exists (LOCK on a view locks its table too). */
    static List<String> lockViews(StateStore.CreatedObject rec, List<String> pending) {
        List<String> out = new ArrayList<>();
        if (rec == null) {
            return out;
        }
        for (String t : pending) {
            String view = Sql.qualified(rec.name(), t);
            // a DO block: LOCK fails on a view that is gone (a rerun after some tables were swapped)
            out.add("DO $uuidmig$\nBEGIN\n    IF to_regclass(" + Sql.literal(view) + ") IS NOT NULL THEN\n        LOCK TABLE " + view
                + " IN ACCESS EXCLUSIVE MODE;\n    END IF;\nEND\n$uuidmig$");
        }
        return out;
    }

    /**
     * Writes through the integer path (blue) since {@code quiet} ago, per table and writer, for contract's
     * check: "chat_messages: 12 writes, last 3 s ago by app-blue (10.0.0.7)". Empty when there are none.
     */
    static List<String> recentBlueWrites(Connection c, String schema, java.time.Duration quiet) throws SQLException {
        List<String> out = new ArrayList<>();
        if (!Catalog.exists(c, "SELECT 1 WHERE to_regclass('uuidmig.window_writes') IS NOT NULL")) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT table_name, sum(n), round(extract(epoch FROM now() - max(last_at)))::bigint,
                   string_agg(DISTINCT coalesce(nullif(application_name, ''), '(no application_name)')
                              || coalesce(' from ' || host(client_addr), ''), ', ')
              FROM uuidmig.window_writes
             WHERE table_schema = ? AND side = 'blue' AND last_at > now() - make_interval(secs => ?)
             GROUP BY table_name ORDER BY table_name""")) {
            ps.setString(1, schema);
            ps.setDouble(2, quiet.toMillis() / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + ": " + rs.getLong(2) + " integer writes, the last " + rs.getLong(3) + " s ago, by "
                        + rs.getString(4));
                }
            }
        }
        return out;
    }

    /** Per side, the writes counted since the window opened: {blue, green}. */
    public static long[] writes(Connection c, String schema) throws SQLException {
        long[] out = new long[2];
        if (!Catalog.exists(c, "SELECT 1 WHERE to_regclass('uuidmig.window_writes') IS NOT NULL")) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT coalesce(sum(n) FILTER (WHERE side = 'blue'), 0), coalesce(sum(n) FILTER (WHERE side = 'green'), 0) "
                + "FROM uuidmig.window_writes WHERE table_schema = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                out[0] = rs.getLong(1);
                out[1] = rs.getLong(2);
            }
        }
        return out;
    }
}
