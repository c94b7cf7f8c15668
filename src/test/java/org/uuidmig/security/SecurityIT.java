package org.uuidmig.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.ExitCode;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * Attacks by a role that owns the database or the tables, or only has CREATE on the database, against
 * uuidmig run by someone with more rights (docs/safety.md). Each creates a uniquely named role and drops it.
 */
@ExtendWith(PostgresExtension.class)
class SecurityIT {

    private static final String COMMENT = "SELECT col_description('public.chat_messages'::regclass, attnum) "
        + "FROM pg_attribute WHERE attrelid = 'public.chat_messages'::regclass AND attname = 'sender_id'";

    private static String uniqueRole(String prefix) {
        return prefix + "_" + ProcessHandle.current().pid() + "_" + System.nanoTime();
    }

    /** The test database's URL, for another user. */
    private static String urlAs(TestDb db, String role) {
        return db.url().replaceFirst("([?&])user=[^&]*", "$1user=" + role);
    }

    private static boolean isSuperuser(TestDb db, String role) throws SQLException {
        return "true".equals(db.queryString("SELECT rolsuper::text FROM pg_roles WHERE rolname = ?", role));
    }

    /** Makes role the owner of the database and of every table (and so its sequences) in schema public. */
    private static void giveDatabaseTo(TestDb db, String role) throws SQLException {
        db.exec("ALTER DATABASE \"" + db.name() + "\" OWNER TO \"" + role + "\"");
        db.exec("DO $$ DECLARE r record; BEGIN FOR r IN SELECT c.oid::regclass AS t FROM pg_class c "
            + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') LOOP "
            + "EXECUTE format('ALTER TABLE %s OWNER TO %I', r.t, '" + role + "'); END LOOP; END $$");
    }

    private static void dropRole(TestDb db, String role) {
        try (Connection c = DriverManager.getConnection(db.server().urlFor("postgres")); Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE \"" + db.name() + "\" OWNER TO CURRENT_USER");
            st.execute("ALTER DATABASE \"" + db.name() + "\" RESET ALL");
            st.execute("ALTER ROLE \"" + role + "\" RESET ALL");
        } catch (SQLException ignored) {
            // the database may already be gone
        }
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("REASSIGN OWNED BY \"" + role + "\" TO CURRENT_USER");
            st.execute("DROP OWNED BY \"" + role + "\"");
            st.execute("DROP ROLE IF EXISTS \"" + role + "\"");
        } catch (SQLException e) {
            throw new AssertionError("cannot drop role " + role + ": " + e.getMessage(), e);
        }
    }

    /**
     * The owner of the database and tables sets standard_conforming_strings = off on the database and writes a
     * column comment that, quoted by doubling quotes only, closes the literal early and appends ALTER ROLE ...
     * SUPERUSER. migrate, run by a superuser, must copy the comment intact and execute nothing of it.
     */
    @Test
    void aCommentCannotInjectSqlWhenTheOwnerTurnsStandardConformingStringsOff(TestDb db) throws Exception {
        db.loadFixture(1);
        String role = uniqueRole("adv_owner");
        String comment = "x\\'; ALTER ROLE " + role + " SUPERUSER; --";
        db.exec("CREATE ROLE \"" + role + "\" LOGIN");
        try {
            giveDatabaseTo(db, role);
            try (Connection c = DriverManager.getConnection(urlAs(db, role)); Statement st = c.createStatement()) {
                st.execute("SET standard_conforming_strings = on");
                st.execute("COMMENT ON COLUMN public.chat_messages.sender_id IS '" + comment.replace("'", "''") + "'");
                st.execute("ALTER DATABASE \"" + db.name() + "\" SET standard_conforming_strings = off");
            }
            assertEquals(comment, db.queryString(COMMENT));

            CliResult dry = db.run("migrate", "--dry-run");
            assertEquals(0, dry.exitCode(), dry.toString());
            assertFalse(dry.out().contains("IS '" + comment.replace("'", "''") + "'"),
                "the dry-run prints the comment quoted by doubling only, unsafe in psql with standard_conforming_strings = off:\n" + dry.out());

            CliResult r = db.run("migrate");
            assertFalse(isSuperuser(db, role), "the comment's ALTER ROLE ran: " + r);
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals("uuid", db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                + "WHERE attrelid = 'public.chat_messages'::regclass AND attname = 'sender_id'"));
            assertEquals(comment, db.queryString(COMMENT));
        } finally {
            dropRole(db, role);
        }
    }

    /** ConnectionSettings for the test database as role (trust authentication). */
    static org.uuidmig.config.ConnectionSettings settingsAs(TestDb db, String role) {
        java.util.Properties p = org.postgresql.Driver.parseURL(db.url(), null);
        return new org.uuidmig.config.ConnectionSettings(p.getProperty("PGHOST"), Integer.parseInt(p.getProperty("PGPORT")),
            db.name(), role, null, null, "public", null);
    }

    /**
     * Whatever the database's and the role's owner set with ALTER DATABASE/ROLE ... SET, a uuidmig session and
     * Flyway's start with standard_conforming_strings on, row_security off and search_path pg_catalog, pg_temp;
     * a query that a policy would filter then fails instead of returning fewer rows.
     */
    @Test
    void everySessionPinsItsSettingsWhateverTheDatabaseAndRoleSay(TestDb db) throws Exception {
        db.loadFixture(1);
        String role = uniqueRole("adv_settings");
        db.exec("CREATE ROLE \"" + role + "\" LOGIN");
        try {
            giveDatabaseTo(db, role);
            db.exec("ALTER TABLE public.chat_messages ENABLE ROW LEVEL SECURITY");
            db.exec("ALTER TABLE public.chat_messages FORCE ROW LEVEL SECURITY");
            db.exec("CREATE POLICY tenth_hidden ON public.chat_messages USING (id % 10 <> 0)");
            db.exec("ALTER DATABASE \"" + db.name() + "\" SET standard_conforming_strings = off");
            db.exec("ALTER DATABASE \"" + db.name() + "\" SET search_path = public, pg_catalog");
            db.exec("ALTER ROLE \"" + role + "\" SET row_security = on");
            db.exec("ALTER ROLE \"" + role + "\" SET search_path = public");
            org.uuidmig.config.ConnectionSettings s = settingsAs(db, role);
            try (Connection c = new org.uuidmig.db.Database(s).connect("test")) {
                assertPinned(c);
            }
            try (Connection c = org.uuidmig.flyway.FlywayRunner.flyway(s, new org.uuidmig.flyway.V2025_12_04_2215__migrate_user_references_to_uuid(() -> {
                throw new IllegalStateException("not run");
            })).getConfiguration().getDataSource().getConnection()) {
                assertPinned(c);
            }
        } finally {
            dropRole(db, role);
        }
    }

    private static void assertPinned(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String[] expected : new String[][] {{"standard_conforming_strings", "on"}, {"row_security", "off"},
                {"search_path", "pg_catalog,pg_temp"}}) {
                try (java.sql.ResultSet rs = st.executeQuery("SHOW " + expected[0])) {
                    rs.next();
                    assertEquals(expected[1], rs.getString(1), expected[0]);
                }
            }
            SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
                () -> st.executeQuery("SELECT count(*) FROM public.chat_messages"));
            assertEquals("42501", e.getSQLState(), e.getMessage());
            assertTrue(e.getMessage().contains("row-level security"), e.getMessage());
        }
    }

    /**
     * A table whose name holds a line break followed by SQL: --dry-run, which a DBA may paste into psql, prints the
     * name in its comment lines with the line break escaped, so nothing of the name is outside a comment, a
     * literal or a quoted identifier.
     */
    @Test
    void aNameWithALineBreakStaysInsideTheDryRunsComments(TestDb db) throws Exception {
        db.loadFixture(1);
        String name = "notes\nALTER ROLE nobody SUPERUSER; --";
        db.exec("CREATE TABLE public.\"" + name + "\" (id serial PRIMARY KEY, user_id integer REFERENCES public.users (id))");
        CliResult dry = db.run("migrate", "--dry-run", "--discover");
        assertEquals(0, dry.exitCode(), dry.toString());
        assertTrue(dry.out().contains("notes\\x0aALTER ROLE"), dry.out());
        assertFalse(outsideQuotesAndComments(dry.out()).contains("ALTER ROLE"), dry.out());
    }

    /** The text of sql outside -- comments, '' and E'' literals and quoted identifiers, as psql would lex it. */
    private static String outsideQuotesAndComments(String sql) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < sql.length()) {
            char ch = sql.charAt(i);
            if (ch == '-' && sql.startsWith("--", i)) {
                int nl = sql.indexOf('\n', i);
                i = nl < 0 ? sql.length() : nl;
            } else if (ch == '"' || ch == '\'') {
                boolean escapes = ch == '\'' && i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e');
                int j = i + 1;
                while (j < sql.length()) {
                    char c = sql.charAt(j);
                    if (escapes && c == '\\') {
                        j += 2;
                    } else if (c == ch && j + 1 < sql.length() && sql.charAt(j + 1) == ch) {
                        j += 2;
                    } else if (c == ch) {
                        break;
                    } else {
                        j++;
                    }
                }
                i = j + 1;
            } else {
                out.append(ch);
                i++;
            }
        }
        return out.toString();
    }

    /** Sql.literal reads back as the same text with standard_conforming_strings on and off (pgjdbc parses it too). */
    @Test
    void literalsMeanTheSameWhateverStandardConformingStringsSays(TestDb db) throws Exception {
        java.util.List<String> values = java.util.List.of("plain", "it's", "x\\'; SELECT 1; --", "a\\", "\\\\'''\\", "\\n\\t", "é\\'ü");
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            for (String setting : java.util.List.of("on", "off")) {
                st.execute("SET standard_conforming_strings = " + setting);
                for (String v : values) {
                    try (java.sql.ResultSet rs = st.executeQuery("SELECT " + org.uuidmig.db.Sql.literal(v))) {
                        rs.next();
                        assertEquals(v, rs.getString(1), "standard_conforming_strings = " + setting + ": " + org.uuidmig.db.Sql.literal(v));
                    }
                }
            }
        }
    }

    /**
     * A role with only CREATE on the database plants schema uuidmig with a uuidmig.columns whose trigger makes it
     * superuser. migrate and rollback, run by a superuser, refuse with exit 1 naming the owner, before changing
     * anything; validate-pre reports it as a failed check.
     */
    @Test
    void aPlantedStateSchemaIsRefusedNamingItsOwner(TestDb db) throws Exception {
        db.loadFixture(1);
        String role = uniqueRole("adv_create");
        db.exec("CREATE ROLE \"" + role + "\" LOGIN");
        try {
            db.exec("GRANT CREATE ON DATABASE \"" + db.name() + "\" TO \"" + role + "\"");
            try (Connection c = DriverManager.getConnection(urlAs(db, role)); Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA uuidmig");
                st.execute("""
                    CREATE TABLE uuidmig.columns (
                        table_schema text, table_name text, column_name text, position integer,
                        step text NOT NULL DEFAULT 'planned', original jsonb, backfill_last_key text[],
                        backfill_rows bigint NOT NULL DEFAULT 0, backfill_done boolean NOT NULL DEFAULT false,
                        started_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now())""");
                st.execute("CREATE FUNCTION uuidmig.promote() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN "
                    + "EXECUTE format('ALTER ROLE %I SUPERUSER', '" + role + "'); RETURN NEW; END $f$");
                st.execute("CREATE TRIGGER promote BEFORE INSERT ON uuidmig.columns FOR EACH ROW EXECUTE FUNCTION uuidmig.promote()");
            }

            CliResult pre = db.run("validate-pre");
            assertEquals(ExitCode.CHECKS_FAILED, pre.exitCode(), pre.toString());
            assertTrue((pre.out() + pre.err()).contains(role), pre.toString());

            CliResult r = db.run("migrate");
            assertFalse(isSuperuser(db, role), "the planted trigger ran: " + r);
            assertEquals(ExitCode.CHECKS_FAILED, r.exitCode(), r.toString());
            assertTrue(r.err().contains(role), r.toString());
            assertEquals("integer", db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                + "WHERE attrelid = 'public.chat_messages'::regclass AND attname = 'sender_id'"));
            assertEquals(0, db.queryLong("SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.chat_messages'::regclass "
                + "AND attname LIKE '%uuidmig%'"));
            assertEquals(0, db.queryLong("SELECT count(*) FROM uuidmig.columns"));
            assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname = 'uuidmig' AND c.relname <> 'columns'"));

            CliResult rb = db.run("rollback");
            assertFalse(isSuperuser(db, role), "the planted trigger ran: " + rb);
            assertEquals(ExitCode.CHECKS_FAILED, rb.exitCode(), rb.toString());
            assertTrue(rb.err().contains(role), rb.toString());
        } finally {
            dropRole(db, role);
        }
    }

    /**
     * The table owner (not superuser, no BYPASSRLS) runs migrate on a table with FORCE ROW LEVEL SECURITY and a
     * policy that hides every tenth message. Before, the hidden rows were skipped by backfill and verify and lost
     * their sender_id at the swap (exit 0). Now validate-pre reports the policy and migrate refuses before
     * changing anything, naming the table and the fix.
     */
    @Test
    void rowLevelSecurityThatHidesRowsFromTheMigratingRoleIsRefused(TestDb db) throws Exception {
        db.loadFixture(1);
        String role = uniqueRole("rls_owner");
        db.exec("CREATE ROLE \"" + role + "\" LOGIN");
        try {
            giveDatabaseTo(db, role);
            db.exec("ALTER TABLE public.chat_messages ENABLE ROW LEVEL SECURITY");
            db.exec("ALTER TABLE public.chat_messages FORCE ROW LEVEL SECURITY");
            db.exec("CREATE POLICY tenth_hidden ON public.chat_messages USING (id % 10 <> 0)");
            long hiddenWithSender = db.queryLong("SELECT count(*) FROM public.chat_messages WHERE id % 10 = 0 AND sender_id IS NOT NULL");
            assertTrue(hiddenWithSender > 0);
            long nullsBefore = db.queryLong("SELECT count(*) FROM public.chat_messages WHERE sender_id IS NULL");
            String url = urlAs(db, role);

            CliResult pre = db.run("validate-pre", "--url", url);
            assertEquals(ExitCode.CHECKS_FAILED, pre.exitCode(), pre.toString());
            assertTrue((pre.out() + pre.err()).contains("chat_messages"), pre.toString());

            CliResult r = db.run("migrate", "--url", url);
            // never exit 0 with rows the policy hid left NULL
            assertEquals(nullsBefore, db.queryLong("SELECT count(*) FROM public.chat_messages WHERE sender_id IS NULL"), r.toString());
            assertEquals(ExitCode.CHECKS_FAILED, r.exitCode(), r.toString());
            assertTrue(r.err().contains("chat_messages") && r.err().contains("BYPASSRLS"), r.toString());
            assertEquals("integer", db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                + "WHERE attrelid = 'public.chat_messages'::regclass AND attname = 'sender_id'"));
            assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'"));
        } finally {
            dropRole(db, role);
        }
    }

    /**
     * Row-level security that the migrating role bypasses is no obstacle: the tables' owner, on a table with RLS
     * enabled but not forced, passes row_level_security and migrates every row, the ones the policy would hide
     * from others included (row_security = off raises no error where no policy applies).
     */
    @Test
    void rowLevelSecurityTheOwnerBypassesIsNoObstacle(TestDb db) throws Exception {
        db.loadFixture(1);
        String role = uniqueRole("rls_owner_ok");
        db.exec("CREATE ROLE \"" + role + "\" LOGIN");
        try {
            giveDatabaseTo(db, role);
            db.exec("ALTER TABLE public.chat_messages ENABLE ROW LEVEL SECURITY");
            db.exec("CREATE POLICY tenth_hidden ON public.chat_messages USING (id % 10 <> 0)");
            long nullsBefore = db.queryLong("SELECT count(*) FROM public.chat_messages WHERE sender_id IS NULL");
            String url = urlAs(db, role);

            CliResult pre = db.run("validate-pre", "--url", url);
            assertEquals(ExitCode.OK, pre.exitCode(), pre.toString());
            assertTrue(pre.out().contains("[PASS] row_level_security"), pre.out());

            CliResult r = db.run("migrate", "--url", url);
            assertEquals(ExitCode.OK, r.exitCode(), r.toString());
            assertEquals(nullsBefore, db.queryLong("SELECT count(*) FROM public.chat_messages WHERE sender_id IS NULL"));
            assertEquals(0, db.queryLong("SELECT count(*) FROM public.chat_messages m LEFT JOIN public.users u ON u.uuid = m.sender_id "
                + "WHERE m.sender_id IS NOT NULL AND u.uuid IS NULL"));
        } finally {
            dropRole(db, role);
        }
    }
}
