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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.uuidmig.ExitCode;
import org.uuidmig.localpg.LocalPostgres;
import org.uuidmig.testing.CatalogSnapshot;
import org.uuidmig.testing.Fixture;
import org.uuidmig.testing.StandbyPair;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * Bad input: a read-only replica. A primary {@link LocalPostgres} with the fixture, and a hot
 * standby of it made with pg_basebackup -R; every command that writes (and validate-pre and
 * status, which would describe the wrong server) must exit 2 with a message saying the server is
 * a hot standby and to use the primary, and leave primary and standby exactly as they were.
 */
// the slow suite's: it starts a primary and a standby of its own
@Tag("slow")
class HotStandbyIT {
    private static StandbyPair servers;
    private static LocalPostgres standby;
    private static TestDb onPrimary;
    private static TestDb onStandby;

    @BeforeAll
    static void startPrimaryAndStandby() throws Exception {
        servers = StandbyPair.start();
        standby = servers.standby;
        onPrimary = servers.app;
        onStandby = servers.appOnStandby;
        waitForReplay();
    }

    @AfterAll
    static void stopServers() {
        if (servers != null) {
            servers.close();
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

    /**
     * The health monitor on the primary lists the real standby (physical, streaming, its application_name) and reads its
     * replay lag, a number (0 once it has replayed everything), not over the default bound. The primary's database has
     * no uuidmig state, so the probe is unavailable, and the monitor creates nothing there.
     */
    @org.junit.jupiter.api.Test
    void theHealthMonitorOnThePrimaryReadsTheStandbysReplayLag() throws Exception {
        waitForReplay();
        org.uuidmig.health.HealthSnapshot s;
        try (org.uuidmig.health.HealthMonitor m = org.uuidmig.health.HealthMonitor.open(
                new org.uuidmig.db.Database(onPrimary.settings(null)), "test", "public", List.of(),
                org.uuidmig.config.HealthPolicy.defaults())) {
            s = m.sampleNow();
        }
        org.uuidmig.health.HealthSnapshot.Standby standby = s.standbys().stream().filter(x -> "standby".equals(x.name()))
            .findFirst().orElseThrow(() -> new AssertionError("the standby is listed: " + s.standbys()));
        assertTrue(standby.physical(), standby.toString());
        assertEquals("streaming", standby.state());
        org.uuidmig.health.Signal lag = s.signal(org.uuidmig.health.SignalKind.REPLICA_LAG);
        assertEquals(null, lag.unavailable(), lag.toString());
        assertTrue(lag.value() != null && lag.value() >= 0 && lag.value() < 10, lag.toString());
        assertTrue(lag.detail().startsWith("standby 'standby'") && lag.detail().endsWith(", streaming"), lag.toString());
        assertTrue(s.signal(org.uuidmig.health.SignalKind.LATENCY).unavailable() != null, "no state, no probe: " + s);
        assertEquals(0, onPrimary.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'"), "nothing was created");
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
