package org.uuidmig.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import org.uuidmig.db.Sql;

/**
 * The servicecatalog fixture after a plain {@code uuidmig migrate}, built once per JVM and scale, then copied
 * into a test's database with {@code CREATE DATABASE ... TEMPLATE} (a file copy: same catalog, data and uuidmig
 * state; only the statistics counters start from zero). For tests that damage a migrated database by hand.
 */
public final class MigratedFixture {
    private static final Map<Integer, String> TEMPLATES = new LinkedHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(MigratedFixture::dropTemplates, "drop-migrated-templates"));
    }

    private MigratedFixture() {
    }

    /** Replaces db (fresh and empty) with a copy of the fixture at this scale, migrated. */
    public static synchronized void copyInto(TestDb db, int scale) throws Exception {
        String template = TEMPLATES.get(scale);
        if (template == null) {
            template = ("uuidmig_tpl_" + TestNames.RUN + "_migrated_" + scale);
            try (Connection c = PostgresServer.admin(); Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + Sql.ident(template) + " TEMPLATE template0");
            }
            TEMPLATES.put(scale, template);
            TestDb t = new TestDb(db.server(), template);
            t.loadFixture(scale);
            TestDb.CliResult r = t.run("migrate");
            if (r.exitCode() != 0) {
                throw new IllegalStateException("migrating the template " + template + " failed: " + r);
            }
        }
        long until = System.nanoTime() + 20_000_000_000L;
        while (true) {
            try (Connection c = PostgresServer.admin(); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + Sql.ident(db.name()));
                st.execute("CREATE DATABASE " + Sql.ident(db.name()) + " TEMPLATE " + Sql.ident(template));
                return;
            } catch (SQLException e) {
                // 55006: a backend of the migrate run is still exiting from the template
                if (!"55006".equals(e.getSQLState()) || System.nanoTime() > until) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    private static synchronized void dropTemplates() {
        for (String t : TEMPLATES.values()) {
            try (Connection c = PostgresServer.admin(); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + Sql.ident(t));
            } catch (SQLException e) {
                System.err.println("could not drop template database " + t + ": " + e.getMessage());
            }
        }
    }
}
