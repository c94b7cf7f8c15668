package org.uuidmig.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.uuidmig.ExitCode;
import org.uuidmig.localpg.LocalPostgres;
import org.uuidmig.testing.CatalogSnapshot;
import org.uuidmig.testing.Fixture;
import org.uuidmig.testing.PostgresServer;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * Bad input: a read-only replica. A primary {@link LocalPostgres} with the fixture, and a hot
 * standby of it made with pg_basebackup -R; every command that writes (and validate-pre and
 * status, which would describe the wrong server) must exit 2 with a message saying the server is
 * a hot standby and to use the primary, and leave primary and standby exactly as they were.
 */
class HotStandbyIT {
    private static LocalPostgres primary;
    private static LocalPostgres standby;
    private static TestDb onPrimary;
    private static TestDb onStandby;

    @BeforeAll
    static void startPrimaryAndStandby() throws Exception {
        primary = LocalPostgres.start(LocalPostgres.DEFAULT_VERSION, msg -> { });
        PostgresServer p = PostgresServer.of(primary.jdbcUrl("postgres"), "primary on port " + primary.port());
        onPrimary = p.createDatabase("app").loadFixture(1);
        standby = primary.startStandby();
        onStandby = PostgresServer.of(standby.jdbcUrl("postgres"), "standby on port " + standby.port()).database("app");
        waitForReplay();
    }

    @AfterAll
    static void stopServers() {
        if (standby != null) {
            standby.close();
        }
        if (primary != null) {
            primary.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"validate-pre", "migrate", "rollback", "status"})
    void refusedOnTheStandby(String command) throws Exception {
        assertEquals("true", onStandby.queryString("SELECT pg_is_in_recovery()::text"));
        List<String> catalog = CatalogSnapshot.of(onPrimary, "public");
        Map<String, String> data = Fixture.digests(onPrimary);

        CliResult r = onStandby.run(command);
        assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), r.toString());
        assertTrue(r.err().contains("is a read-only hot standby") && r.err().contains("run uuidmig " + command + " against the primary"),
            r.toString());
        assertTrue(!r.err().contains("Exception") && !r.err().contains("\tat "), r.toString());

        waitForReplay();
        assertEquals(catalog, CatalogSnapshot.of(onPrimary, "public"));
        assertEquals(catalog, CatalogSnapshot.of(onStandby, "public"));
        assertEquals(data, Fixture.digests(onPrimary));
        assertEquals(data, Fixture.digests(onStandby));
        assertEquals(0, onPrimary.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'"));
    }

    /** Waits until the standby has replayed everything the primary has written so far. */
    private static void waitForReplay() throws Exception {
        String lsn = onPrimary.queryString("SELECT pg_current_wal_lsn()::text");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Connection c = DriverManager.getConnection(standby.jdbcUrl("postgres")); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn")) {
                if (rs.next() && rs.getBoolean(1)) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        fail("the standby did not replay up to " + lsn + " within 60 s");
    }
}
