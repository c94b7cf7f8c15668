package org.uuidmig.step;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Small catalog look-ups the steps use to tell whether they have already run. */
final class Catalog {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Catalog.class);

    private Catalog() {
    }

    /** Work done inside {@link #inTransaction}. */
    interface TxBody {
        void run() throws SQLException;
    }

    /** A value computed inside {@link #valueInTransaction}. */
    interface TxValue<T> {
        T get() throws SQLException;
    }

    /** {@link #valueInTransaction} for work that returns nothing. */
    static void inTransaction(Connection c, boolean snapshot, TxBody body) throws SQLException {
        valueInTransaction(c, snapshot, () -> {
            body.run();
            return null;
        });
    }

    /**
     * Runs body in one transaction on c (REPEATABLE READ when snapshot is true, so every read sees one snapshot),
     * commits when it returns and rolls back when it throws anything: a RuntimeException too, since giving back
     * auto-commit would otherwise commit the half-done work. Auto-commit is on again afterwards. No lock retry:
     * for uuidmig's own tables and snapshot reads; statements that can queue the application go through
     * {@code ctx.blocking()}.
     */
    static <T> T valueInTransaction(Connection c, boolean snapshot, TxValue<T> body) throws SQLException {
        c.setAutoCommit(false);
        try {
            if (snapshot) {
                exec(c, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            }
            T value = body.get();
            c.commit();
            return value;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    static boolean columnExists(Connection c, String schema, String table, String column) throws SQLException {
        return exists(c, """
            SELECT 1 FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class t ON t.oid = a.attrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
             WHERE n.nspname = ? AND t.relname = ? AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped""",
            schema, table, column);
    }

    static String columnType(Connection c, String schema, String table, String column) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT t2.typname FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class t ON t.oid = a.attrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace JOIN pg_catalog.pg_type t2 ON t2.oid = a.atttypid
             WHERE n.nspname = ? AND t.relname = ? AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped""")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            ps.setString(3, column);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    static boolean triggerExists(Connection c, String schema, String table, String trigger) throws SQLException {
        return exists(c, """
            SELECT 1 FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class t ON t.oid = g.tgrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
             WHERE n.nspname = ? AND t.relname = ? AND g.tgname = ?""", schema, table, trigger);
    }

    /** Whether the trigger exists and fires ALWAYS (tgenabled = 'A'), also under session_replication_role = replica. */
    static boolean triggerFiresAlways(Connection c, String schema, String table, String trigger) throws SQLException {
        return exists(c, """
            SELECT 1 FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class t ON t.oid = g.tgrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
             WHERE n.nspname = ? AND t.relname = ? AND g.tgname = ? AND g.tgenabled = 'A'""", schema, table, trigger);
    }

    /** Whether the trigger exists and calls function {@code uuidmig.<function>}. */
    static boolean triggerCalls(Connection c, String schema, String table, String trigger, String function) throws SQLException {
        return exists(c, """
            SELECT 1 FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class t ON t.oid = g.tgrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace JOIN pg_catalog.pg_proc p ON p.oid = g.tgfoid
              JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
             WHERE n.nspname = ? AND t.relname = ? AND g.tgname = ? AND pn.nspname = 'uuidmig' AND p.proname = ?""",
            schema, table, trigger, function);
    }

    /** null when the index does not exist, else whether it is valid. */
    static Boolean indexValid(Connection c, String schema, String index) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT i.indisvalid FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = ic.relnamespace WHERE n.nspname = ? AND ic.relname = ?""")) {
            ps.setString(1, schema);
            ps.setString(2, index);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }

    /** null when the constraint does not exist on the table, else whether it is validated. */
    static Boolean constraintValidated(Connection c, String schema, String table, String constraint) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT con.convalidated FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class t ON t.oid = con.conrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
             WHERE n.nspname = ? AND t.relname = ? AND con.conname = ?""")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            ps.setString(3, constraint);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getBoolean(1) : null;
            }
        }
    }

    static boolean exists(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Sends each planned statement, in order (the statements a step's dry run prints). */
    static void send(Connection c, java.util.List<MigrationStep.PlannedStatement> statements) throws SQLException {
        for (MigrationStep.PlannedStatement s : statements) {
            exec(c, s.sql());
        }
    }

    static void exec(Connection c, String sql) throws SQLException {
        LOG.debug("SQL: {}", sql);
        try (var st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
