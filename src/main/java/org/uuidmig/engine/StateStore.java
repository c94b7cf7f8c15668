package org.uuidmig.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.catalog.Catalog;
import org.uuidmig.db.Sql;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.plan.UsersTable;

/**
 * The tool's own state, in schema {@value #SCHEMA}: what each column looked like before the
 * migration (so that validate-post and rollback can compare and restore), the step each
 * column has reached, backfill checkpoints, row counts and the insert/delete ledger; the operator's
 * control of a live run (uuidmig.control, see {@link ControlTable}); and the health monitor's probe row and latest
 * sample (uuidmig.probe, uuidmig.health).
 * It stays after the migration as its record; {@code uuidmig rollback} or a DBA may drop it.
 */
public final class StateStore {
    public static final String SCHEMA = org.uuidmig.config.StateSchema.NAME;

    public static final ObjectMapper JSON = new ObjectMapper()
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /**
     * The health monitor's tables (org.uuidmig.health.HealthMonitor): uuidmig.probe, one row per application schema that
     * the probe transaction updates about once a second (a tiny logged write, timed with its commit), and uuidmig.health,
     * the monitor's latest sample per schema, which {@code uuidmig status} shows while a run is active.
     */
    private static final String HEALTH_DDL = """
        CREATE TABLE IF NOT EXISTS uuidmig.probe (
            table_schema     text PRIMARY KEY,
            probes           bigint NOT NULL DEFAULT 1,
            probed_at        timestamptz NOT NULL DEFAULT now());
        CREATE TABLE IF NOT EXISTS uuidmig.health (
            table_schema     text PRIMARY KEY,
            command          text NOT NULL,
            sampled_at       timestamptz NOT NULL DEFAULT now(),
            snapshot         jsonb NOT NULL);
        """;

    /** The state schema, sent in one round trip by {@link #ensure} (and printed by the prepare step's dry run). */
    public static final String DDL = """
        CREATE SCHEMA IF NOT EXISTS uuidmig;
        CREATE TABLE IF NOT EXISTS uuidmig.columns (
            table_schema     text NOT NULL,
            table_name       text NOT NULL,
            column_name      text NOT NULL,
            position         integer NOT NULL,
            step             text NOT NULL DEFAULT 'planned',
            original         jsonb NOT NULL,
            backfill_last_key text[],
            backfill_rows    bigint NOT NULL DEFAULT 0,
            backfill_done    boolean NOT NULL DEFAULT false,
            started_at       timestamptz NOT NULL DEFAULT now(),
            updated_at       timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (table_schema, table_name, column_name));
        CREATE TABLE IF NOT EXISTS uuidmig.tables (
            table_schema     text NOT NULL,
            table_name       text NOT NULL,
            base_rows        bigint,
            counted_at       timestamptz,
            verified_rows    bigint,
            mismatches       bigint,
            verified_at      timestamptz,
            end_rows         bigint,
            ledger_inserted  bigint,
            ledger_deleted   bigint,
            swapped_at       timestamptz,
            stat_ins_at_end  bigint,
            stat_del_at_end  bigint,
            reindexed_at     timestamptz,
            PRIMARY KEY (table_schema, table_name));
        ALTER TABLE uuidmig.tables ADD COLUMN IF NOT EXISTS reindexed_at timestamptz; -- state made by uuidmig 0.1
        ALTER TABLE uuidmig.tables ADD COLUMN IF NOT EXISTS rechecked_rows bigint;
        -- a split backfill's ranges and how far each came (BackfillRanges); NULL when the backfill is not split
        ALTER TABLE uuidmig.columns ADD COLUMN IF NOT EXISTS backfill_ranges jsonb;
        CREATE TABLE IF NOT EXISTS uuidmig.recheck (
            table_schema     text NOT NULL,
            table_name       text NOT NULL,
            column_name      text NOT NULL,
            row_ctid         tid NOT NULL,
            noted_at         timestamptz NOT NULL DEFAULT now());
        CREATE INDEX IF NOT EXISTS recheck_column ON uuidmig.recheck (table_schema, table_name, column_name);
        CREATE UNLOGGED TABLE IF NOT EXISTS uuidmig.window_writes (
            table_schema     text NOT NULL,
            table_name       text NOT NULL,
            side             text NOT NULL,
            pid              integer NOT NULL,
            n                bigint NOT NULL,
            first_at         timestamptz NOT NULL,
            last_at          timestamptz NOT NULL,
            application_name text,
            client_addr      inet,
            PRIMARY KEY (table_schema, table_name, side, pid));
        CREATE TABLE IF NOT EXISTS uuidmig.users_table (
            table_schema     text NOT NULL,
            table_name       text NOT NULL,
            original         jsonb NOT NULL,
            PRIMARY KEY (table_schema, table_name));
        CREATE TABLE IF NOT EXISTS uuidmig.created_objects (
            table_schema     text NOT NULL,
            kind             text NOT NULL,
            object_name      text NOT NULL,
            object_oid       oid,
            created_at       timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (table_schema, kind));
        CREATE TABLE IF NOT EXISTS uuidmig.row_ledger (
            table_schema     text NOT NULL,
            table_name       text NOT NULL,
            inserted         bigint NOT NULL,
            deleted          bigint NOT NULL,
            at               timestamptz NOT NULL DEFAULT now());
        CREATE TABLE IF NOT EXISTS uuidmig.events (
            id               bigserial PRIMARY KEY,
            at               timestamptz NOT NULL DEFAULT now(),
            step             text NOT NULL,
            target           text,
            message          text NOT NULL,
            millis           bigint);
        CREATE TABLE IF NOT EXISTS uuidmig.control (
            table_schema     text PRIMARY KEY,
            paused           boolean NOT NULL DEFAULT false,
            hold_swap        boolean NOT NULL DEFAULT false,
            jobs             integer CHECK (jobs BETWEEN 1 AND 16),
            max_batch_time   interval CHECK (max_batch_time BETWEEN interval '0' AND interval '1 hour'),
            batch_delay      interval CHECK (batch_delay BETWEEN interval '0' AND interval '1 hour'),
            changed_at       timestamptz NOT NULL DEFAULT now(),
            changed_by       text NOT NULL DEFAULT current_user);
        """ + HEALTH_DDL + """
        CREATE OR REPLACE FUNCTION uuidmig.ledger_insert() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $uuidmig$
        DECLARE n bigint;
        BEGIN
            SELECT count(*) INTO n FROM uuidmig_new_rows;
            IF n > 0 THEN
                INSERT INTO uuidmig.row_ledger (table_schema, table_name, inserted, deleted)
                VALUES (TG_TABLE_SCHEMA, TG_TABLE_NAME, n, 0);
            END IF;
            RETURN NULL;
        END $uuidmig$;
        CREATE OR REPLACE FUNCTION uuidmig.ledger_delete() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $uuidmig$
        DECLARE n bigint;
        BEGIN
            SELECT count(*) INTO n FROM uuidmig_old_rows;
            IF n > 0 THEN
                INSERT INTO uuidmig.row_ledger (table_schema, table_name, inserted, deleted)
                VALUES (TG_TABLE_SCHEMA, TG_TABLE_NAME, 0, n);
            END IF;
            RETURN NULL;
        END $uuidmig$;
        """;

    private StateStore() {
    }

    /**
     * Creates the health monitor's tables if they are missing (state made by a uuidmig before them, which a rollback
     * reads without {@link #ensure}); refuses, as {@link #ensure} does, a schema uuidmig that is not its own.
     */
    public static void ensureHealth(Connection c) throws SQLException {
        requireOwn(c);
        try (Statement st = c.createStatement()) {
            st.execute(HEALTH_DDL);
        }
    }

    /** Creates the schema, tables and ledger functions if they are missing. Idempotent. */
    public static void ensure(Connection c) throws SQLException {
        requireOwn(c);
        try (Statement st = c.createStatement()) {
            st.execute(DDL);
        }
    }

    /**
     * Why schema {@value #SCHEMA} is not uuidmig's own, or null when it is absent or is. uuidmig's own means:
     * owned by the connected role (the role that runs uuidmig creates it), every table, sequence, index, type,
     * function and operator in it owned by that role too, and no trigger, rule or policy on its tables (uuidmig
     * creates none there). Anything else was put there by someone else, and using it would run their code
     * (a trigger on uuidmig.columns, a view in its place) with the rights of whoever runs uuidmig.
     */
    public static String foreignReason(Connection c) throws SQLException {
        return foreignReason(c, SCHEMA);
    }

    /**
     * Why {@code schema} (one of uuidmig's own schemas: the state's, or Flyway's history's,
     * {@link org.uuidmig.flyway.HistoryTable#SCHEMA}) is not uuidmig's own, or null when it is absent or is: the same
     * rules as {@link #foreignReason(Connection)}.
     */
    public static String foreignReason(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            WITH me AS (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = current_user),
                 s AS (SELECT n.oid, n.nspowner FROM pg_catalog.pg_namespace n WHERE n.nspname = ?)
            SELECT 'schema ' || pg_catalog.quote_ident(?) || ' is owned by ' || pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(s.nspowner))
              FROM s WHERE s.nspowner <> (SELECT oid FROM me)
            UNION ALL
            SELECT pg_catalog.format('%s %s is owned by %s', CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view'
                     WHEN 'S' THEN 'sequence' WHEN 'i' THEN 'index' ELSE 'relation' END, c.oid::pg_catalog.regclass,
                     pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(c.relowner)))
              FROM pg_catalog.pg_class c, s WHERE c.relnamespace = s.oid AND c.relowner <> (SELECT oid FROM me)
            UNION ALL
            SELECT pg_catalog.format('function %s is owned by %s', p.oid::pg_catalog.regprocedure,
                     pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(p.proowner)))
              FROM pg_catalog.pg_proc p, s WHERE p.pronamespace = s.oid AND p.proowner <> (SELECT oid FROM me)
            UNION ALL
            SELECT pg_catalog.format('type %s is owned by %s', t.oid::pg_catalog.regtype,
                     pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(t.typowner)))
              FROM pg_catalog.pg_type t, s WHERE t.typnamespace = s.oid AND t.typowner <> (SELECT oid FROM me)
               AND t.typrelid = 0
            UNION ALL
            SELECT pg_catalog.format('operator %s is owned by %s', o.oid::pg_catalog.regoperator,
                     pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(o.oprowner)))
              FROM pg_catalog.pg_operator o, s WHERE o.oprnamespace = s.oid AND o.oprowner <> (SELECT oid FROM me)
            UNION ALL
            SELECT pg_catalog.format('trigger %I on %s', t.tgname, t.tgrelid::pg_catalog.regclass)
              FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid, s
             WHERE c.relnamespace = s.oid AND NOT t.tgisinternal
            UNION ALL
            SELECT pg_catalog.format('rule %I on %s', r.rulename, r.ev_class::pg_catalog.regclass)
              FROM pg_catalog.pg_rewrite r JOIN pg_catalog.pg_class c ON c.oid = r.ev_class, s
             WHERE c.relnamespace = s.oid
            UNION ALL
            SELECT pg_catalog.format('policy %I on %s', p.polname, p.polrelid::pg_catalog.regclass)
              FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class c ON c.oid = p.polrelid, s
             WHERE c.relnamespace = s.oid""")) {
            ps.setString(1, schema);
            ps.setString(2, schema);
            List<String> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
            return found.isEmpty() ? null : String.join("; ", found);
        }
    }

    /**
     * Refuses (exit 1, before anything is read from or written to it) a schema {@value #SCHEMA} that is not
     * uuidmig's own: see {@link #foreignReason}.
     */
    public static void requireOwn(Connection c) throws SQLException {
        String why = foreignReason(c);
        if (why != null) {
            throw new UuidmigException(ExitCode.CHECKS_FAILED, foreignMessage(why));
        }
    }

    /** The refusal for a foreign state schema, naming what was found and its owner. */
    public static String foreignMessage(String why) {
        return "schema " + SCHEMA + " was not created by uuidmig running as this role, or holds objects someone else put there ("
            + why + "): uuidmig keeps its state there and would run their code with this role's rights, so it refuses. "
            + "Nothing was changed. If that is your own earlier uuidmig state, run as its owner (or ALTER SCHEMA " + SCHEMA
            + " OWNER TO this role after checking its contents); otherwise drop the schema (DROP SCHEMA " + SCHEMA + " CASCADE)";
    }

    /**
     * Reading the state is safe in a schema someone else owns only if its tables are plain tables (a SELECT
     * runs no trigger; a view in a table's place would run its owner's functions with this role's rights; a
     * policy cannot, row_security being off). Writing it needs {@link #requireOwn}.
     */
    static void requireReadable(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT pg_catalog.format('%s is not a table (relkind %s, owned by %s)', c.oid::pg_catalog.regclass, c.relkind,
                     pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(c.relowner)))
              FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relkind <> 'r'
               AND c.relname IN ('columns', 'tables', 'users_table', 'created_objects', 'row_ledger', 'events', 'rollback',
                                 'forward_columns', 'forward_tables', 'recheck', 'window_writes', 'control', 'probe',
                                 'health')""")) {
            ps.setString(1, SCHEMA);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    throw new UuidmigException(ExitCode.CHECKS_FAILED, foreignMessage(rs.getString(1)));
                }
            }
        }
    }

    /** Whether a relation of that (qualified, quoted) name exists. */
    public static boolean relationExists(Connection c, String qualified) throws SQLException {
        return Catalog.exists(c, "SELECT 1 WHERE to_regclass(?) IS NOT NULL", qualified);
    }

    public static boolean exists(Connection c) throws SQLException {
        requireReadable(c);
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass('uuidmig.columns') IS NOT NULL");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** A column's recorded state. */
    public record ColumnRow(String schema, String table, String column, int position, String step,
                            PlannedColumn original, List<String> lastKey, long backfillRows, boolean backfillDone) {
    }

    /**
     * The recorded columns of the application schema {@code schema}: state belongs to a schema, and a
     * database may hold the record of several (migrated one after the other, see {@link #unfinishedElsewhere}).
     */
    public static List<ColumnRow> columns(Connection c, String schema) throws SQLException {
        List<ColumnRow> out = new ArrayList<>();
        if (!exists(c)) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT table_schema, table_name, column_name, position, step, original::text, backfill_last_key,
                   backfill_rows, backfill_done
              FROM uuidmig.columns WHERE table_schema = ? ORDER BY position""")) {
            ps.setString(1, schema);
            ResultSet rs = ps.executeQuery();
            while (rs.next()) {
                java.sql.Array key = rs.getArray(7);
                List<String> lastKey = key == null ? null : List.of((String[]) key.getArray());
                out.add(new ColumnRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getString(5),
                    fromJson(rs.getString(6), PlannedColumn.class), lastKey, rs.getLong(8), rs.getBoolean(9)));
            }
        }
        return out;
    }

    /** Records a column's original definition, once: an existing row is kept as it is. */
    public static void recordColumn(Connection c, String schema, PlannedColumn col, int position) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            INSERT INTO uuidmig.columns (table_schema, table_name, column_name, position, original)
            VALUES (?, ?, ?, ?, ?::jsonb) ON CONFLICT DO NOTHING""")) {
            ps.setString(1, schema);
            ps.setString(2, col.ref().table());
            ps.setString(3, col.ref().column());
            ps.setInt(4, position);
            ps.setString(5, toJson(col));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("""
            INSERT INTO uuidmig.tables (table_schema, table_name) VALUES (?, ?) ON CONFLICT DO NOTHING""")) {
            ps.setString(1, schema);
            ps.setString(2, col.ref().table());
            ps.executeUpdate();
        }
    }

    public static void recordUsers(Connection c, UsersTable users) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            INSERT INTO uuidmig.users_table (table_schema, table_name, original) VALUES (?, ?, ?::jsonb)
            ON CONFLICT DO NOTHING""")) {
            ps.setString(1, users.schema());
            ps.setString(2, users.name());
            ps.setString(3, toJson(users));
            ps.executeUpdate();
        }
    }

    /**
     * An object uuidmig created outside a column's own expand (the unique index and NOT NULL helper check on
     * users(uuid)), as recorded in uuidmig.created_objects: its name, and its oid once it exists (null between
     * choosing the name and a CREATE INDEX CONCURRENTLY, which cannot share a transaction with the record).
     * Rollback drops such an object only when it is recorded and its oid still matches.
     */
    public record CreatedObject(String kind, String name, Long oid) {
    }

    /** Kinds of {@link CreatedObject}. */
    public static final String USERS_UNIQUE_INDEX = "users_unique_index";
    public static final String USERS_NOT_NULL_CHECK = "users_not_null_check";
    /** The schema of the blue-green window's views (migrate --phase expand). */
    public static final String VIEW_SCHEMA = "view_schema";

    /** The recorded object of that kind for the application schema, or null (also without state). */
    public static CreatedObject created(Connection c, String schema, String kind) throws SQLException {
        if (!exists(c) || !Catalog.exists(c, "SELECT 1 WHERE to_regclass('uuidmig.created_objects') IS NOT NULL")) {
            return null; // no state, or state made by a uuidmig without the table, read before PrepareStateStep adds it
        }
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT object_name, object_oid::bigint FROM uuidmig.created_objects WHERE table_schema = ? AND kind = ?")) {
            ps.setString(1, schema);
            ps.setString(2, kind);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new CreatedObject(kind, rs.getString(1), (Long) rs.getObject(2)) : null;
            }
        }
    }

    /** Records (or re-records) the object of that kind: its name, and its oid when known. */
    public static void recordCreated(Connection c, String schema, String kind, String name, Long oid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            INSERT INTO uuidmig.created_objects (table_schema, kind, object_name, object_oid) VALUES (?, ?, ?, ?::bigint::oid)
            ON CONFLICT (table_schema, kind) DO UPDATE SET object_name = excluded.object_name, object_oid = excluded.object_oid,
                   created_at = now()""")) {
            ps.setString(1, schema);
            ps.setString(2, kind);
            ps.setString(3, name);
            ps.setObject(4, oid, java.sql.Types.BIGINT);
            ps.executeUpdate();
        }
    }

    /** Forgets the record of that kind (the object is gone). */
    public static void forgetCreated(Connection c, String schema, String kind) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM uuidmig.created_objects WHERE table_schema = ? AND kind = ?")) {
            ps.setString(1, schema);
            ps.setString(2, kind);
            ps.executeUpdate();
        }
    }

    /** The users table as recorded before the migration of {@code schema} (it lives in that schema). */
    public static UsersTable users(Connection c, String schema) throws SQLException {
        requireReadable(c);
        try (PreparedStatement ps = c.prepareStatement("SELECT original::text FROM uuidmig.users_table WHERE table_schema = ? LIMIT 1")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? fromJson(rs.getString(1), UsersTable.class) : null;
            }
        }
    }

    /**
     * Application schemas other than {@code schema} whose migration the state records as unfinished (a column
     * not at step done, or a rollback under way): uuidmig runs one migration or rollback per database at a
     * time, because its functions and the rollback marker are shared. Empty when there is none.
     */
    public static List<String> unfinishedElsewhere(Connection c, String schema) throws SQLException {
        List<String> out = new ArrayList<>();
        if (!exists(c)) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT DISTINCT table_schema FROM uuidmig.columns WHERE table_schema <> ? AND step <> ? ORDER BY 1""")) {
            ps.setString(1, schema);
            ps.setString(2, StepIds.DONE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        String reverse = RollbackMarker.schema(c);
        if (reverse != null && !reverse.equals(schema) && !out.contains(reverse)) {
            out.add(reverse);
        }
        return out;
    }

    /** Application schemas the state records a migration of, other than {@code schema}. */
    public static List<String> otherSchemas(Connection c, String schema) throws SQLException {
        List<String> out = new ArrayList<>();
        if (!exists(c)) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT DISTINCT table_schema FROM uuidmig.columns WHERE table_schema <> ? ORDER BY 1")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    public static void setStep(Connection c, String schema, String table, String column, String step) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.executeUpdate(setStepSql(schema, table, column, step));
        }
    }

    /** {@link #setStep}'s statement, with literals, so the swap can send it in its single round trip. */
    public static String setStepSql(String schema, String table, String column, String step) {
        return "UPDATE uuidmig.columns SET step = " + Sql.literal(step) + ", updated_at = now() WHERE table_schema = "
            + Sql.literal(schema) + " AND table_name = " + Sql.literal(table) + " AND column_name = " + Sql.literal(column);
    }

    public static void event(Connection c, String step, String target, String message, Long millis) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO uuidmig.events (step, target, message, millis) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, step);
            ps.setString(2, target);
            ps.setString(3, message);
            ps.setObject(4, millis);
            ps.executeUpdate();
        }
    }

    /** Per-table counters recorded by the migration. */
    public record TableRow(String schema, String table, Long baseRows, Long verifiedRows, Long mismatches,
                           java.time.OffsetDateTime verifiedAt, Long endRows, Long ledgerInserted, Long ledgerDeleted,
                           java.time.OffsetDateTime swappedAt, Long statInsAtEnd, Long statDelAtEnd, Long recheckedRows) {
    }

    public static Map<String, TableRow> tables(Connection c, String schema) throws SQLException {
        Map<String, TableRow> out = new LinkedHashMap<>();
        if (!exists(c)) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT table_schema, table_name, base_rows, verified_rows, mismatches, verified_at, end_rows,
                   ledger_inserted, ledger_deleted, swapped_at, stat_ins_at_end, stat_del_at_end,
                   (pg_catalog.to_jsonb(t) ->> 'rechecked_rows')::bigint
              FROM uuidmig.tables t WHERE table_schema = ? ORDER BY table_name""")) {
            ps.setString(1, schema);
            ResultSet rs = ps.executeQuery();
            while (rs.next()) {
                out.put(rs.getString(2), new TableRow(rs.getString(1), rs.getString(2), (Long) rs.getObject(3),
                    (Long) rs.getObject(4), (Long) rs.getObject(5), rs.getObject(6, java.time.OffsetDateTime.class),
                    (Long) rs.getObject(7), (Long) rs.getObject(8), (Long) rs.getObject(9),
                    rs.getObject(10, java.time.OffsetDateTime.class), (Long) rs.getObject(11), (Long) rs.getObject(12),
                    (Long) rs.getObject(13)));
            }
        }
        return out;
    }

    /**
     * The rows of the schema's tables that the check trigger recorded and no re-check has cleared, as
     * "table.column at ctid (x,y): column = value" (at most {@code limit}; the value read from the row now, or
     * "row gone"). Empty when there is no such record (also when the state predates it).
     */
    public static List<String> recheckPending(Connection c, String schema, List<String> tables, int limit) throws SQLException {
        List<String> out = new ArrayList<>();
        if (!Catalog.exists(c, "SELECT 1 WHERE to_regclass('uuidmig.recheck') IS NOT NULL")) {
            return out;
        }
        List<String[]> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT DISTINCT table_name, column_name, row_ctid::text FROM uuidmig.recheck
             WHERE table_schema = ? AND (? OR table_name = ANY (?)) ORDER BY 1, 2, 3 LIMIT ?""")) {
            ps.setString(1, schema);
            ps.setBoolean(2, tables == null);
            ps.setArray(3, c.createArrayOf("text", tables == null ? new String[0] : tables.toArray(new String[0])));
            ps.setInt(4, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                }
            }
        }
        for (String[] r : rows) {
            String value = "row gone";
            if (Catalog.columnExists(c, schema, r[0], r[1])) {
                try (PreparedStatement ps = c.prepareStatement("SELECT x." + org.uuidmig.db.Sql.ident(r[1]) + "::text FROM "
                    + org.uuidmig.db.Sql.qualified(schema, r[0]) + " x WHERE x.ctid = ?::tid")) {
                    ps.setString(1, r[2]);
                    try (ResultSet rs = ps.executeQuery()) {
                        value = rs.next() ? r[1] + " = " + rs.getString(1) : "row gone";
                    }
                }
            }
            out.add(r[0] + "." + r[1] + " at ctid " + r[2] + " (" + value + ")");
        }
        return out;
    }

    /** "table.column: step" for every column not finished, for validate-pre and status. */
    public static List<String> describeProgress(Connection c, String schema) throws SQLException {
        List<String> out = new ArrayList<>();
        for (ColumnRow r : columns(c, schema)) {
            if (!r.step().equals(StepIds.DONE)) {
                out.add(r.table() + "." + r.column() + " at step " + r.step()
                    + (r.step().equals(StepIds.BACKFILL) || r.backfillRows() > 0 ? " (" + r.backfillRows() + " rows backfilled)" : ""));
            }
        }
        return out;
    }

    static String toJson(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> T fromJson(String s, Class<T> type) {
        try {
            return JSON.readValue(s, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read uuidmig state: " + e.getMessage(), e);
        }
    }
}
