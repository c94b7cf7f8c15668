package org.uuidmig.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import org.uuidmig.ExitCode;
import org.uuidmig.db.Sql;
import org.uuidmig.testing.ClosedPort;
import org.uuidmig.testing.PostgresServer;
import org.uuidmig.testing.TestDb.CliResult;

/** uuidmig demo, end to end on the test server, the way a newcomer runs it. */
class DemoIT {
    private static final Pattern NAME = Pattern.compile("uuidmig_demo_[0-9a-f]{8}");

    /** demo --scale 1: every phase passes, the application never failed, the summary says so, and the database is gone. */
    @Test
    void runsEndToEndAndDropsItsDatabase() throws Exception {
        PostgresServer server = PostgresServer.get();
        CliResult r = CliResult.run("demo", "--scale", "1", "--url", server.urlFor("postgres"));
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        String name = demoDatabase(r);
        assertSummary(r);
        assertTrue(r.out().contains("database       " + name + " dropped"), r.out());
        // the line every command starts with names the throwaway database (on stderr)
        assertTrue(r.err().startsWith("uuidmig demo: target " + server.host() + ":" + server.port() + "/" + name + " as " + server.user()
            + " (PostgreSQL "), r.toString());
        assertEquals(0, databases(name));
    }

    /** demo --keep leaves the migrated database behind for a look. */
    @Test
    void keepLeavesTheMigratedDatabase() throws Exception {
        PostgresServer server = PostgresServer.get();
        CliResult r = CliResult.run("demo", "--scale", "1", "--keep", "--url", server.urlFor("postgres"));
        String name = demoDatabase(r);
        try {
            assertEquals(ExitCode.OK, r.exitCode(), r.toString());
            assertSummary(r);
            assertEquals(1, databases(name));
            try (Connection c = java.sql.DriverManager.getConnection(server.urlFor(name)); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                     + "WHERE attrelid = 'public.chat_messages'::regclass AND attname = 'sender_id'")) {
                rs.next();
                assertEquals("uuid", rs.getString(1));
            }
        } finally {
            try (Connection c = PostgresServer.admin(); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + Sql.ident(name));
            }
        }
    }

    /** A server named by --url that cannot be reached is what the user asked for: demo says so plainly, points at --local-server, exits 2. */
    @Test
    void noServerExitsTwo() throws Exception {
        try (ClosedPort closed = new ClosedPort()) {
            String address = "127.0.0.1:" + closed.port();
            CliResult r = CliResult.run("demo", "--url", "jdbc:postgresql://" + address + "/postgres?user=postgres");
            assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), r.toString());
            assertTrue(r.err().contains("no PostgreSQL server to run the demo on") && r.err().contains(address), r.toString());
            assertTrue(r.err().contains("uuidmig demo --local-server"), r.toString());
            assertTrue(!r.out().contains("throwaway PostgreSQL"), r.toString());
        }
    }

    /** --local-server starts a server of its own, so naming one as well is a usage error. */
    @Test
    void localServerWithUrlIsAUsageError() {
        CliResult r = CliResult.run("demo", "--local-server", "--url", "jdbc:postgresql://127.0.0.1:1/postgres?user=postgres");
        assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--local-server runs on a throwaway server of its own"), r.toString());
    }

    private static void assertSummary(CliResult r) {
        String out = r.out();
        assertTrue(out.contains("== uuidmig demo summary =="), out);
        assertTrue(Pattern.compile("time +[0-9.]+ s in all: fixture [0-9.]+ s, validate-pre [0-9.]+ s, migrate [0-9.]+ s, "
            + "validate-post [0-9.]+ s").matcher(out).find(), out);
        // scale 1: 4,450 rows in the nine tables (the fixture README's table), plus what the application wrote before the swap
        Matcher rows = Pattern.compile("rows +([0-9,]+) rows in 9 columns of 9 tables now reference users\\(uuid\\)").matcher(out);
        assertTrue(rows.find(), out);
        Matcher app = Pattern.compile("application +([0-9,]+) statements during migrate and a second after, (\\d+) failed; "
            + "it wrote ([0-9,]+) messages with integer user ids, then ([0-9,]+) with uuids").matcher(out);
        assertTrue(app.find(), out);
        assertTrue(Long.parseLong(app.group(1).replace(",", "")) > 0, out);
        assertEquals("0", app.group(2), out);
        assertTrue(Long.parseLong(app.group(4).replace(",", "")) > 0, "the application never wrote after the swap: " + out);
        // every message written before the swap (with its read state: two rows) is in the count taken at the swap
        assertEquals(4_450 + 2 * Long.parseLong(app.group(3).replace(",", "")), Long.parseLong(rows.group(1).replace(",", "")), out);
        assertTrue(Pattern.compile("longest stall +\\d+ ms \\(").matcher(out).find(), out);
        assertTrue(out.contains("result         OK: validate-pre, migrate and validate-post succeeded"), out);
    }

    private static String demoDatabase(CliResult r) {
        Matcher m = NAME.matcher(r.out());
        assertTrue(m.find(), r.toString());
        return m.group();
    }

    private static long databases(String name) throws Exception {
        try (Connection c = PostgresServer.admin(); PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_database WHERE datname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
