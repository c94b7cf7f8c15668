package org.uuidmig.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.uuidmig.ExitCode;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.testing.TestDb;

/**
 * Live control of a running migrate through uuidmig.control (issue 15, item 3): pause and resume, set, and the swap held
 * until released, each from another "process" (the CLI run in-process on its own connections, as an operator would run
 * it from another host). The run is held at a pause point where the test needs it, and the test waits for the events the
 * run records ("applied: ..."), never for a time.
 */
@ExtendWith(PostgresExtension.class)
class ControlIT {
    private static final Duration BOUND = Duration.ofMinutes(3);

    /**
     * A migrate held after its first backfill batch is paused by `uuidmig pause`: the run applies it (event, stderr line),
     * its worker waits with no transaction and no lock, and the backfill does not advance across several polls; `set`
     * while paused is applied too; `uuidmig resume` lets it finish, and the events tell the whole story in order.
     */
    @Test
    void pauseHoldsTheBackfillAndResumeFinishesIt(TestDb db) throws Exception {
        db.loadFixture(1);
        CompletableFuture<CliResult> migrate;
        long atPause;
        try (PausePoints.Pause batch = PausePoints.hold("batch"); PausePoints.Pause waiting = PausePoints.hold("control wait")) {
            migrate = CompletableFuture.supplyAsync(() -> db.run("migrate", "--batch-size", "100", "--max-batch-time", "0",
                "--jobs", "1"));
            awaitReached(batch, migrate, "its first backfill batch");

            CliResult pause = db.run("pause");
            assertEquals(0, pause.exitCode(), pause.toString());
            assertTrue(pause.out().contains("uuidmig pause: schema public: paused"), pause.toString());
            assertTrue(pause.out().contains("Running now: application_name \"uuidmig migrate\""), pause.toString());
            assertTrue(pause.out().contains("control of schema public: paused, swap not held, no overrides"), pause.toString());

            // the dispatcher reads the control row about once a second, while the worker is still held after its batch
            awaitEvent(db, "applied: paused by operator%", migrate);
            atPause = backfilled(db);
            assertTrue(atPause > 0, "the first batch committed");
            batch.release(); // the worker goes on to its next batch, and must wait there
            awaitReached(waiting, migrate, "the worker waiting on the pause");
            waiting.release();

            // paused: across three of the run's polls the backfill stays where it was; its sessions hold no lock
            long until = System.nanoTime() + 3 * RunControl.POLL_INTERVAL.toNanos();
            while (System.nanoTime() < until) {
                assertEquals(atPause, backfilled(db), "a paused run wrote no batch");
                assertFalse(migrate.isDone(), () -> "the paused migrate ended: " + migrate.join());
                Thread.sleep(100); // poll interval of the observation, not synchronisation
            }
            assertEquals(0, uuidmigLocksOnApplicationTables(db), "a paused run holds no lock on the application's tables");
            assertEquals(0, db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND application_name LIKE 'uuidmig migrate%' AND state LIKE 'idle in transaction%'"), "and no open transaction");

            CliResult set = db.run("set", "max-batch-time=20ms", "batch-delay=1ms");
            assertEquals(0, set.exitCode(), set.toString());
            assertTrue(set.out().contains("schema public: max-batch-time (the run's --max-batch-time) -> 20ms"), set.toString());
            awaitEvent(db, "applied: max-batch-time 0ms -> 20ms (operator override%", migrate);
            awaitEvent(db, "applied: batch-delay 0ms -> 1ms (operator override%", migrate);
            assertEquals(atPause, backfilled(db), "a change of the knobs does not end the pause");

            CliResult status = db.run("status");
            assertEquals(0, status.exitCode(), status.toString());
            assertTrue(status.out().contains("control of schema public: paused, swap not held, max-batch-time=20ms, batch-delay=1ms"),
                status.out());
            assertTrue(status.out().contains("applied: paused by operator"), status.out());

            CliResult resume = db.run("resume");
            assertEquals(0, resume.exitCode(), resume.toString());
            assertTrue(resume.out().contains("uuidmig resume: schema public: resumed"), resume.toString());
        }
        await(() -> backfilled(db) > atPause, migrate, "the backfill to advance after resume");
        CliResult done = migrate.get(BOUND.toMinutes(), TimeUnit.MINUTES);
        assertEquals(0, done.exitCode(), done.toString());
        assertTrue(done.out().contains("migration complete"), done.toString());
        assertTrue(done.err().contains("uuidmig migrate: applied: paused by operator (role postgres): no new backfill batch or step "
            + "starts until uuidmig resume"), done.err());
        assertTrue(done.err().contains("uuidmig migrate: applied: resumed by operator"), done.err());

        List<String> events = controlEvents(db);
        assertEquals(List.of(
            "set by operator: paused (role postgres, uuidmig pause)",
            "applied: paused by operator",
            "set by operator: max-batch-time (the run's --max-batch-time) -> 20ms (role postgres, uuidmig set)",
            "set by operator: batch-delay (the run's --batch-delay) -> 1ms (role postgres, uuidmig set)",
            "applied: max-batch-time 0ms -> 20ms",
            "applied: batch-delay 0ms -> 1ms",
            "set by operator: resumed (role postgres, uuidmig resume)",
            "applied: resumed by operator"),
            events.stream().map(ControlIT::head).toList(), String.join("\n", events));
        CliResult post = db.run("validate-post");
        assertEquals(0, post.exitCode(), post.toString());
    }

    /**
     * hold-swap, set before the run starts: the migrate expands, backfills and verifies, then waits before the swap with no
     * lock on any table (pg_locks, and the test takes ACCESS EXCLUSIVE on them at once) and the columns still integer;
     * release-swap lets it swap and finish.
     */
    @Test
    void holdSwapKeepsTheRunBeforeTheSwapWithoutLocksUntilReleased(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult hold = db.run("hold-swap");
        assertEquals(0, hold.exitCode(), hold.toString());
        assertTrue(hold.out().contains("uuidmig hold-swap: schema public: swap held"), hold.toString());
        assertTrue(hold.out().contains("No migrate or rollback is running on this database now: the next one on schema public "
            + "applies this from its start"), hold.toString());

        CompletableFuture<CliResult> migrate = CompletableFuture.supplyAsync(() -> db.run("migrate"));
        awaitEvent(db, "waiting before the swap of %: the swap is held by operator%", migrate);

        assertEquals("integer", db.queryString("SELECT data_type FROM information_schema.columns "
            + "WHERE table_schema = 'public' AND table_name = 'chat_messages' AND column_name = 'sender_id'"));
        assertEquals(List.of("verify"), db.queryStrings("SELECT DISTINCT step FROM uuidmig.columns"), "every column verified, none swapped");
        assertEquals(0, uuidmigLocksOnApplicationTables(db), "the held run holds no lock on the application's tables: "
            + db.queryStrings("SELECT l.relation::regclass || ' ' || l.mode || ' ' || a.application_name FROM pg_locks l "
                + "JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.datname = current_database() AND l.relation IS NOT NULL"));
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("SET lock_timeout = '5s'");
            st.execute("LOCK TABLE public.users, public.chat_messages, public.service_requests IN ACCESS EXCLUSIVE MODE");
            c.rollback();
        }
        CliResult status = db.run("status");
        assertTrue(status.out().contains("control of schema public: not paused, swap held, no overrides"), status.out());
        assertTrue(status.out().contains("running now: application_name \"uuidmig migrate\""), status.out());
        assertTrue(status.out().contains("waiting before the swap of"), status.out());
        assertFalse(migrate.isDone(), () -> "the held migrate ended: " + migrate.join());

        CliResult release = db.run("release-swap");
        assertEquals(0, release.exitCode(), release.toString());
        assertTrue(release.out().contains("uuidmig release-swap: schema public: swap released"), release.toString());
        CliResult done = migrate.get(BOUND.toMinutes(), TimeUnit.MINUTES);
        assertEquals(0, done.exitCode(), done.toString());
        assertTrue(done.out().contains("migration complete"), done.toString());
        assertTrue(done.err().contains("uuidmig migrate: applied at the start of the run: the swap is held by operator"), done.err());
        assertEquals("uuid", db.queryString("SELECT data_type FROM information_schema.columns "
            + "WHERE table_schema = 'public' AND table_name = 'chat_messages' AND column_name = 'sender_id'"));
        List<String> heads = controlEvents(db).stream().map(ControlIT::head).toList();
        assertEquals(List.of("set by operator: swap held (role postgres, uuidmig hold-swap)",
            "applied at the start of the run: the swap is held by operator", "waiting before the swap of", 
            "set by operator: swap released (role postgres, uuidmig release-swap)", "applied: swap hold released by operator",
            "the swap goes on"), heads.stream().map(h -> h.startsWith("waiting before the swap of") ? "waiting before the swap of"
                : h.startsWith("the swap goes on") ? "the swap goes on" : h).toList(), String.join("\n", heads));
    }

    /** The hold applies to a rollback's swap back as well: it waits, unswapped and lock-free, until release-swap. */
    // the slow suite's: holdSwapKeepsTheRunBeforeTheSwapWithoutLocksUntilReleased holds a migrate in the default suite
    @Tag("slow")
    @Test
    void holdSwapKeepsARollbackBeforeItsSwapBack(TestDb db) throws Exception {
        db.loadFixture(1);
        assertEquals(0, db.run("migrate").exitCode());
        assertEquals(0, db.run("hold-swap").exitCode());
        CompletableFuture<CliResult> rollback = CompletableFuture.supplyAsync(() -> db.run("rollback"));
        awaitEvent(db, "waiting before the swap back of %: the swap is held by operator%", rollback);
        assertEquals("uuid", db.queryString("SELECT data_type FROM information_schema.columns "
            + "WHERE table_schema = 'public' AND table_name = 'chat_messages' AND column_name = 'sender_id'"), "not swapped back yet");
        assertEquals(0, uuidmigLocksOnApplicationTables(db), "no lock while held");
        assertFalse(rollback.isDone(), () -> "the held rollback ended: " + rollback.join());
        assertEquals(0, db.run("release-swap").exitCode());
        CliResult done = rollback.get(BOUND.toMinutes(), TimeUnit.MINUTES);
        assertEquals(0, done.exitCode(), done.toString());
        assertTrue(done.err().contains("uuidmig rollback: waiting before the swap back of "), done.err());
        assertEquals("integer", db.queryString("SELECT data_type FROM information_schema.columns "
            + "WHERE table_schema = 'public' AND table_name = 'chat_messages' AND column_name = 'sender_id'"));
        assertNull(db.queryString("SELECT to_regnamespace('uuidmig')::text"), "the finished rollback dropped the state, control included");
    }

    /**
     * set jobs=2 on a migrate started with --jobs 1, while its only worker is held after a batch: the dispatcher starts a
     * second worker (a second "uuidmig migrate job" session) without waiting for the first table to finish.
     */
    @Test
    void setJobsStartsAnotherWorkerLive(TestDb db) throws Exception {
        db.loadFixture(1);
        CompletableFuture<CliResult> migrate;
        try (PausePoints.Pause batch = PausePoints.hold("batch")) {
            migrate = CompletableFuture.supplyAsync(() -> db.run("migrate", "--jobs", "1", "--batch-size", "100"));
            awaitReached(batch, migrate, "its first backfill batch");
            assertEquals(1, jobSessions(db), "one worker with --jobs 1");
            CliResult set = db.run("set", "jobs=2");
            assertEquals(0, set.exitCode(), set.toString());
            awaitEvent(db, "applied: jobs 1 -> 2 (operator override%", migrate);
            await(() -> jobSessions(db) == 2, migrate, "a second backfill worker");
            assertFalse(migrate.isDone(), "the first worker is still held at its first batch");
        }
        CliResult done = migrate.get(BOUND.toMinutes(), TimeUnit.MINUTES);
        assertEquals(0, done.exitCode(), done.toString());
        CliResult clear = db.run("set", "jobs=default");
        assertEquals(0, clear.exitCode(), clear.toString());
        assertTrue(clear.out().contains("schema public: jobs 2 -> the run's --jobs"), clear.toString());
        assertNull(db.queryString("SELECT jobs::text FROM uuidmig.control WHERE table_schema = 'public'"));
    }

    /**
     * Values the options refuse are refused by set too (exit 2, naming the rule, before connecting: nothing is created),
     * and by the table's CHECK constraints for a DBA's plain SQL; the bounds themselves are accepted.
     */
    @Test
    void badValuesExitTwoAndChangeNothing(TestDb db) throws Exception {
        String[][] bad = {
            {"jobs=0", "jobs must be between 1 and 16"},
            {"jobs=17", "jobs must be between 1 and 16"},
            {"jobs=two", "jobs must be a whole number between 1 and 16, not 'two'"},
            {"max-batch-time=2h", "max-batch-time must be between 0ms and 1h, not 2h"},
            {"batch-delay=-1ms", "batch-delay: '-1ms' is not a duration"},
            {"batch-delay=soon", "batch-delay: 'soon' is not a duration"},
            {"max-batch-time=0.0001ms", "max-batch-time must be a whole number of microseconds"},
            {"lock-timeout=1s", "'lock-timeout=1s' is not a setting uuidmig set takes"},
            {"jobs", "'jobs' has no value"},
        };
        for (String[] b : bad) {
            CliResult r = db.run("set", b[0]);
            assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), r.toString());
            assertTrue(r.err().contains(b[1]), b[0] + ": " + r);
        }
        CliResult twice = db.run("set", "jobs=2", "jobs=3");
        assertEquals(ExitCode.USAGE_OR_CONNECTION, twice.exitCode(), twice.toString());
        CliResult none = db.run("set");
        assertEquals(ExitCode.USAGE_OR_CONNECTION, none.exitCode(), none.toString());
        CliResult json = db.run("set", "jobs=99", "--format", "json");
        assertEquals(ExitCode.USAGE_OR_CONNECTION, json.exitCode(), json.toString());
        JsonNode doc = new ObjectMapper().readTree(json.out());
        assertEquals("set", doc.get("command").asText());
        assertEquals("jobs must be between 1 and 16", doc.get("error").asText());
        assertNull(db.queryString("SELECT to_regnamespace('uuidmig')::text"), "a refused set created nothing");

        CliResult bounds = db.run("set", "jobs=16", "max-batch-time=1h", "batch-delay=0");
        assertEquals(0, bounds.exitCode(), bounds.toString());
        assertEquals("16 01:00:00 00:00:00", db.queryString(
            "SELECT jobs || ' ' || max_batch_time || ' ' || batch_delay FROM uuidmig.control WHERE table_schema = 'public'"));
        for (String sql : List.of("UPDATE uuidmig.control SET jobs = 17", "UPDATE uuidmig.control SET jobs = 0",
            "UPDATE uuidmig.control SET max_batch_time = '61 minutes'", "UPDATE uuidmig.control SET batch_delay = '-1 ms'")) {
            SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> db.exec(sql), sql);
            assertEquals("23514", e.getSQLState(), sql + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static long backfilled(TestDb db) throws SQLException {
        return db.queryLong("SELECT coalesce(sum(backfill_rows), 0) FROM uuidmig.columns");
    }

    private static long jobSessions(TestDb db) throws SQLException {
        return db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            + " AND application_name = 'uuidmig migrate job'");
    }

    /** Relation locks that uuidmig's sessions hold on the application's schema. */
    static long uuidmigLocksOnApplicationTables(TestDb db) throws SQLException {
        return db.queryLong("""
            SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
              JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE a.datname = current_database() AND a.application_name LIKE 'uuidmig%' AND n.nspname = 'public'""");
    }

    /** The schema's control events, oldest first. */
    static List<String> controlEvents(TestDb db) throws SQLException {
        return db.queryStrings("SELECT message FROM uuidmig.events WHERE step = 'control' AND target = 'public' ORDER BY id");
    }

    /** An applied event up to its first parenthesis or colon ("applied: paused by operator"); other events whole. */
    private static String head(String event) {
        if (!event.startsWith("applied")) {
            return event;
        }
        int end = event.length();
        for (String stop : List.of(" (", ": ")) {
            int i = event.indexOf(stop, event.indexOf(": ") + 2);
            if (i > 0) {
                end = Math.min(end, i);
            }
        }
        return event.substring(0, end);
    }

    private static void awaitReached(PausePoints.Pause point, CompletableFuture<CliResult> run, String what) throws Exception {
        long until = System.nanoTime() + BOUND.toNanos();
        while (!point.awaitReached(Duration.ofMillis(100))) {
            assertFalse(run.isDone(), () -> "the run ended before " + what + ": " + run.join());
            assertTrue(System.nanoTime() < until, "the run did not reach " + what + " within " + BOUND);
        }
    }

    /** Bounded poll until the schema has a control event matching {@code like} (SQL LIKE). */
    static void awaitEvent(TestDb db, String like, CompletableFuture<CliResult> run) throws Exception {
        await(() -> db.queryLong("SELECT count(*) FROM uuidmig.events WHERE step = 'control' AND target = 'public' AND message LIKE ?",
            like) > 0, run, "the event '" + like + "'");
    }

    /** A condition the test waits for, polled; fails if the run ends first or the bound passes. */
    interface Condition {
        boolean holds() throws Exception;
    }

    static void await(Condition condition, CompletableFuture<CliResult> run, String what) throws Exception {
        long until = System.nanoTime() + BOUND.toNanos();
        while (!condition.holds()) {
            if (run != null && run.isDone()) {
                throw new AssertionError("the run ended before " + what + ": " + run.join());
            }
            assertTrue(System.nanoTime() < until, "no " + what + " within " + BOUND);
            Thread.sleep(50); // poll interval; the condition is the event waited for
        }
    }
}
