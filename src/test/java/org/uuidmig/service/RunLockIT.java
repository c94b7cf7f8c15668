package org.uuidmig.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.db.RunLock;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * One mutating run per database: while migrate (any phase) or rollback holds uuidmig's run lock, a second
 * migrate or rollback exits 1 before changing anything, saying "already running" and naming the holder.
 */
@ExtendWith(PostgresExtension.class)
class RunLockIT {

    /** The lock held by another session named like a migrate: migrate, migrate --phase expand and rollback refuse; nothing changes. */
    @Test
    void heldLockRefusesEveryMutatingRun(TestDb db) throws Exception {
        db.loadFixture(1);
        try (Connection holder = holder(db, "uuidmig migrate")) {
            for (String[] args : List.of(new String[] {"migrate"}, new String[] {"migrate", "--phase", "expand"},
                new String[] {"migrate", "--phase", "contract"}, new String[] {"rollback"})) {
                CliResult r = db.run(args);
                assertEquals(1, r.exitCode(), String.join(" ", args) + ": " + r);
                assertHolderNamed(r, "uuidmig migrate");
            }
            assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'"), "nothing may change");
            assertEquals(0, db.queryLong("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"), "nothing may change");
            // --dry-run changes nothing, so it does not need the lock
            CliResult dry = db.run("migrate", "--dry-run");
            assertEquals(0, dry.exitCode(), dry.toString());
        }
        CliResult after = db.run("migrate");
        assertEquals(0, after.exitCode(), "once the lock is free, migrate runs: " + after);
    }

    /** A rollback refused while an expanded migration's lock is held leaves the expansion (triggers, shadow columns) as it was. */
    @Test
    void heldLockRefusesRollbackOfExpandedMigration(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult expand = db.run("migrate", "--phase", "expand");
        assertEquals(0, expand.exitCode(), expand.toString());
        long triggers = db.queryLong("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal");
        try (Connection holder = holder(db, "uuidmig rollback")) {
            CliResult r = db.run("rollback");
            assertEquals(1, r.exitCode(), r.toString());
            assertHolderNamed(r, "uuidmig rollback");
            CliResult contract = db.run("migrate", "--phase", "contract");
            assertEquals(1, contract.exitCode(), contract.toString());
        }
        assertEquals(triggers, db.queryLong("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"));
        assertEquals("integer", db.queryString("SELECT data_type FROM information_schema.columns "
            + "WHERE table_schema = 'public' AND table_name = 'chat_messages' AND column_name = 'sender_id'"));
    }

    /**
     * A real migrate paused mid-backfill (a test transaction holds row locks on chat_messages, and --lock-timeout is long):
     * a rollback and a second migrate exit 1 naming it, change nothing, and the first run then finishes and validates.
     */
    @Test
    void concurrentRunsWhileMigrateIsPaused(TestDb db) throws Exception {
        db.loadFixture(1);
        CompletableFuture<CliResult> first;
        try (Connection blocker = db.connect()) {
            blocker.setAutoCommit(false);
            try (Statement st = blocker.createStatement()) {
                st.execute("SELECT 1 FROM public.chat_messages FOR UPDATE");
            }
            first = CompletableFuture.supplyAsync(() -> db.run("migrate", "--lock-timeout", "10min", "--jobs", "1",
                "--batch-size", "100"));
            awaitWaitingOnLock(db, first, "uuidmig migrate");
            long backfilled = db.queryLong("SELECT coalesce(sum(backfill_rows), 0) FROM uuidmig.columns");
            long triggers = db.queryLong("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal");

            CliResult rollback = db.run("rollback");
            assertEquals(1, rollback.exitCode(), rollback.toString());
            assertHolderNamed(rollback, "uuidmig migrate");
            CliResult second = db.run("migrate", "--phase", "expand");
            assertEquals(1, second.exitCode(), second.toString());
            assertHolderNamed(second, "uuidmig migrate");

            assertEquals(triggers, db.queryLong("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"), "the refused runs changed nothing");
            assertEquals(backfilled, db.queryLong("SELECT coalesce(sum(backfill_rows), 0) FROM uuidmig.columns"));
            blocker.commit();
        }
        CliResult done = first.get(5, TimeUnit.MINUTES);
        assertEquals(0, done.exitCode(), done.toString());
        assertTrue(done.out().contains("migration complete"), done.toString());
        CliResult post = db.run("validate-post");
        assertEquals(0, post.exitCode(), post.toString());
        // pg_locks is the whole server's: other copies of the suite run migrations in their own databases meanwhile
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = ?::bigint::oid "
            + "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            (long) RunLock.CLASS_ID), "the run lock is released");
    }

    /**
     * The other direction: a real rollback (after the swap, so it backfills) paused on row locks; a migrate and a second
     * rollback exit 1 naming it, and the first rollback then finishes.
     */
    @Test
    void concurrentRunsWhileRollbackIsPaused(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult migrate = db.run("migrate");
        assertEquals(0, migrate.exitCode(), migrate.toString());
        CompletableFuture<CliResult> first;
        try (Connection blocker = db.connect()) {
            blocker.setAutoCommit(false);
            try (Statement st = blocker.createStatement()) {
                st.execute("SELECT 1 FROM public.chat_messages FOR UPDATE");
            }
            first = CompletableFuture.supplyAsync(() -> db.run("rollback", "--lock-timeout", "10min", "--jobs", "1",
                "--batch-size", "100"));
            awaitWaitingOnLock(db, first, "uuidmig rollback");

            CliResult again = db.run("migrate");
            assertEquals(1, again.exitCode(), again.toString());
            assertHolderNamed(again, "uuidmig rollback");
            CliResult second = db.run("rollback");
            assertEquals(1, second.exitCode(), second.toString());
            assertHolderNamed(second, "uuidmig rollback");
            blocker.commit();
        }
        CliResult done = first.get(5, TimeUnit.MINUTES);
        assertEquals(0, done.exitCode(), done.toString());
        assertTrue(done.out().contains("rollback complete"), done.toString());
        assertEquals("integer", db.queryString("SELECT data_type FROM information_schema.columns "
            + "WHERE table_schema = 'public' AND table_name = 'chat_messages' AND column_name = 'sender_id'"));
        assertTrue(db.run("status").out().contains("stage: rolled back"));
    }

    /** Bounded poll: the run's session waits on a lock (the test's row locks), or the test fails saying so. */
    private static void awaitWaitingOnLock(TestDb db, CompletableFuture<CliResult> first, String applicationName) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            if (first.isDone()) {
                throw new AssertionError(applicationName + " ended before it reached the blocked backfill: " + first.get());
            }
            if (db.queryLong("""
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE ? || '%'
                   AND wait_event_type = 'Lock'""", applicationName) > 0) {
                return;
            }
            Thread.sleep(50); // poll interval, not synchronisation: the condition above is what the test waits for
        }
        throw new AssertionError(applicationName + " never waited on the test's row locks within 2 minutes");
    }

    /** A session holding uuidmig's run lock, with the given application_name. */
    private static Connection holder(TestDb db, String applicationName) throws Exception {
        Properties p = new Properties();
        p.setProperty("ApplicationName", applicationName);
        Connection c = DriverManager.getConnection(db.url(), p);
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_lock(?, ?)")) {
            ps.setInt(1, RunLock.CLASS_ID);
            ps.setInt(2, RunLock.OBJ_ID);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
            }
        }
        return c;
    }

    private static void assertHolderNamed(CliResult r, String applicationName) {
        assertTrue(r.err().contains("already running"), r.toString());
        assertTrue(r.err().contains("application_name \"" + applicationName + "\""), r.toString());
        assertTrue(r.err().contains("from client 127.0.0.1"), r.toString());
        assertTrue(r.err().contains("running since 20"), r.toString());
        assertTrue(r.err().contains("Nothing was changed"), r.toString());
    }
}
