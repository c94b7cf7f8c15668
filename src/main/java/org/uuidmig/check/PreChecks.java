package org.uuidmig.check;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.uuidmig.db.ReadOnly;
import org.uuidmig.db.Sql;
import org.uuidmig.engine.StateStore;
import org.uuidmig.estimate.Estimate;
import org.uuidmig.estimate.EstimateFacts;
import org.uuidmig.estimate.EstimateModel;
import org.uuidmig.flyway.FlywayRunner;
import org.uuidmig.config.ColumnRef;
import org.uuidmig.config.PlanSettings;
import org.uuidmig.plan.ColumnState;
import org.uuidmig.flyway.HistoryTable;
import org.uuidmig.plan.Dependent;
import org.uuidmig.plan.LikelyColumns;
import org.uuidmig.plan.ForeignKey;
import org.uuidmig.plan.IndexInfo;
import org.uuidmig.plan.Plan;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.plan.UsersTable;
import org.uuidmig.report.Bytes;
import org.uuidmig.report.CheckResult;
import org.uuidmig.report.Progress;

/**
 * validate-pre: every reason the migration could fail or lose data, found before anything
 * changes. Read-only: it runs in a READ ONLY transaction.
 */
public final class PreChecks {
    /** The alembic revision the guide expects before the migration. */
    public static final String ALEMBIC_BEFORE = org.uuidmig.config.Alembic.BEFORE;
    /** The alembic revision of the migration itself. */
    public static final String ALEMBIC_AFTER = org.uuidmig.config.Alembic.AFTER;
    private static final Logger LOG = LoggerFactory.getLogger(PreChecks.class);

    private final Connection c;
    private final Plan plan;
    private final Progress progress;
    private final List<CheckResult> out = new ArrayList<>();
    /** users.uuid has no duplicate and no NULL: the id -> uuid mapping is one-to-one. */
    private boolean uuidsUnique;
    private boolean uuidsNotNull;
    private final Map<String, Boolean> selectable = new HashMap<>();
    /** Tables whose rows a row-level security policy would filter for the connected role. */
    private final java.util.Set<String> rlsFiltered = new java.util.TreeSet<>();

    public PreChecks(Connection c, Plan plan, Progress progress) {
        this.c = c;
        this.plan = plan;
        this.progress = progress;
    }

    public List<CheckResult> run() {
        ReadOnly.run(c, "validate-pre", this::runAll);
        return List.copyOf(out);
    }

    private void runAll() throws SQLException {
        serverVersion();
        readOnlyDefault();
        UsersTable users = plan.users();
        boolean usersOk = usersTable(users);
        columns();
        rowLevelSecurity();
        privileges();
        if (usersOk) {
            boolean readUsers = canSelect(users.name());
            if (readUsers) {
                usersWithoutUuid(users);
                duplicateUserUuids(users);
            } else {
                notChecked("users_without_uuid", users.name());
                notChecked("duplicate_user_uuids", users.name());
            }
            for (PlannedColumn col : plan.toConvert()) {
                String unreadable = !readUsers ? users.name() : canSelect(col.ref().table()) ? null : col.ref().table();
                if (unreadable == null) {
                    orphans(users, col);
                } else {
                    notChecked("orphaned_" + checkSuffix(col), unreadable);
                }
            }
            duplicateConstraintViolations(users);
        }
        unsupportedObjects();
        if (usersOk) {
            nameClashes(users);
        }
        // warnings
        activeUserSessions();
        openConnections();
        if (usersOk) {
            usersUuidConstraints(users);
        }
        unplannedReferences();
        replication();
        alembic();
        estimatedDisk();
        if (stateSchema()) {
            migrationInProgress();
        }
    }

    /**
     * Tables uuidmig reads or writes on which a row-level security policy applies to the connected role
     * (RLS enabled, and the role neither a superuser, BYPASSRLS, nor the owner of a table without FORCE ROW
     * LEVEL SECURITY). Every uuidmig session runs with row_security = off, so such a table makes a query fail
     * rather than silently skip the hidden rows; this check says so before anything starts.
     */
    private void rowLevelSecurity() throws SQLException {
        List<String> tables = new ArrayList<>();
        for (PlannedColumn col : plan.toConvert()) {
            tables.add(Sql.qualified(plan.schema(), col.ref().table()));
        }
        tables.add(Sql.qualified(plan.users().schema(), plan.users().name()));
        tables.add(Sql.qualified(plan.schema(), "user_sessions"));
        tables.add(Sql.qualified(plan.schema(), "alembic_version"));
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT n.nspname, c.relname, c.relforcerowsecurity, pg_catalog.pg_get_userbyid(c.relowner)
              FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE c.oid IN (SELECT pg_catalog.to_regclass(t) FROM pg_catalog.unnest(?::pg_catalog.text[]) t)
               AND c.relrowsecurity AND pg_catalog.row_security_active(c.oid)
             ORDER BY n.nspname, c.relname""")) {
            ps.setArray(1, c.createArrayOf("text", tables.stream().distinct().toArray()));
            List<String> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(1).equals(plan.schema())) {
                        rlsFiltered.add(rs.getString(2));
                    }
                    found.add(Sql.qualified(rs.getString(1), rs.getString(2)) + (rs.getBoolean(3) ? " (FORCE ROW LEVEL SECURITY, owner "
                        : " (owner ") + rs.getString(4) + ")");
                }
            }
            out.add(found.isEmpty()
                ? CheckResult.pass("row_level_security", 0L, "no row-level security policy hides rows from the connected role")
                : CheckResult.fail("row_level_security", (long) found.size(), "row-level security applies to the connected role on "
                    + String.join(", ", found) + ": its policies would hide rows from the backfill and the verification, and "
                    + "those rows would lose their user reference at the swap",
                    "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_catalog.pg_class WHERE relrowsecurity;",
                    "run uuidmig as a role that bypasses row-level security (a superuser, or ALTER ROLE ... BYPASSRLS), "
                        + "or as the tables' owner after ALTER TABLE ... NO FORCE ROW LEVEL SECURITY"));
        }
    }

    /**
     * Schema uuidmig, if it exists, is uuidmig's own (StateStore.foreignReason), and so is schema uuidmig_history (Flyway's
     * history, {@link HistoryTable}); false when schema uuidmig is not (its state is then not read).
     */
    private boolean stateSchema() throws SQLException {
        String why = StateStore.foreignReason(c);
        String history = StateStore.foreignReason(c, HistoryTable.SCHEMA);
        List<String> messages = new ArrayList<>();
        if (why != null) {
            messages.add(StateStore.foreignMessage(why));
        }
        if (history != null) {
            messages.add("schema " + HistoryTable.SCHEMA + " (Flyway's history of uuidmig) was not created by uuidmig running as this "
                + "role, or holds objects someone else put there (" + history + "): Flyway would write there with this role's "
                + "rights, so migrate and rollback refuse");
        }
        out.add(messages.isEmpty()
            ? CheckResult.pass("state_schema", 0L, "schemas " + StateStore.SCHEMA + " and " + HistoryTable.SCHEMA
                + " are absent or hold only uuidmig's own objects")
            : CheckResult.fail("state_schema", (long) messages.size(), String.join("; ", messages), null,
                "drop the schema, or make this role its owner after checking that it holds only uuidmig's state or history"));
        return why == null;
    }

    private void serverVersion() {
        int v = plan.serverVersionNum();
        out.add(v >= 120000
            ? CheckResult.pass("server_version", (long) (v / 10000), "PostgreSQL " + plan.serverVersion())
            : CheckResult.fail("server_version", (long) (v / 10000), "PostgreSQL " + plan.serverVersion()
                + " is older than 12, which uuidmig needs (SET NOT NULL from a validated CHECK, CONCURRENTLY builds)",
                null, "upgrade the server to PostgreSQL 12 or newer"));
    }

    private boolean usersTable(UsersTable u) {
        String t = Sql.qualified(u.schema(), u.name());
        if (!u.exists()) {
            out.add(CheckResult.fail("users_table", null, "table " + t + " does not exist", null,
                plan.settings().howToNameUsers("the referenced table")));
            return false;
        }
        if (u.sourceKeyType() == null || u.targetKeyType() == null) {
            String missing = u.sourceKeyType() == null ? u.sourceKey() : u.targetKey();
            out.add(CheckResult.fail("users_table", null, "column " + t + "." + Sql.ident(missing) + " does not exist",
                null, plan.settings().howToNameUsers("the keys")));
            return false;
        }
        if (!u.targetKeyType().equals("uuid")) {
            out.add(CheckResult.fail("users_table", null, "column " + t + "." + Sql.ident(u.targetKey()) + " is "
                + u.targetKeyType() + ", not uuid", null, "convert it to uuid first, or " + plan.settings().howToNameUsers("the uuid column")));
            return false;
        }
        out.add(CheckResult.pass("users_table", u.estimatedRows() < 0 ? null : u.estimatedRows(),
            t + " has " + Sql.ident(u.sourceKey()) + " " + u.sourceKeyType() + " and " + Sql.ident(u.targetKey()) + " uuid"));
        return true;
    }

    private void columns() {
        if (plan.columns().isEmpty()) {
            out.add(CheckResult.fail("planned_columns", 0L, "the plan is empty: no column to convert", null,
                plan.settings().planFile() == null ? "name columns with --column table.column, or use --discover"
                    : "list columns in the plan file " + plan.settings().planFile()));
            return;
        }
        for (PlannedColumn col : plan.columns()) {
            String name = "column_" + checkSuffix(col);
            String t = Sql.qualified(plan.schema(), col.ref().table());
            switch (col.state()) {
                case INTEGER -> out.add(CheckResult.pass(name, null, col.ref() + " is " + col.type()
                    + (col.notNull() ? " NOT NULL" : " NULL") + ", to be converted"));
                case ALREADY_UUID -> out.add(CheckResult.info(name, null, col.ref()
                    + " is already uuid referencing " + plan.users().name() + "(" + plan.users().targetKey() + "): already migrated"));
                case MISSING_TABLE -> out.add(missing(name, col, "table " + t + " does not exist"));
                case MISSING_COLUMN -> out.add(missing(name, col, "column " + t + "." + Sql.ident(col.ref().column())
                    + " does not exist"));
                case WRONG_TYPE -> out.add(CheckResult.fail(name, null, "column " + t + "." + Sql.ident(col.ref().column())
                    + " is " + col.type() + ", not smallint, integer or bigint", null,
                    "only integer references can be converted; " + plan.settings().howToLeaveOut(col.ref())));
                default -> throw new IllegalStateException(col.state().name());
            }
        }
    }

    private void privileges() throws SQLException {
        boolean superuser;
        try (PreparedStatement ps = c.prepareStatement("SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user");
             ResultSet rs = ps.executeQuery()) {
            superuser = rs.next() && rs.getBoolean(1);
        }
        if (superuser) {
            out.add(CheckResult.pass("privileges", 0L, "connected as a superuser"));
            return;
        }
        List<String> problems = new ArrayList<>();
        List<String> tables = new ArrayList<>();
        for (PlannedColumn col : plan.toConvert()) {
            tables.add(col.ref().table());
        }
        if (plan.users().exists()) {
            tables.add(plan.users().name());
        }
        // the tables whose rows validate-pre reads besides the planned ones and users
        for (String extra : List.of("user_sessions", "alembic_version")) {
            if (!tables.contains(extra) && !canSelect(extra) && !rlsFiltered.contains(extra)) {
                problems.add("cannot SELECT from " + Sql.qualified(plan.schema(), extra));
            }
        }
        for (String table : tables.stream().distinct().toList()) {
            if (!canSelect(table) && !rlsFiltered.contains(table)) {
                problems.add("cannot SELECT from " + Sql.qualified(plan.schema(), table));
            }
            try (PreparedStatement ps = c.prepareStatement("""
                SELECT pg_catalog.pg_has_role(c.relowner, 'USAGE'), pg_catalog.pg_get_userbyid(c.relowner)
                  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = ? AND c.relname = ?""")) {
                ps.setString(1, plan.schema());
                ps.setString(2, table);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && !rs.getBoolean(1)) {
                        problems.add("cannot ALTER " + Sql.qualified(plan.schema(), table) + " (owned by " + rs.getString(2) + ")");
                    }
                }
            }
        }
        uuidmigSchemasProblem(problems);
        String grant = applicationSchemaProblem(problems);
        out.add(problems.isEmpty()
            ? CheckResult.pass("privileges", 0L, "the connected role owns every planned table")
            : CheckResult.fail("privileges", (long) problems.size(), String.join("; ", problems), null,
                "connect as the tables' owner (or a member of the owning role) or as a superuser" + grant));
    }

    /**
     * migrate builds copies of the planned columns' indexes (CREATE INDEX CONCURRENTLY), and CREATE INDEX needs CREATE on
     * the table's schema as well as its ownership; PostgreSQL 15 and later grant CREATE on schema public only to its owner
     * (pg_database_owner). Without this check, migrate passed validate-pre and stopped with exit 3 at its first index
     * copy. (Flyway's history table no longer needs it: it goes into schema uuidmig_history.) Adds the problem to
     * problems and returns the GRANT that fixes it ("" when there is none).
     */
    private String applicationSchemaProblem(List<String> problems) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT pg_catalog.has_schema_privilege(n.oid, 'CREATE'), current_user
              FROM pg_catalog.pg_namespace n WHERE n.nspname = ?""")) {
            ps.setString(1, plan.schema());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getBoolean(1)) {
                    return "";
                }
                problems.add("cannot create the copies of the planned columns' indexes in schema " + Sql.ident(plan.schema())
                    + " (CREATE INDEX needs CREATE on the schema, which PostgreSQL 15 and later give only to the schema's owner "
                    + "for schema public)");
                return "; or, as the schema's owner: GRANT CREATE ON SCHEMA " + Sql.ident(plan.schema()) + " TO "
                    + Sql.ident(rs.getString(2)) + ";";
            }
        }
    }

    /**
     * uuidmig's two schemas, the state's ({@value StateStore#SCHEMA}) and Flyway's history's ({@value HistoryTable#SCHEMA}),
     * which migrate creates when they are absent: that needs CREATE on the database. When one exists, it must be this
     * role's own (state_schema checks that), so CREATE in it is the owner's. Flyway's history table goes into
     * {@value HistoryTable#SCHEMA}, not into the application's schema: CREATE there is not needed (PostgreSQL 15 and
     * later give it on schema public only to the schema's owner).
     */
    private void uuidmigSchemasProblem(List<String> problems) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT pg_catalog.has_database_privilege(current_database(), 'CREATE'),
                   pg_catalog.array_agg(s.name ORDER BY s.name) FILTER (WHERE n.oid IS NULL)
              FROM (VALUES (?), (?)) s(name) LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = s.name""")) {
            ps.setString(1, StateStore.SCHEMA);
            ps.setString(2, HistoryTable.SCHEMA);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                java.sql.Array missing = rs.getArray(2);
                if (!rs.getBoolean(1) && missing != null) {
                    List<String> names = new ArrayList<>();
                    for (Object o : (Object[]) missing.getArray()) {
                        names.add(Sql.ident((String) o));
                    }
                    problems.add("cannot create " + (names.size() == 1 ? "schema " : "schemas ") + String.join(" and ", names)
                        + " (uuidmig's state and Flyway's history of it; needs CREATE on the database)");
                }
            }
        }
    }

    /**
     * default_transaction_read_only = on for the connected role or database (or the server) makes
     * every transaction uuidmig starts read-only: migrate would stop at its first write, or halfway.
     * pg_settings.source says where it was set, so the message names the ALTER ROLE or ALTER
     * DATABASE that set it. (A hot standby is refused earlier, with exit 2, by Database.connectToPrimary.)
     */
    private void readOnlyDefault() throws SQLException {
        String setting;
        String source;
        String user;
        String database;
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT s.setting, s.source, current_user, current_database()
              FROM pg_catalog.pg_settings s WHERE s.name = 'default_transaction_read_only'""");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            setting = rs.getString(1);
            source = rs.getString(2);
            user = rs.getString(3);
            database = rs.getString(4);
        }
        if (!"on".equals(setting)) {
            out.add(CheckResult.pass("default_transaction_read_only", 0L, "default_transaction_read_only is off: uuidmig can write"));
            return;
        }
        String where;
        String fix;
        switch (source) {
            case "user" -> {
                where = "for role " + Sql.ident(user) + " (ALTER ROLE ... SET)";
                fix = "ALTER ROLE " + Sql.ident(user) + " RESET default_transaction_read_only;";
            }
            case "database" -> {
                where = "for database " + Sql.ident(database) + " (ALTER DATABASE ... SET)";
                fix = "ALTER DATABASE " + Sql.ident(database) + " RESET default_transaction_read_only;";
            }
            case "database user" -> {
                where = "for role " + Sql.ident(user) + " in database " + Sql.ident(database) + " (ALTER ROLE ... IN DATABASE ... SET)";
                fix = "ALTER ROLE " + Sql.ident(user) + " IN DATABASE " + Sql.ident(database) + " RESET default_transaction_read_only;";
            }
            default -> {
                where = "(source: " + source + ")";
                fix = "set default_transaction_read_only = off where it is set (" + source + "), or connect as a role it does not apply to";
            }
        }
        out.add(CheckResult.fail("default_transaction_read_only", 1L, "default_transaction_read_only is on " + where
            + ": every transaction uuidmig starts would be read-only and migrate would fail at its first write",
            "SELECT setting, source FROM pg_settings WHERE name = 'default_transaction_read_only';",
            fix + "  -- if the database is read-only on purpose, migrate when it is writable again"));
    }

    /**
     * Logical replication around the planned tables (and users): publications that publish them,
     * subscriptions that fill them, logical slots of this database (which decode every table's
     * changes), and REPLICA IDENTITY USING INDEX on an index with a planned column, which the swap
     * replaces (and makes the new index the identity, so the table keeps one). Logical replication does
     * not carry DDL: after the swap a subscriber still has the integer column and its apply stops.
     * A warning naming them.
     */
    private void replication() throws SQLException {
        List<String> tables = new ArrayList<>();
        List<String> planTables = new ArrayList<>();
        List<String> planColumns = new ArrayList<>();
        for (PlannedColumn col : plan.toConvert()) {
            tables.add(col.ref().table());
            planTables.add(col.ref().table());
            planColumns.add(col.ref().column());
        }
        if (plan.users().exists()) {
            tables.add(plan.users().name());
        }
        List<String> found = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT 'publication ' || quote_ident(pt.pubname) || ' publishes ' || string_agg(quote_ident(pt.tablename), ', ' ORDER BY pt.tablename)
              FROM pg_catalog.pg_publication_tables pt
             WHERE pt.schemaname = ? AND pt.tablename = ANY (?)
             GROUP BY pt.pubname ORDER BY pt.pubname""")) {
            ps.setString(1, plan.schema());
            ps.setArray(2, c.createArrayOf("text", tables.toArray()));
            addRows(ps, found);
        }
        // PostgreSQL 12 lets ordinary roles read only some columns of pg_subscription, not its oid: skip what the role
        // cannot see rather than fail the whole validate-pre (only superusers can create subscriptions there anyway)
        if (canReadSubscriptions()) {
            try (PreparedStatement ps = c.prepareStatement("""
                SELECT 'subscription ' || quote_ident(s.subname) || ' replicates into ' || string_agg(quote_ident(t.relname), ', ' ORDER BY t.relname)
                  FROM pg_catalog.pg_subscription_rel r
                  JOIN pg_catalog.pg_subscription s ON s.oid = r.srsubid
                  JOIN pg_catalog.pg_class t ON t.oid = r.srrelid
                  JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
                 WHERE n.nspname = ? AND t.relname = ANY (?)
                 GROUP BY s.subname ORDER BY s.subname""")) {
                ps.setString(1, plan.schema());
                ps.setArray(2, c.createArrayOf("text", tables.toArray()));
                addRows(ps, found);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT 'logical replication slot ' || quote_ident(slot_name) || ' (' || coalesce(plugin, '?') || ') decodes this database'
              FROM pg_catalog.pg_replication_slots WHERE slot_type = 'logical' AND database = current_database() ORDER BY slot_name""")) {
            addRows(ps, found);
        }
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT 'table ' || quote_ident(t.relname) || ' has REPLICA IDENTITY USING INDEX ' || quote_ident(ic.relname)
                   || ' on planned column ' || quote_ident(a.attname)
                   || ' (the swap makes the index''s copy on the new column the replica identity)'
              FROM pg_catalog.pg_index i
              JOIN pg_catalog.pg_class t ON t.oid = i.indrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
              JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
              JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY (i.indkey)
              JOIN unnest(?::text[], ?::text[]) p(tbl, col) ON p.tbl = t.relname AND p.col = a.attname
             WHERE i.indisreplident AND t.relreplident = 'i' AND n.nspname = ?
             ORDER BY t.relname, a.attname""")) {
            ps.setArray(1, c.createArrayOf("text", planTables.toArray()));
            ps.setArray(2, c.createArrayOf("text", planColumns.toArray()));
            ps.setString(3, plan.schema());
            addRows(ps, found);
        }
        out.add(found.isEmpty()
            ? CheckResult.pass("replication", 0L, "no publication, subscription or logical slot involves the planned tables")
            : CheckResult.warn("replication", (long) found.size(), String.join("; ", found)
                + ": logical replication does not carry the schema change (new column, swap, dropped column)",
                "SELECT * FROM pg_publication_tables; SELECT * FROM pg_subscription_rel; SELECT * FROM pg_replication_slots;",
                "plan the change on every subscriber and publication first (see docs/validation.md, replication)"));
    }

    private boolean canReadSubscriptions() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT pg_catalog.has_column_privilege('pg_catalog.pg_subscription', 'oid', 'SELECT')
               AND pg_catalog.has_column_privilege('pg_catalog.pg_subscription', 'subname', 'SELECT')
               AND pg_catalog.has_table_privilege('pg_catalog.pg_subscription_rel', 'SELECT')""");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static void addRows(PreparedStatement ps, List<String> into) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                into.add(rs.getString(1));
            }
        }
    }

    /**
     * Whether the connected role may read table (in the plan's schema); true when there is no
     * such table, which other checks report. Without SELECT a counting query would abort the
     * whole run (exit 3); instead the privileges check fails and names the table.
     */
    private boolean canSelect(String table) throws SQLException {
        Boolean known = selectable.get(table);
        if (known != null) {
            return known;
        }
        boolean can;
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT pg_catalog.has_table_privilege(c.oid, 'SELECT')
                   AND NOT (c.relrowsecurity AND pg_catalog.row_security_active(c.oid))
              FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relname = ?""")) {
            ps.setString(1, plan.schema());
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                can = !rs.next() || rs.getBoolean(1);
            }
        }
        selectable.put(table, can);
        return can;
    }

    /** Reports check name as not run (INFO); the privileges check fails for the same table. */
    private void notChecked(String name, String table) {
        out.add(CheckResult.info(name, null, rlsFiltered.contains(table)
            ? "not checked: row-level security hides rows of " + Sql.qualified(plan.schema(), table) + " from the connected role (see row_level_security)"
            : "not checked: the connected role cannot SELECT from " + Sql.qualified(plan.schema(), table) + " (see privileges)"));
    }

    private void usersWithoutUuid(UsersTable u) throws SQLException {
        String t = Sql.qualified(u.schema(), u.name());
        String q = "SELECT * FROM " + t + " WHERE " + Sql.ident(u.targetKey()) + " IS NULL";
        long n = count("users_without_uuid", u.estimatedRows(), "SELECT count(*) FROM " + t + " WHERE " + Sql.ident(u.targetKey()) + " IS NULL");
        uuidsNotNull = n == 0;
        out.add(CheckResult.zero("users_without_uuid", n, "every user has a " + u.targetKey(),
            n + " rows of " + t + " have no " + u.targetKey() + "; references to them cannot be converted", q + ";",
            "UPDATE " + t + " SET " + Sql.ident(u.targetKey()) + " = gen_random_uuid() WHERE " + Sql.ident(u.targetKey()) + " IS NULL;"));
    }

    private void duplicateUserUuids(UsersTable u) throws SQLException {
        String t = Sql.qualified(u.schema(), u.name());
        String k = Sql.ident(u.targetKey());
        String q = "SELECT " + k + ", count(*) FROM " + t + " WHERE " + k + " IS NOT NULL GROUP BY " + k + " HAVING count(*) > 1";
        long n = count("duplicate_user_uuids", u.estimatedRows(), "SELECT count(*) FROM (" + q + ") d");
        uuidsUnique = n == 0;
        out.add(CheckResult.zero("duplicate_user_uuids", n, "every " + u.targetKey() + " is unique",
            n + " " + u.targetKey() + " values of " + t + " occur more than once; references would become ambiguous", q + ";",
            "give each duplicate user a new uuid (UPDATE ... SET " + k + " = gen_random_uuid() WHERE " + Sql.ident(u.sourceKey()) + " = ...)"));
    }

    private void orphans(UsersTable u, PlannedColumn col) throws SQLException {
        String name = "orphaned_" + checkSuffix(col);
        String t = Sql.qualified(plan.schema(), col.ref().table());
        String colId = Sql.ident(col.ref().column());
        String ut = Sql.qualified(u.schema(), u.name());
        String where = " WHERE x." + colId + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + ut + " u WHERE u."
            + Sql.ident(u.sourceKey()) + " = x." + colId + ")";
        String guaranteedBy = enforcingForeignKey(u, col);
        if (guaranteedBy != null) {
            // A validated FK whose triggers are enabled holds for every committed row: scanning the table cannot
            // find an orphan. (The verify step before the swap would still catch one, e.g. from replica-mode loads.)
            out.add(CheckResult.pass(name, 0L, "every " + col.ref() + " points at an existing user: guaranteed by the validated "
                + "foreign key " + guaranteedBy + " (not scanned)"));
            return;
        }
        long n = count(name, col.table().estimatedRows(), "SELECT count(*) FROM " + t + " x" + where);
        String list = "SELECT x.* FROM " + t + " x" + where + ";";
        out.add(CheckResult.zero(name, n, "every " + col.ref() + " points at an existing user",
            n + " rows of " + t + " have a " + col.ref().column() + " with no matching " + u.name() + "." + u.sourceKey(), list,
            (col.notNull() ? "DELETE FROM " + t + " x" + where : "UPDATE " + t + " x SET " + colId + " = NULL" + where)
                + ";  -- or restore the missing users"));
    }

    /** The name of the column's FK to users(id) if it is validated and its triggers are enabled, else null. */
    private String enforcingForeignKey(UsersTable u, PlannedColumn col) throws SQLException {
        var fk = col.userForeignKey(u);
        if (fk == null || !fk.validated() || fk.columns().size() != 1) {
            return null;
        }
        try (var ps = c.prepareStatement("""
            SELECT count(*) > 0 AND bool_and(t.tgenabled <> 'D') FROM pg_catalog.pg_constraint k
              JOIN pg_catalog.pg_trigger t ON t.tgconstraint = k.oid
             WHERE k.conrelid = ?::regclass AND k.conname = ? AND k.contype = 'f' AND k.convalidated""")) {
            ps.setString(1, Sql.qualified(plan.schema(), col.ref().table()));
            ps.setString(2, fk.name());
            try (var rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1) ? fk.name() : null;
            }
        }
    }

    /**
     * Unique constraints and unique indexes containing a planned column: groups that would
     * collide once the column holds users.uuid, and unique indexes that are invalid.
     */
    private void duplicateConstraintViolations(UsersTable u) throws SQLException {
        long total = 0;
        int skippedScans = 0;
        List<String> where = new ArrayList<>();
        String firstQuery = null;
        List<String> unread = new ArrayList<>();
        for (PlannedColumn col : plan.toConvert()) {
            if (!canSelect(u.name()) || !canSelect(col.ref().table())) {
                unread.add(col.ref().toString());
                continue;
            }
            for (IndexInfo idx : col.indexes()) {
                if (!idx.unique()) {
                    continue;
                }
                if (!idx.valid()) {
                    total++;
                    where.add("unique index " + Sql.ident(idx.name()) + " on " + col.ref().table() + " is INVALID");
                    continue;
                }
                if (idx.expressionUsesColumn()) {
                    continue; // reported as unsupported
                }
                if (uuidsUnique && uuidsNotNull) {
                    skippedScans++;
                    continue; // a valid unique index holds no duplicates, and a one-to-one mapping cannot create any
                }
                String q = collisionQuery(u, col, idx);
                if (q == null) {
                    continue;
                }
                long n = count("duplicate_constraint_violations " + idx.name(), col.table().estimatedRows(),
                    "SELECT count(*) FROM (" + q + ") d");
                if (n > 0) {
                    total += n;
                    where.add(n + " colliding groups for " + Sql.ident(idx.name()) + " on " + col.ref().table());
                    if (firstQuery == null) {
                        firstQuery = q + ";";
                    }
                }
            }
        }
        if (total == 0 && !unread.isEmpty()) {
            out.add(CheckResult.info("duplicate_constraint_violations", null, "not checked for " + String.join(", ", unread)
                + ": the connected role cannot SELECT from the table or from " + u.name() + " (see privileges)"));
            return;
        }
        out.add(total == 0
            ? CheckResult.pass("duplicate_constraint_violations", 0L, "no unique constraint or index would be violated"
                + (skippedScans == 0 ? "" : " (" + skippedScans + " valid unique indexes not scanned: " + u.name() + "." + u.targetKey()
                    + " is unique and never NULL, so mapping ids to uuids is one-to-one and cannot make rows collide)"))
            : CheckResult.fail("duplicate_constraint_violations", total, String.join("; ", where), firstQuery,
                "remove the duplicates keeping one row per group (see the guide's Issue 2), or REINDEX INDEX CONCURRENTLY an invalid index"));
    }

    /** GROUP BY the index's key columns with the planned column replaced by users.uuid; null if not expressible. */
    private String collisionQuery(UsersTable u, PlannedColumn col, IndexInfo idx) {
        List<String> keys = new ArrayList<>();
        List<String> notNull = new ArrayList<>();
        for (int k = 0; k < idx.keyColumnCount(); k++) {
            String text = idx.columnTexts().get(k);
            if (!idx.columnPositions().contains(k) && !isSimpleName(text)) {
                return null; // an expression over other columns; mapping the user column cannot make it collide
            }
            String expr = idx.columnPositions().contains(k) ? "u." + Sql.ident(u.targetKey()) : "x." + text;
            keys.add(expr);
            notNull.add(expr + " IS NOT NULL");
        }
        String t = Sql.qualified(plan.schema(), col.ref().table());
        String source = idx.predicate() == null ? t : "(SELECT * FROM " + t + " WHERE " + idx.predicate() + ")";
        return "SELECT " + String.join(", ", keys) + ", count(*) FROM " + source + " x JOIN "
            + Sql.qualified(u.schema(), u.name()) + " u ON u." + Sql.ident(u.sourceKey()) + " = x." + Sql.ident(col.ref().column())
            + " WHERE " + String.join(" AND ", notNull) + " GROUP BY " + String.join(", ", keys) + " HAVING count(*) > 1";
    }

    private static boolean isSimpleName(String text) {
        return text.matches("[a-z_][a-z0-9_$]*|\"([^\"]|\"\")+\"");
    }

    private void unsupportedObjects() throws SQLException {
        List<String> found = new ArrayList<>();
        List<String> advice = new ArrayList<>();
        for (PlannedColumn col : plan.toConvert()) {
            String where = " (on " + col.ref() + ")";
            if (col.table().relkind() != 'r' || col.table().partitionOrInherited()) {
                found.add("table " + col.ref().table() + " is " + (col.table().relkind() == 'p' ? "partitioned"
                    : col.table().relkind() == 'r' ? "part of an inheritance or partition tree" : "not a plain table"));
                advice.add("convert partitioned or inherited tables by hand, or " + plan.settings().howToLeaveOut(col.ref()));
            }
            for (Dependent d : col.dependents()) {
                found.add(d.kind() + ": " + d.description() + where);
                advice.add(d.advice());
            }
            if (col.defaultExpr() != null) {
                found.add("column default " + col.defaultExpr() + where);
                advice.add("ALTER TABLE ... ALTER COLUMN ... DROP DEFAULT before the migration");
            }
            for (ForeignKey fk : col.foreignKeys()) {
                if (col.userForeignKey(plan.users()) != fk) {
                    found.add("foreign key " + fk.name() + " (" + String.join(", ", fk.columns()) + ") -> " + fk.refTable()
                        + where + " is not a single-column reference to " + plan.users().name() + "(" + plan.users().sourceKey() + ")");
                    advice.add("drop it before the migration and recreate it afterwards");
                }
            }
            for (IndexInfo idx : col.indexes()) {
                if (idx.expressionUsesColumn()) {
                    found.add("index " + idx.name() + " uses the column in an expression" + where);
                    advice.add("drop the expression index before the migration and recreate it on the uuid column afterwards");
                } else if (idx.predicateUsesColumn() && !idx.predicateOnlyNullTests()) {
                    found.add("index " + idx.name() + " has a predicate comparing the column to integers" + where);
                    advice.add("drop the partial index before the migration and recreate it afterwards");
                } else if (idx.constraintType() == 'x') {
                    found.add("exclusion constraint " + idx.constraintName() + where);
                    advice.add("drop the exclusion constraint before the migration and recreate it afterwards");
                }
            }
        }
        out.add(found.isEmpty()
            ? CheckResult.pass("unsupported_objects", 0L,
                "no view, rule, policy, trigger, generated column, check, statistics or foreign key from another table depends on a planned column")
            : CheckResult.fail("unsupported_objects", (long) found.size(), String.join("; ", found), null,
                String.join("; ", advice.stream().distinct().toList())));
    }

    /**
     * Names uuidmig would create (or rename onto at the swap) that an object of someone else holds already:
     * see {@link NameClashes}. Which columns are past their expand step (so their temporary objects are uuidmig's
     * own) comes from the state; a state schema that is not uuidmig's own counts as no state (state_schema fails).
     * The unique index on users(uuid) needs no check: migrate takes a free name for it. The helper NOT NULL
     * check on users(uuid) must be free unless the state records that uuidmig added it.
     */
    private void nameClashes(UsersTable users) throws SQLException {
        if (org.uuidmig.engine.RollbackMarker.started(c)) {
            out.add(CheckResult.info("name_clashes", null, "a rollback is under way: its own run checks the names it creates"));
            return;
        }
        Map<List<String>, String> steps = new HashMap<>();
        boolean ownState = StateStore.foreignReason(c) == null;
        if (ownState) {
            for (StateStore.ColumnRow r : StateStore.columns(c, plan.schema())) {
                steps.put(List.of(r.table(), r.column()), r.step());
            }
        }
        List<NameClashes.Target> targets = new ArrayList<>();
        for (PlannedColumn col : plan.toConvert()) {
            String step = steps.get(List.of(col.ref().table(), col.ref().column()));
            boolean beforeExpand = NameClashes.beforeExpand(step);
            String finalFk = col.userForeignKey(users) == null
                ? org.uuidmig.sql.TempNames.defaultForeignKeyName(col.ref().table(), col.ref().column()) : null;
            targets.add(new NameClashes.Target(col, beforeExpand, true, finalFk));
        }
        List<String> found = new ArrayList<>(NameClashes.find(c, plan.schema(), targets));
        if (!users.targetKeyNotNull() && (!ownState
            || StateStore.created(c, plan.schema(), StateStore.USERS_NOT_NULL_CHECK) == null)) {
            String clash = NameClashes.usersConstraint(c, users.schema(), users.name(),
                org.uuidmig.sql.TempNames.usersNotNullCheck(users.targetKey()));
            if (clash != null) {
                found.add(clash);
            }
        }
        out.add(found.isEmpty()
            ? CheckResult.pass("name_clashes", 0L, "every name uuidmig will create is free (or its own, from an earlier run)")
            : CheckResult.fail("name_clashes", (long) found.size(), String.join("; ", found)
                + ": uuidmig would adopt, overwrite or trip over an object it did not create", null,
                "rename or drop each object named (it is not uuidmig's: uuidmig records what it creates), "
                    + (plan.settings().planFile() == null ? "or leave its column out with --exclude"
                        : "or leave its column out of the plan file " + plan.settings().planFile())));
    }

    private void activeUserSessions() throws SQLException {
        String schema = plan.schema();
        String condition = null;
        if (columnExists(schema, "user_sessions", "is_active")) {
            condition = "is_active";
        } else if (columnExists(schema, "user_sessions", "expires_at")) {
            condition = "expires_at > now()";
        }
        if (condition == null) {
            out.add(CheckResult.pass("active_user_sessions", null, "no user_sessions table with is_active or expires_at"));
            return;
        }
        if (!canSelect("user_sessions")) {
            notChecked("active_user_sessions", "user_sessions");
            return;
        }
        String q = "SELECT count(*) FROM " + Sql.qualified(schema, "user_sessions") + " WHERE " + condition;
        long n = count("active_user_sessions", 0, q);
        out.add(n == 0 ? CheckResult.pass("active_user_sessions", 0L, "no active sessions")
            : CheckResult.warn("active_user_sessions", n, n + " active user sessions: the application is in use",
                q.replace("count(*)", "*") + ";",
                "uuidmig runs online, but a quiet hour shortens lock waits; the guide suggests a maintenance window"));
    }

    private void openConnections() throws SQLException {
        long others;
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            others = rs.getLong(1);
        }
        List<String> old = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT pid, coalesce(nullif(application_name, ''), usename::text, '?'), state,
                   extract(epoch FROM now() - xact_start)::bigint
              FROM pg_catalog.pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()
               AND xact_start < now() - interval '1 minute'
             ORDER BY xact_start""");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                old.add("pid " + rs.getInt(1) + " (" + rs.getString(2) + ", " + rs.getString(3) + ") open for " + rs.getLong(4) + " s");
            }
        }
        if (!old.isEmpty()) {
            out.add(CheckResult.warn("long_transactions", (long) old.size(),
                "transactions older than 1 minute: " + String.join("; ", old)
                    + " - they stall lock acquisition and CREATE INDEX CONCURRENTLY",
                "SELECT pid, application_name, state, xact_start, query FROM pg_stat_activity WHERE xact_start < now() - interval '1 minute';",
                "let them finish, or end them (pg_terminate_backend) before migrating"));
        } else {
            out.add(CheckResult.pass("long_transactions", 0L, "no transaction older than 1 minute"));
        }
        out.add(others == 0 ? CheckResult.pass("open_connections", 0L, "no other connection to this database")
            : CheckResult.info("open_connections", others, others + " other connections to this database (the application; uuidmig works around them)"));
    }

    private void usersUuidConstraints(UsersTable u) {
        List<String> missing = new ArrayList<>();
        if (!u.targetKeyNotNull()) {
            missing.add("NOT NULL");
        }
        if (u.targetKeyUniqueIndex() == null) {
            missing.add("a unique constraint or index");
        }
        String col = Sql.qualified(u.schema(), u.name()) + "." + Sql.ident(u.targetKey());
        out.add(missing.isEmpty()
            ? CheckResult.pass("users_uuid_constraints", 0L, col + " is NOT NULL and unique (" + u.targetKeyUniqueIndex() + ")")
            : CheckResult.warn("users_uuid_constraints", (long) missing.size(), col + " lacks " + String.join(" and ", missing),
                null, "migrate adds them online (CHECK NOT VALID + VALIDATE + SET NOT NULL; unique index CONCURRENTLY + ADD CONSTRAINT USING INDEX)"));
    }

    /**
     * The FAIL of a planned column whose table or column does not exist. When the catalog has a user reference the plan
     * does not cover that is likely the one meant ({@link LikelyColumns}: a table with the same words, or another
     * reference in the same table), the message names it and the fix gives the exact plan options that plan it instead
     * (or the plan file's edit); JSON gets the same as {@code suggestion}.
     */
    private CheckResult missing(String name, PlannedColumn col, String what) {
        PlanSettings s = plan.settings();
        ColumnRef ref = col.ref();
        List<ColumnRef> likely = LikelyColumns.candidates(ref, col.state(), plan.notPlannedUserReferences(), s.excludes());
        String users = plan.users().name() + "(" + plan.users().sourceKey() + ")";
        if (likely.isEmpty()) {
            List<ColumnRef> planned = col.state() == ColumnState.MISSING_TABLE ? LikelyColumns.plannedWithSameWords(ref, plan.columns())
                : List.of();
            if (!planned.isEmpty()) {
                return CheckResult.fail(name, null, what + "; " + planned.get(0) + ", whose table has the same words, is in the plan "
                    + "already", null, "if that is the column meant, " + s.howToLeaveOut(ref));
            }
            return CheckResult.fail(name, null, what, null, "check the name, or " + s.howToLeaveOut(ref));
        }
        ColumnRef best = likely.get(0);
        String why = col.state() == ColumnState.MISSING_TABLE ? "its table has the same words" : "it is in the same table";
        String message = what + "; the likely intended column is " + best + " (" + why + ", and it references " + users
            + " but is not in the plan)" + (likely.size() > 1 ? "; also possible: "
            + String.join(", ", likely.subList(1, likely.size()).stream().map(ColumnRef::toString).toList()) : "");
        List<String> args = s.argumentsReplacing(ref, best);
        String fix;
        if (args == null) {
            fix = "if " + best + " is the column meant, list \"" + best + "\" in place of \"" + ref + "\" in \"columns\" of the plan file "
                + s.planFile();
        } else {
            fix = "if " + best + " is the column meant, plan it in place of " + ref + " with these plan options"
                + (s.defaultColumns() ? " (--column replaces the default list, so all " + s.requestedColumns().size() + " are named)" : "")
                + ":\n" + PlanSettings.Shell.join(args)
                + "\nor keep them in a plan file: uuidmig plan --write-plan FILE with these options, then --plan FILE (docs/plan-file.md)";
        }
        Map<String, Object> suggestion = new java.util.LinkedHashMap<>();
        suggestion.put("missing", ref.toString());
        suggestion.put("likely", likely.stream().map(ColumnRef::toString).toList());
        suggestion.put("arguments", args);
        suggestion.put("planFile", s.planFile());
        return CheckResult.fail(name, null, message, null, fix).withSuggestion(suggestion);
    }

    private void unplannedReferences() {
        List<ColumnRef> refs = plan.notPlannedUserReferences();
        List<String> listed = new ArrayList<>();
        for (ColumnRef r : refs) {
            String meant = null;
            for (PlannedColumn col : plan.columns()) {
                if ((col.state() == ColumnState.MISSING_TABLE || col.state() == ColumnState.MISSING_COLUMN)
                    && LikelyColumns.candidates(col.ref(), col.state(), refs, plan.settings().excludes()).contains(r)) {
                    meant = col.ref().toString();
                    break;
                }
            }
            listed.add(r + (meant == null ? "" : " (likely the planned " + meant + ", which does not exist: see its FAIL)"));
        }
        out.add(refs.isEmpty()
            ? CheckResult.pass("unplanned_user_references", 0L, "every foreign key to " + plan.users().name() + "(" + plan.users().sourceKey() + ") is in the plan")
            : CheckResult.warn("unplanned_user_references", (long) refs.size(), "not in the plan, will keep pointing at "
                + plan.users().name() + "." + plan.users().sourceKey() + ": " + String.join(", ", listed), null,
                plan.settings().howToAdd() + " if they should move to " + plan.users().targetKey()));
    }

    private void alembic() throws SQLException {
        if (!columnExists(plan.schema(), "alembic_version", "version_num")) {
            out.add(CheckResult.pass("alembic_version", null, "no alembic_version table (Alembic not used)"));
            return;
        }
        if (!canSelect("alembic_version")) {
            notChecked("alembic_version", "alembic_version");
            return;
        }
        List<String> versions = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT version_num FROM " + Sql.qualified(plan.schema(), "alembic_version"));
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                versions.add(rs.getString(1));
            }
        }
        if (versions.equals(List.of(ALEMBIC_BEFORE))) {
            out.add(CheckResult.pass("alembic_version", 1L, "alembic_version is " + ALEMBIC_BEFORE));
        } else if (versions.equals(List.of(ALEMBIC_AFTER))) {
            out.add(CheckResult.info("alembic_version", 1L, "alembic_version is already " + ALEMBIC_AFTER));
        } else {
            out.add(CheckResult.warn("alembic_version", (long) versions.size(), "alembic_version is " + versions
                + ", not " + ALEMBIC_BEFORE + "; migrate will not stamp it",
                "SELECT * FROM alembic_version;", "bring the schema to " + ALEMBIC_BEFORE + " first (alembic upgrade add_uuid_refresh_sessions)"));
        }
    }

    /**
     * Extra disk the migration needs at its peak, as {@code plan --estimate} works it out (EstimateModel.disk: the new
     * columns, the dead row versions between the backfill's vacuums, the bloated indexes, the index copies), so that the
     * two commands give the same number.
     */
    private void estimatedDisk() throws SQLException {
        Map<String, Integer> passes = new java.util.HashMap<>();
        for (PlannedColumn col : plan.toConvert()) {
            passes.merge(col.ref().table(), 1, Integer::sum);
        }
        Estimate.Disk d = EstimateModel.disk(EstimateFacts.server(c), EstimateFacts.tables(c, plan), passes, Map.of(), true);
        out.add(CheckResult.infoBytes("estimated_extra_disk", d.peakBytes(), "about " + Bytes.human(d.peakBytes())
            + " extra at the peak while migrating (new columns " + Bytes.human(d.newColumnBytes()) + ", dead row versions "
            + Bytes.human(d.deadRowBytes()) + ", index bloat " + Bytes.human(d.indexBloatBytes()) + ", index copies "
            + Bytes.human(d.indexCopyBytes()) + "); about " + Bytes.human(d.afterBytes()) + " stays after the swap and a VACUUM; "
            + "uuidmig plan --estimate adds the time, the WAL and the assumptions"));
    }

    private void migrationInProgress() throws SQLException {
        List<String> states = StateStore.describeProgress(c, plan.schema());
        long recorded = StateStore.columns(c, plan.schema()).size();
        out.add(states.isEmpty()
            ? CheckResult.pass("migration_in_progress", 0L, recorded > 0
                ? "the migration of schema " + plan.schema() + " has finished (all " + recorded + " recorded columns are done)"
                : "no uuidmig migration of schema " + plan.schema() + " has started on this database")
            : CheckResult.warn("migration_in_progress", (long) states.size(), "a migration is under way: " + String.join("; ", states),
                null, "run uuidmig migrate to continue it, or uuidmig status for details"));
    }

    private boolean columnExists(String schema, String table, String column) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT 1 FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = ? AND c.relname = ? AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped""")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            ps.setString(3, column);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private long count(String what, long estimatedRows, String sql) throws SQLException {
        long t0 = System.nanoTime();
        progress.start(what, estimatedRows);
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } finally {
            long millis = (System.nanoTime() - t0) / 1_000_000;
            LOG.debug("{}: {} ms: {}", what, millis, sql);
            progress.done(what, millis);
        }
    }

    /** table_column, lower-cased, other characters as _ (stable check-name suffix). */
    public static String checkSuffix(PlannedColumn col) {
        return (col.ref().table() + "_" + col.ref().column()).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }
}
