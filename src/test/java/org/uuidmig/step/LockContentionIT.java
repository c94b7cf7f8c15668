package org.uuidmig.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.ExitCode;
import org.uuidmig.testing.Fixture;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * A long transaction holds a lock on user_roles. migrate must not queue the application behind
 * its own lock request for longer than lock_timeout; it retries, completes once the blocker is
 * gone, and when it gives up it says why and a rerun completes. Also: its connection killed with
 * pg_terminate_backend mid-backfill, a rerun completes with the right data.
 */
@ExtendWith(PostgresExtension.class)
class LockContentionIT {
    private static final long LOCK_TIMEOUT_MS = 300;

    @Test
    void retriesWhileBlockedWithoutStallingTheApplication(TestDb db) throws Exception {
        db.loadFixture(1);
        AtomicLong worstReadMs = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        CliResult r;
        try (Connection blocker = db.connect(); Connection reader = db.connect()) {
            blocker.setAutoCommit(false);
            try (Statement st = blocker.createStatement()) {
                st.execute("SELECT count(*) FROM user_roles"); // ACCESS SHARE until commit, like a long report
            }
            CompletableFuture<Void> reads = CompletableFuture.runAsync(() -> {
                try (Statement st = reader.createStatement()) {
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        st.execute("SELECT count(*) FROM user_roles WHERE user_id IS NOT NULL");
                        worstReadMs.accumulateAndGet((System.nanoTime() - t0) / 1_000_000, Math::max);
                        Thread.sleep(20);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long t0 = System.nanoTime();
            CompletableFuture<CliResult> migrate = CompletableFuture.supplyAsync(() -> db.run("migrate",
                "--lock-timeout", LOCK_TIMEOUT_MS + "ms", "--lock-attempts", "30"));
            Thread.sleep(4000);
            assertTrue(!migrate.isDone(), "migrate waits (retrying) while the blocker holds its lock");
            blocker.commit(); // the long transaction ends
            r = migrate.get(3, TimeUnit.MINUTES);
            assertTrue(System.nanoTime() - t0 >= 4_000_000_000L);
            stop.set(true);
            reads.get(10, TimeUnit.SECONDS);
        }
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(worstReadMs.get() < LOCK_TIMEOUT_MS + 700,
            "a reader queued behind migrate's lock request for " + worstReadMs.get() + " ms");
        assertEquals(0, db.run("validate-post").exitCode());
    }

    @Test
    void givesUpCleanlyAndARerunCompletes(TestDb db) throws Exception {
        db.loadFixture(1);
        Map<String, String> expected = Fixture.expectedDigests(db);
        try (Connection blocker = db.connect()) {
            blocker.setAutoCommit(false);
            try (Statement st = blocker.createStatement()) {
                st.execute("SELECT count(*) FROM user_roles");
            }
            CliResult r = db.run("migrate", "--lock-timeout", "200ms", "--lock-attempts", "2");
            assertEquals(ExitCode.INCOMPLETE, r.exitCode(), r.toString());
            assertTrue(r.err().contains("expand user_roles: locks not granted after 2 attempts")
                && r.err().contains("rerun uuidmig migrate to continue"), r.toString());
            blocker.commit();
        }
        CliResult again = db.run("migrate");
        assertEquals(0, again.exitCode(), again.toString());
        assertEquals(expected, Fixture.digests(db));
        assertEquals(0, db.run("validate-post").exitCode());
    }

    /**
     * The swap waits for all its locks within --swap-lock-wait per attempt: with a reader holding one table, every attempt
     * gives up after the budget, migrate stops with exit 4 naming the budget, and a rerun after the reader ends swaps.
     */
    @Test
    void swapGivesUpWithinItsLockBudget(TestDb db) throws Exception {
        db.loadFixture(1);
        assertEquals(0, db.run("migrate", "--phase", "expand").exitCode());
        try (Connection blocker = db.connect()) {
            blocker.setAutoCommit(false);
            try (Statement st = blocker.createStatement()) {
                st.execute("SELECT count(*) FROM user_roles");
            }
            long t0 = System.nanoTime();
            CliResult r = db.run("migrate", "--phase", "contract", "--lock-attempts", "2", "--swap-lock-wait", "150ms");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(ExitCode.INCOMPLETE, r.exitCode(), r.toString());
            assertTrue(r.err().contains("locks not all granted within the swap's budget of 150 ms")
                && r.err().contains("user_roles"), r.toString());
            // two attempts of 150 ms and one 250 ms back-off, not two lock_timeouts of 2 s
            assertTrue(ms < 3_000, "gave up after " + ms + " ms");
            blocker.commit();
        }
        CliResult again = db.run("migrate", "--phase", "contract");
        assertEquals(0, again.exitCode(), again.toString());
        assertEquals(0, db.run("validate-post").exitCode());
    }

    /**
     * Adding the FK locks users and then the table within the same budget: an application transaction that has
     * written users (and could next write the table, closing a cycle) makes uuidmig back off within the budget,
     * never longer, and a rerun after it ends completes.
     */
    @Test
    void foreignKeyAddBacksOffWithinTheBudget(TestDb db) throws Exception {
        db.loadFixture(1);
        try (Connection app = db.connect()) {
            app.setAutoCommit(false);
            try (Statement st = app.createStatement()) {
                st.execute("UPDATE users SET email = email WHERE id = 1");
            }
            CliResult r = db.run("migrate", "--phase", "expand", "--lock-attempts", "2", "--swap-lock-wait", "150ms");
            assertEquals(ExitCode.INCOMPLETE, r.exitCode(), r.toString());
            assertTrue(r.err().contains("add foreign key on") && r.err().contains("the foreign key's budget of 150 ms")
                && r.err().contains("users"), r.toString());
            app.commit();
        }
        CliResult again = db.run("migrate");
        assertEquals(0, again.exitCode(), again.toString());
        assertEquals(0, db.run("validate-post").exitCode());
    }

    @Test
    void connectionTerminatedMidBackfillThenRerunCompletes(TestDb db) throws Exception {
        db.loadFixture(2);
        Map<String, String> expected = Fixture.expectedDigests(db);
        CompletableFuture<CliResult> migrate = CompletableFuture.supplyAsync(() -> db.run("migrate",
            "--batch-size", "100", "--max-batch-time", "1ms", "--batch-delay", "5ms"));
        long deadline = System.currentTimeMillis() + 60_000;
        long terminated = 0;
        while (terminated == 0 && System.currentTimeMillis() < deadline && !migrate.isDone()) {
            Thread.sleep(50);
            if (db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'") > 0
                && db.queryLong("SELECT coalesce(to_regclass('uuidmig.columns')::oid::bigint, 0)") > 0
                && db.queryLong("SELECT count(*) FROM uuidmig.columns WHERE backfill_rows > 0") > 0) {
                terminated = db.queryLong("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    + "WHERE datname = current_database() AND application_name LIKE 'uuidmig migrate%') t");
            }
        }
        assertTrue(terminated > 0, "the backfill was observed and its connection terminated");
        CliResult r = migrate.get(2, TimeUnit.MINUTES);
        assertEquals(ExitCode.INCOMPLETE, r.exitCode(), r.toString());
        assertTrue(r.err().contains("rerun uuidmig migrate to continue"), r.toString());
        CliResult again = db.run("migrate");
        assertEquals(0, again.exitCode(), again.toString());
        assertEquals(expected, Fixture.digests(db));
        assertEquals(0, db.run("validate-post").exitCode());
    }
}
