package org.uuidmig.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.uuidmig.config.HealthPolicy;
import org.uuidmig.db.Database;
import org.uuidmig.engine.StateStore;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestNames;

/**
 * The health monitor (issue 15, item 1) against a real server: its probe and baseline, a long transaction the test holds
 * open, a physical replication slot the test creates, replica lag with no standby, and a role that may not read other
 * sessions. Each test waits for a sample that shows what it set up (bounded polling), never for a time.
 */
@ExtendWith(PostgresExtension.class)
class HealthMonitorIT {
    private static final List<String> TABLES = List.of("public.t");

    /** The monitor, started as a run starts it, measures a baseline and then probes on its own thread; it cleans up after itself. */
    @Test
    void probesOnItsOwnThreadAgainstABaselineMeasuredFirst(TestDb db) throws Exception {
        Database database = stateIn(db);
        HealthSnapshot s;
        try (HealthMonitor m = HealthMonitor.open(database, "test", "public", TABLES, HealthPolicy.defaults())) {
            assertNotNull(m.baseline(), "a baseline before any sample");
            assertTrue(m.baseline().toNanos() > 0, "the baseline is a time: " + m.baseline());
            assertEquals(HealthMonitor.BASELINE_PROBES + 1, probes(db), "one probe to warm up and the baseline's probes, committed");
            assertNull(m.latest(), "no sample before sampling starts");
            m.startSampling();
            s = awaitSample(m, x -> true);
            assertEquals(m.baseline(), s.baseline());
            assertNotNull(s.probe(), "the sample has a probe latency");
            assertTrue(s.probe().toNanos() > 0);
            Signal latency = s.signal(SignalKind.LATENCY);
            assertNull(latency.unavailable(), latency.toString());
            assertTrue(latency.value() > 0, latency.toString());
            assertEquals(HealthPolicy.DEFAULT_LATENCY_FACTOR, latency.bound());
            assertTrue(!latency.over() || latency.value() > latency.bound(), "over only beyond its factor: " + latency);
            assertNotNull(s.busySessions(), "a superuser sees every session's state");
            assertTrue(latency.text().startsWith("probe latency: "), latency.text());

            // the thread goes on sampling, and each sample is recorded for status
            awaitSample(m, x -> x.sampledAt().isAfter(s.sampledAt()));
            assertTrue(probes(db) >= HealthMonitor.BASELINE_PROBES + 3, "the thread probes at every sample");
            JsonNode row = new ObjectMapper().readTree(db.queryString("SELECT snapshot::text FROM uuidmig.health WHERE table_schema = 'public'"));
            assertEquals(SignalKind.values().length, row.get("signals").size(), row.toString());
            assertEquals("latency", row.get("signals").get(0).get("signal").asText(), row.toString());
            assertEquals("test", db.queryString("SELECT command FROM uuidmig.health"));
            assertEquals(1, db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                + "AND application_name = 'uuidmig test health' AND state = 'idle'"), "one session of its own, never in a transaction");
            assertEquals(0, db.queryLong("""
                SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid JOIN pg_class c ON c.oid = l.relation
                 WHERE a.application_name = 'uuidmig test health' AND c.relnamespace <> 'pg_catalog'::regnamespace"""),
                "it holds no lock between samples");
        }
        assertEquals(0, db.queryLong("SELECT count(*) FROM uuidmig.health"), "closing deletes its row");
        db.awaitNoUuidmigSessions();
    }

    /**
     * A probe slower than its baseline by less than --latency-floor is never over its bound, whatever the factor: with
     * the factor at its least (1) and a floor of an hour, a sample whose factor is over 1 is not over, and says why; with
     * no floor, such a sample is over.
     */
    @Test
    void aProbeWithinTheLatencyFloorIsNotOver(TestDb db) throws Exception {
        Database database = stateIn(db);
        HealthPolicy floored = new HealthPolicy(1, Duration.ofHours(1), Duration.ofSeconds(10), 1L << 30, Duration.ofMinutes(10), false);
        try (HealthMonitor m = HealthMonitor.open(database, "test", "public", TABLES, floored)) {
            Signal latency = awaitSample(m, x -> x.signal(SignalKind.LATENCY).value() != null && x.signal(SignalKind.LATENCY).value() > 1)
                .signal(SignalKind.LATENCY);
            assertFalse(latency.over(), latency.toString());
            assertTrue(latency.detail().contains("slower is within --latency-floor 1 h"), latency.toString());
        }
        HealthPolicy unfloored = new HealthPolicy(1, Duration.ZERO, Duration.ofSeconds(10), 1L << 30, Duration.ofMinutes(10), false);
        // a session of the test's in a transaction is busy: someone whose latency a run could hurt (without one, a quiet
        // server's latency is never over its bound)
        try (HealthMonitor m = HealthMonitor.open(database, "test", "public", TABLES, unfloored); Connection app = db.connect()) {
            openTransaction(app);
            HealthSnapshot s = awaitSample(m, x -> x.signal(SignalKind.LATENCY).value() != null && x.signal(SignalKind.LATENCY).value() > 1);
            assertTrue(s.busySessions() >= 1, "the test's session is busy: " + s.busySessions());
            assertTrue(s.signal(SignalKind.LATENCY).over(), s.signal(SignalKind.LATENCY).toString());
            app.commit();
        }
    }

    /**
     * A transaction the test holds open is reported with its pid and age, over a bound shorter than its age; uuidmig's
     * own sessions' transactions are not; once it ends, the signal is back under its bound.
     */
    @Test
    void aLongTransactionIsReportedWithItsAgeAndPid(TestDb db) throws Exception {
        Database database = stateIn(db);
        // the latency bound at its maximum, so that a noisy probe on a busy machine cannot be over it too: CI saw a 2.9 ms
        // probe against a 0.9 ms baseline here, and this test is about the transaction alone
        HealthPolicy policy = new HealthPolicy(HealthPolicy.MAX_LATENCY_FACTOR, Duration.ofSeconds(10), 1L << 30, Duration.ofMillis(1));
        try (HealthMonitor m = HealthMonitor.open(database, "test", "public", TABLES, policy);
             Connection app = db.connect(); Connection own = database.connect("test own")) {
            assertNoTransactionInSample(m.sampleNow());
            int pid = openTransaction(app);
            int ownPid = openTransaction(own);

            HealthSnapshot s = awaitSample(m, x -> x.transactions().stream().anyMatch(t -> Integer.valueOf(pid).equals(t.pid())
                && t.age().toMillis() > 1));
            HealthSnapshot.Transaction t = s.transactions().stream().filter(x -> Integer.valueOf(pid).equals(x.pid())).findFirst().orElseThrow();
            assertEquals("idle in transaction", t.state(), t.toString());
            assertEquals(db.queryString("SELECT usename FROM pg_stat_activity WHERE pid = ?", pid), t.user());
            assertTrue(s.transactions().stream().noneMatch(x -> Integer.valueOf(ownPid).equals(x.pid())),
                "a session of uuidmig's own is left out: " + s.transactions());
            Signal signal = s.signal(SignalKind.LONG_TRANSACTION);
            assertTrue(signal.over(), signal.toString());
            assertTrue(signal.value() >= t.age().toNanos() / 1e9, signal + " is the oldest's age, " + t);
            assertTrue(signal.detail().contains("pid " + pid), signal.toString());
            assertTrue(s.overReason().contains("long transaction ") && s.overReason().contains("pid " + pid), s.overReason());
            assertEquals(List.of(signal), s.over(), "the only signal over its bound");

            app.commit();
            own.commit();
            assertNoTransactionInSample(awaitSample(m, x -> x.transactions().isEmpty()));
        }
    }

    /**
     * A physical replication slot the test creates, with WAL reserved, is reported with at least the WAL written since, and
     * the signal is over a bound below that. Needs wal_level replica or logical, which the test checks first.
     */
    @Test
    void theWalARealSlotRetainsIsReported(TestDb db) throws Exception {
        String walLevel = db.queryString("SHOW wal_level");
        if ("minimal".equals(walLevel)) {
            fail("the server runs with wal_level = minimal, so it can have no replication slot: this test needs wal_level = "
                + "replica (PostgreSQL's default) or logical; set it in postgresql.conf and restart the server");
        }
        Database database = stateIn(db);
        String slot = "uuidmig_test_" + TestNames.RUN;
        HealthPolicy policy = new HealthPolicy(3, Duration.ofSeconds(10), 1024, Duration.ofMinutes(10));
        db.exec("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
        try (HealthMonitor m = HealthMonitor.open(database, "test", "public", TABLES, policy)) {
            String before = db.queryString("SELECT pg_current_wal_lsn()::text");
            db.exec("CREATE TABLE wal_filler AS SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 5000) g");
            long written = db.queryLong("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), ?::pg_lsn)::bigint", before);
            assertTrue(written > 1024, "the test wrote WAL: " + written);

            HealthSnapshot s = awaitSample(m, x -> x.slots().stream().anyMatch(sl -> sl.name().equals(slot)));
            HealthSnapshot.Slot mine = s.slots().stream().filter(sl -> sl.name().equals(slot)).findFirst().orElseThrow();
            assertEquals("physical", mine.type());
            assertFalse(mine.active(), "no receiver uses it");
            assertTrue(mine.retained() >= written, "the slot retains at least the WAL written since it was made: " + mine + ", " + written);
            Signal signal = s.signal(SignalKind.SLOT_WAL);
            assertNull(signal.unavailable(), signal.toString());
            assertTrue(signal.value() >= mine.retained(), "the signal is the most demanding slot's: " + signal);
            assertTrue(signal.over(), "over a bound of 1 kB: " + signal);
            assertEquals(s.slots().get(0).retained(), signal.value().longValue(), "slots come most demanding first");
            assertTrue(signal.describe().startsWith("slot WAL ") && signal.describe().contains(" > 1 kB"), signal.describe());
        } finally {
            db.exec("SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    /**
     * Without a standby, replica lag is no value and not over its bound (not an error); the other signals read as
     * available for a superuser, wraparound included (none on the table).
     */
    @Test
    void replicaLagWithoutAStandbyIsNoValueAndNotOver(TestDb db) throws Exception {
        Database database = stateIn(db);
        try (HealthMonitor m = HealthMonitor.open(database, "test", "public", TABLES, HealthPolicy.defaults())) {
            HealthSnapshot s = m.sampleNow();
            long walsenders = db.queryLong("SELECT count(*) FROM pg_stat_replication");
            Signal lag = s.signal(SignalKind.REPLICA_LAG);
            assertNull(lag.unavailable(), lag.toString());
            assertEquals(walsenders, s.standbys().size(), "every walsender is listed: " + s.standbys());
            if (walsenders == 0) {
                assertNull(lag.value(), lag.toString());
                assertFalse(lag.over());
                assertEquals("no standby", lag.detail());
                assertEquals("replica lag: no standby; bound 10 s", lag.text());
            }
            Signal wraparound = s.signal(SignalKind.WRAPAROUND_VACUUM);
            assertNull(wraparound.unavailable(), "a superuser reads the autovacuum workers: " + wraparound);
            assertEquals(0.0, wraparound.value());
            assertFalse(wraparound.over());
        }
    }

    /**
     * A role without pg_read_all_stats cannot see the autovacuum workers' queries nor other roles' sessions: the
     * wraparound signal is unavailable, saying why; the long-transaction signal says what it cannot see; nothing fails.
     */
    @Test
    void aRoleWithoutStatisticsPrivilegesDegradesGracefully(TestDb db) throws Exception {
        String role = "uuidmig_health_" + TestNames.RUN;
        db.exec("CREATE ROLE \"" + role + "\" LOGIN");
        try {
            db.exec("GRANT CREATE ON DATABASE \"" + db.name() + "\" TO \"" + role + "\"");
            Database database = new Database(db.settings(role));
            try (Connection c = database.connect("test setup")) {
                StateStore.ensure(c);
            }
            try (HealthMonitor m = HealthMonitor.open(database, "test", "public", TABLES, HealthPolicy.defaults())) {
                HealthSnapshot s = m.sampleNow();
                assertNotNull(s.probe(), "the probe works for the role that owns schema uuidmig");
                Signal wraparound = s.signal(SignalKind.WRAPAROUND_VACUUM);
                assertNull(wraparound.value());
                assertFalse(wraparound.over());
                assertTrue(wraparound.unavailable().contains("pg_read_all_stats"), wraparound.toString());
                Signal xact = s.signal(SignalKind.LONG_TRANSACTION);
                assertNull(xact.unavailable(), xact.toString());
                assertTrue(xact.detail().contains("not visible without pg_read_all_stats"), xact.toString());
                assertNull(s.signal(SignalKind.SLOT_WAL).unavailable(), "pg_replication_slots is readable by every role");
            }
        } finally {
            db.exec("REASSIGN OWNED BY \"" + role + "\" TO CURRENT_USER");
            db.exec("DROP OWNED BY \"" + role + "\"");
            db.exec("DROP ROLE \"" + role + "\"");
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** uuidmig's state in the test database, as a run makes it before it starts the monitor. */
    private static Database stateIn(TestDb db) throws SQLException {
        Database database = new Database(db.settings(null));
        try (Connection c = database.connect("test setup")) {
            StateStore.ensure(c);
        }
        return database;
    }

    private static long probes(TestDb db) throws SQLException {
        return db.queryLong("SELECT coalesce(sum(probes), 0) FROM uuidmig.probe WHERE table_schema = 'public'");
    }

    /** Begins a REPEATABLE READ transaction on c that holds a snapshot, and returns the session's pid. */
    private static int openTransaction(Connection c) throws SQLException {
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static void assertNoTransactionInSample(HealthSnapshot s) {
        Signal signal = s.signal(SignalKind.LONG_TRANSACTION);
        assertEquals(List.of(), s.transactions());
        assertNull(signal.value(), signal.toString());
        assertFalse(signal.over());
        assertTrue(signal.detail().startsWith("none"), signal.toString());
    }

    /** Bounded poll: the monitor's latest sample (or, without its thread, a new one) until it shows what the test waits for. */
    private static HealthSnapshot awaitSample(HealthMonitor m, Predicate<HealthSnapshot> wanted) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            HealthSnapshot s = m.latest();
            if (s == null || !wanted.test(s)) {
                s = threadless(m) ? m.sampleNow() : s;
            }
            if (s != null && wanted.test(s)) {
                return s;
            }
            if (System.nanoTime() > until) {
                throw new AssertionError("no sample showed what the test waits for within 30 s; the last: " + s);
            }
            Thread.sleep(20); // poll interval, not synchronisation: the sample is what the test waits for
        }
    }

    private static boolean threadless(HealthMonitor m) {
        return !m.sampling();
    }
}
