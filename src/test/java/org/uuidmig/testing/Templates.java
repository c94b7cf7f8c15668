package org.uuidmig.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import org.uuidmig.db.Sql;

/**
 * Template databases on the shared test server, built once per JVM and dropped when it exits, and copied into a
 * test's own database with {@code CREATE DATABASE ... TEMPLATE}: a copy of a small database costs about what a fresh
 * one from template0 does, while building it again (the fixture's DDL, its generator and ANALYZE, or a whole migrate)
 * costs more. The copy has the same catalog, data and planner statistics; only the cumulative statistics counters
 * (pg_stat_user_tables) start from zero. The names carry {@link TestNames#RUN}, so another copy of the suite on the same
 * server never sees them.
 */
final class Templates {
    /** Builds a template: fills the given database, which is created when first used (or copied, {@link TestDb#lazy}). */
    interface Builder {
        void build(TestDb template) throws SQLException;
    }

    private static final Map<String, String> BUILT = new LinkedHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Templates::dropAll, "drop-test-templates"));
    }

    private Templates() {
    }

    /**
     * Replaces {@code db} with a copy of the template called {@code key}, which {@code builder} fills the first time.
     * {@code db} must be fresh: whatever it held is dropped. It may not exist yet ({@link TestDb#lazy}).
     */
    static synchronized void copyInto(TestDb db, String key, Builder builder) throws SQLException {
        String name = db.nameUnused();
        String template = BUILT.get(key);
        if (template == null) {
            template = "uuidmig_tpl_" + TestNames.RUN + "_" + key;
            BUILT.put(key, template); // dropped at exit even if the build fails half-way
            builder.build(TestDb.lazy(PostgresServer.get(), template));
        }
        long until = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try (Connection c = PostgresServer.admin(); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + Sql.ident(name));
                st.execute("CREATE DATABASE " + Sql.ident(name) + " TEMPLATE " + Sql.ident(template));
                db.copied();
                return;
            } catch (SQLException e) {
                // 55006: a session that built the template is still exiting from it
                if (!"55006".equals(e.getSQLState()) || System.nanoTime() > until) {
                    throw e;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static synchronized void dropAll() {
        for (String t : BUILT.values()) {
            try (Connection c = PostgresServer.admin(); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + Sql.ident(t));
            } catch (SQLException e) {
                System.err.println("could not drop template database " + t + ": " + e.getMessage());
            }
        }
    }
}
