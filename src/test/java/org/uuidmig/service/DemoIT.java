package org.uuidmig.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.uuidmig.ExitCode;
import org.uuidmig.db.Sql;
import org.uuidmig.testing.ClosedPort;
import org.uuidmig.testing.PostgresServer;
import org.uuidmig.testing.TestDb.CliResult;

/** uuidmig demo, end to end on the test server, the way a newcomer runs it. */
class DemoIT {
    private static final Pattern NAME = Pattern.compile("uuidmig_demo_[0-9a-f]{8}");

    /** demo --scale 1: blue and green through the deploy, every phase passes, neither application failed, the summary says so, and the database is gone. */
    @Test
    void runsEndToEndAndDropsItsDatabase() throws Exception {
        PostgresServer server = PostgresServer.get();
        CliResult r = CliResult.run("demo", "--scale", "1", "--url", server.urlFor("postgres"));
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        String name = demoDatabase(r);
        assertSummary(r.out());
        assertTrue(r.out().contains("database       " + name + " dropped"), r.out());
        // the line every command starts with names the throwaway database (on stderr)
        assertTrue(r.err().startsWith("uuidmig demo: target " + server.host() + ":" + server.port() + "/" + name + " as " + server.user()
            + " (PostgreSQL "), r.toString());
        assertEquals(0, databases(name));
    }

    /** demo --keep leaves the migrated database behind for a look. */
    // the slow suite's: runsEndToEndAndDropsItsDatabase runs the same demo
    @Tag("slow")
    @Test
    void keepLeavesTheMigratedDatabase() throws Exception {
        PostgresServer server = PostgresServer.get();
        CliResult r = CliResult.run("demo", "--scale", "1", "--keep", "--url", server.urlFor("postgres"));
        String name = demoDatabase(r);
        try {
            assertEquals(ExitCode.OK, r.exitCode(), r.toString());
            assertSummary(r.out());
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

    /**
     * The deploy in its order (blue, expand, green joins, blue retires, contract), both applications' statements with
     * no failure, and the rows: every message blue wrote (with its read state: two rows) is in the count taken at the
     * swap, and of green's only those written before it. DemoLocalServerIT asserts the same.
     */
    static void assertSummary(String out) {
        assertTrue(out.contains("== uuidmig demo summary =="), out);
        int at = -1;
        for (String stage : List.of(">> blue running: the integer application", ">> expand done: window open in public_uuid",
            ">> green joined: the uuid application", ">> blue retired: stopped after", ">> contract done: the columns are uuid",
            ">> green stopped after", "== uuidmig demo summary ==")) {
            int i = out.indexOf(stage);
            assertTrue(i > at, "\"" + stage + "\" missing or out of order: " + out);
            at = i;
        }
        assertTrue(Pattern.compile("time +[0-9.]+ s in all: fixture [0-9.]+ s, validate-pre [0-9.]+ s, expand [0-9.]+ s, "
            + "side by side [0-9.]+ s, contract [0-9.]+ s, validate-post [0-9.]+ s").matcher(out).find(), out);
        // scale 1: 4,450 rows in the nine tables (the fixture README's table), plus what the applications wrote before the swap
        Matcher rows = Pattern.compile("rows +([0-9,]+) rows in 9 columns of 9 tables now reference users\\(uuid\\)").matcher(out);
        assertTrue(rows.find(), out);
        Matcher blue = Pattern.compile("(?m)^  blue +([0-9,]+) statements, (\\d+) failed; the integer application, from the start until it "
            + "retired after expand: ([0-9,]+) messages with integer user ids").matcher(out);
        assertTrue(blue.find(), out);
        Matcher green = Pattern.compile("(?m)^  green +([0-9,]+) statements, (\\d+) failed; the uuid application \\(search_path public_uuid, "
            + "public\\), from the window until after contract: ([0-9,]+) messages with uuid user ids").matcher(out);
        assertTrue(green.find(), out);
        assertTrue(number(blue.group(1)) > 0 && number(green.group(1)) > 0, out);
        assertEquals("0", blue.group(2), "blue's failed statements: " + out);
        assertEquals("0", green.group(2), "green's failed statements: " + out);
        long blueMessages = number(blue.group(3));
        long greenMessages = number(green.group(3));
        assertTrue(blueMessages > 0, "blue never wrote: " + out);
        // green writes at least once in the window and once after the swap (the demo waits for both)
        assertTrue(greenMessages >= 2, "green never wrote on both sides of the swap: " + out);
        long atSwap = number(rows.group(1));
        assertTrue(atSwap >= 4_450 + 2 * (blueMessages + 1) && atSwap <= 4_450 + 2 * (blueMessages + greenMessages - 1),
            "rows at the swap: all of blue's messages and some of green's, two rows each: " + out);
        assertEquals(0, (atSwap - 4_450) % 2, out);
        assertTrue(Pattern.compile("longest stall +blue \\d+ ms \\(.*\\); green \\d+ ms \\(").matcher(out).find(), out);
        assertTrue(!out.contains("app error"), out);
        assertTrue(out.contains("result         OK: validate-pre, migrate --phase expand and contract, and validate-post succeeded; "
            + "neither application failed"), out);
    }

    private static long number(String s) {
        return Long.parseLong(s.replace(",", ""));
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
