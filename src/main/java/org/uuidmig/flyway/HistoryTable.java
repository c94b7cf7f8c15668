package org.uuidmig.flyway;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.db.Sql;
import org.uuidmig.engine.StateStore;

/**
 * Where Flyway keeps its record of uuidmig's migrations for one application schema: table {@code uuidmig_history.<app
 * schema>} ({@link #tableFor}), out of the application's schema, so that the application's own schema tools (Alembic's autogenerate) see
 * nothing of uuidmig's there (issue 16 item 6).
 *
 * <p>Why a schema of its own rather than schema uuidmig (the state's): rollback drops schema uuidmig at its end,
 * and the history row it has just written is what {@code status} reads afterwards ("rolled back on ..."); the history
 * must outlive the state. One table per application schema, named after it: uuidmig migrates each schema separately,
 * and each has its own migrate and rollback rows.
 *
 * <p>Older uuidmig versions kept the table as {@code <app schema>.uuidmig_schema_history} ({@link #legacy}). Readers
 * ({@link #find}) use that one while it is there; migrate and rollback move it, under the run lock and in one
 * transaction, before Flyway runs ({@link #relocate}).
 */
public record HistoryTable(String schema, String table) {
    /** The schema of Flyway's history tables, one per application schema. */
    public static final String SCHEMA = "uuidmig_history";
    /** The table's name before it had a schema of its own, in the application's schema. */
    public static final String LEGACY_TABLE = "uuidmig_schema_history";
    private static final String COMMENT = "uuidmig: Flyway's record of uuidmig's migrations, one table per application schema";

    /** The history of {@code appSchema} where uuidmig keeps it now. */
    public static HistoryTable of(String appSchema) {
        return new HistoryTable(SCHEMA, tableFor(appSchema));
    }

    /**
     * The history table's name for {@code appSchema}: the schema's own name, unless Flyway could not create a table of
     * that name or the name could be mistaken for another's, then {@code #} and the md5 of the name. Flyway's DDL
     * puts the table's name between double quotes unescaped ({@code "<table>_pk"}, {@code "<table>_s_idx"}), so a
     * name with a double quote breaks it; a name over 57 bytes would have its index name cut at 63 bytes, where two
     * such schemas' could clash; and no plain name starts with {@code #}, so the hashed names are nobody else's.
     * The Alembic revision (alembic/versions) and scripts/post_migration_validation.sql compute the same name.
     */
    public static String tableFor(String appSchema) {
        boolean plain = appSchema.indexOf('"') < 0 && !appSchema.startsWith("#")
            && appSchema.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 57;
        if (plain) {
            return appSchema;
        }
        try {
            byte[] md5 = java.security.MessageDigest.getInstance("MD5").digest(appSchema.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "#" + java.util.HexFormat.of().formatHex(md5);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where uuidmig kept the history of {@code appSchema} before it had a schema of its own. */
    public static HistoryTable legacy(String appSchema) {
        return new HistoryTable(appSchema, LEGACY_TABLE);
    }

    /** The quoted, schema-qualified name. */
    public String qualified() {
        return Sql.qualified(schema, table);
    }

    @Override
    public String toString() {
        return schema + "." + table;
    }

    /** Whether the table exists. */
    public boolean exists(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.to_regclass(?) IS NOT NULL")) {
            ps.setString(1, qualified());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * Where the history of {@code appSchema} is, for reading: in {@value #SCHEMA}, or, when only the old table
     * exists (a run of an older uuidmig that no migrate or rollback has moved yet), in the application's schema.
     * When neither exists, the current place (where Flyway will create it).
     */
    public static HistoryTable find(Connection c, String appSchema) throws SQLException {
        HistoryTable now = of(appSchema);
        if (now.exists(c)) {
            return now;
        }
        HistoryTable old = legacy(appSchema);
        return old.exists(c) ? old : now;
    }

    /**
     * For migrate and rollback, under the run lock, before they write anything: moves an old
     * {@code <app schema>.uuidmig_schema_history} to {@code uuidmig_history.<app schema>} in one transaction (SET SCHEMA,
     * then the table, primary key and index renamed to what Flyway names them in a table it creates), and tells
     * {@code say} so. Nothing happens when there is no old table. Refuses (exit 1, nothing changed) when both exist:
     * one of them was written by another uuidmig version, and which one is the record is for a person to decide.
     */
    public static HistoryTable relocate(Connection c, String appSchema, Consumer<String> say) throws SQLException {
        HistoryTable now = of(appSchema);
        HistoryTable old = legacy(appSchema);
        if (!old.exists(c)) {
            return now;
        }
        if (now.exists(c)) {
            throw new UuidmigException(ExitCode.CHECKS_FAILED, "Flyway's record of uuidmig's migration of schema " + appSchema
                + " exists twice: " + old + " (where older uuidmig versions kept it) and " + now + " (where it keeps it now). "
                + "Compare them, keep the one with the newer rows (ALTER TABLE ... SET SCHEMA " + SCHEMA + " and RENAME TO "
                + Sql.ident(now.table()) + "), drop the other, then rerun. Nothing was changed");
        }
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            ensureSchema(c);
            try (Statement st = c.createStatement()) {
                // the names Flyway gives the primary key and index of a table it creates (createMetaDataTable.sql)
                String pk = constraintOf(c, old, "p");
                String idx = indexOf(c, old, LEGACY_TABLE + "_s_idx");
                st.execute("ALTER TABLE " + old.qualified() + " SET SCHEMA " + Sql.ident(SCHEMA));
                st.execute("ALTER TABLE " + Sql.qualified(SCHEMA, LEGACY_TABLE) + " RENAME TO " + Sql.ident(now.table()));
                if (pk != null) {
                    st.execute("ALTER TABLE " + now.qualified() + " RENAME CONSTRAINT " + Sql.ident(pk) + " TO "
                        + Sql.ident(now.table() + "_pk"));
                }
                if (idx != null) {
                    st.execute("ALTER INDEX " + Sql.qualified(SCHEMA, idx) + " RENAME TO " + Sql.ident(now.table() + "_s_idx"));
                }
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            if (e instanceof SQLException sql && "42501".equals(sql.getSQLState())) {
                throw new UuidmigException(ExitCode.CHECKS_FAILED, "cannot move Flyway's history table " + old + " to " + now
                    + " (" + sql.getMessage() + "): run as the owner of " + old + ", or move it as its owner: ALTER TABLE "
                    + old.qualified() + " SET SCHEMA " + Sql.ident(SCHEMA) + "; ALTER TABLE " + Sql.qualified(SCHEMA, LEGACY_TABLE)
                    + " RENAME TO " + Sql.ident(now.table()) + ";. Nothing was changed", sql);
            }
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
        say.accept("Moved Flyway's history table " + old + " (where uuidmig kept it before) to " + now
            + ", out of the application's schema; its rows are unchanged");
        return now;
    }

    /**
     * Creates schema {@value #SCHEMA} if it is missing (Flyway creates the table in it), and refuses one that is not
     * uuidmig's own: Flyway writes there with this role's rights (see {@link StateStore#foreignReason(Connection)}).
     */
    public static void ensureSchema(Connection c) throws SQLException {
        String why = StateStore.foreignReason(c, SCHEMA);
        if (why != null) {
            throw new UuidmigException(ExitCode.CHECKS_FAILED, "schema " + SCHEMA + " was not created by uuidmig running as "
                + "this role, or holds objects someone else put there (" + why + "): Flyway keeps uuidmig's history there and "
                + "would run their code with this role's rights, so uuidmig refuses. Nothing was changed. If it is your own "
                + "earlier uuidmig history, run as its owner; otherwise drop or rename that schema");
        }
        if (!schemaExists(c)) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA IF NOT EXISTS " + Sql.ident(SCHEMA));
                st.execute("COMMENT ON SCHEMA " + Sql.ident(SCHEMA) + " IS " + Sql.literal(COMMENT));
            }
        }
    }

    /** Whether schema {@value #SCHEMA} exists. */
    public static boolean schemaExists(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ?")) {
            ps.setString(1, SCHEMA);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Whether schema {@value #SCHEMA} holds no relation, function or type any more (cleanup may then drop it). */
    public static boolean schemaEmpty(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class WHERE relnamespace = n.oid)
                OR EXISTS (SELECT 1 FROM pg_catalog.pg_proc WHERE pronamespace = n.oid)
                OR EXISTS (SELECT 1 FROM pg_catalog.pg_type WHERE typnamespace = n.oid)
              FROM pg_catalog.pg_namespace n WHERE n.nspname = ?""")) {
            ps.setString(1, SCHEMA);
            try (ResultSet rs = ps.executeQuery()) {
                return !rs.next() || !rs.getBoolean(1);
            }
        }
    }

    private static String constraintOf(Connection c, HistoryTable t, String type) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT conname FROM pg_catalog.pg_constraint "
            + "WHERE conrelid = pg_catalog.to_regclass(?) AND contype = ?::\"char\"")) {
            ps.setString(1, t.qualified());
            ps.setString(2, type);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static String indexOf(Connection c, HistoryTable t, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT i.relname FROM pg_catalog.pg_index x "
            + "JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = pg_catalog.to_regclass(?) AND i.relname = ?")) {
            ps.setString(1, t.qualified());
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
