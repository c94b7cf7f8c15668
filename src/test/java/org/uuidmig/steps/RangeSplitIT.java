package org.uuidmig.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.testing.AppWorkload;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TempDirs;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.engine.PausePoints;

/**
 * A large table's backfill split into ranges that several workers share (--split-rows, --jobs): every row gets its
 * uuid once, whatever the application writes meanwhile, whichever worker did its range, and after a kill the rerun goes
 * on with the same ranges from their checkpoints. The tables are made large enough to split by a low --split-rows, so
 * the tests stay small: chat_messages has 15,000 rows at fixture scale 10.
 */
@ExtendWith(PostgresExtension.class)
class RangeSplitIT {
    private static final String COLUMN = "chat_messages.sender_id";
    /** 15,000 rows, split at 4,000: 15 ranges (BackfillPolicy.rangesFor). */
    private static final String[] SPLIT = {"--column", COLUMN, "--jobs", "2", "--split-rows", "4000", "--batch-size", "100",
        "--max-batch-time", "0"};

    private static String[] args(String command, String... more) {
        List<String> out = new java.util.ArrayList<>(List.of(command));
        out.addAll(List.of(SPLIT));
        out.addAll(List.of(more));
        return out.toArray(new String[0]);
    }

    /** The fixture, with a copy of every message's sender as an integer, to check the uuids against after the swap. */
    private static void fixture(TestDb db) throws Exception {
        db.loadFixture(10);
        db.exec("CREATE SCHEMA truth; CREATE TABLE truth.messages AS SELECT id, sender_id FROM chat_messages");
        assertEquals(15_000, db.queryLong("SELECT count(*) FROM truth.messages"));
    }

    /** Rows of the fixture whose uuid is not their integer's user's (or that are gone). */
    private static long wrongRows(TestDb db) throws Exception {
        return db.queryLong("""
            SELECT count(*) FROM truth.messages t LEFT JOIN chat_messages m USING (id) LEFT JOIN users u ON u.id = t.sender_id
             WHERE m.id IS NULL OR m.sender_id IS DISTINCT FROM u.uuid""");
    }

    /** Backend sessions of the run's workers (the column's own and its helpers). */
    private static long workerSessions(TestDb db) throws Exception {
        return db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            + " AND application_name = 'uuidmig migrate job'");
    }

    private static String splitEvent(TestDb db) throws Exception {
        return db.queryString("SELECT string_agg(message, ' | ' ORDER BY id) FROM uuidmig.events WHERE step = 'backfill'"
            + " AND target = ? AND message LIKE 'split into %'", COLUMN);
    }

    /**
     * Two workers share one table's ranges while the application inserts, updates and deletes rows of it: the column's
     * worker is held after its first batch until the dispatcher has started a helper (a second worker session) and the
     * application has written meanwhile.
     */
    @Test
    void twoWorkersShareOneTablesRangesUnderApplicationWrites(TestDb db) throws Exception {
        fixture(db);
        CliResult r;
        try (AppWorkload app = new AppWorkload(db).start(2, 2)) {
            app.awaitMoreStatements(20, "before migrate");
            try (PausePoints.Pause held = PausePoints.hold("batch " + COLUMN)) {
                CompletableFuture<CliResult> run = CompletableFuture.supplyAsync(() -> db.run(args("migrate")));
                long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                while (!held.awaitReached(Duration.ofMillis(100))) {
                    assertTrue(!run.isDone(), () -> "migrate ended before its first batch: " + run.join());
                    assertTrue(System.nanoTime() < until, "no backfill batch within 2 minutes");
                }
                while (workerSessions(db) < 2) {
                    assertTrue(System.nanoTime() < until, "no helper joined the split backfill within 2 minutes");
                    Thread.sleep(20);
                }
                app.awaitMoreStatements(30, "while the backfill is split between two workers");
                held.release();
                r = run.get(5, TimeUnit.MINUTES);
            }
            app.awaitMoreStatements(20, "after migrate");
            app.close();
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals(0, app.failures.get(), app.failureMessages.toString());
            assertEquals(0, app.wrongOrLostRows(), "rows the application wrote with a wrong or missing sender");
        }
        assertEquals("split into 15 keyset ranges, 15 of them left at the start of this run, run by 2 workers", splitEvent(db));
        assertEquals(15, db.queryLong("SELECT jsonb_array_length(backfill_ranges->'ranges') FROM uuidmig.columns"
            + " WHERE column_name = 'sender_id'"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM uuidmig.columns, jsonb_array_elements(backfill_ranges->'ranges') r"
            + " WHERE column_name = 'sender_id' AND NOT (r->>'done')::boolean"), "every range done");
        assertEquals(0, wrongRows(db), "rows of the fixture with a wrong uuid");
        CliResult post = db.run("validate-post", "--column", COLUMN);
        assertEquals(0, post.exitCode(), post.toString());
    }

    /**
     * uuidmig set jobs=1 while a helper shares the ranges: the helper gives its range back before its next batch and ends
     * (with ranges still to do), and the column's own worker finishes every range, the one given back included.
     */
    // the slow suite's: setJobsStartsAnotherWorkerLive and the split tests here cover live jobs and the split in the default suite
    @Tag("slow")
    @Test
    void aLowerJobsSendsTheHelperAwayAndTheColumnsWorkerFinishes(TestDb db) throws Exception {
        fixture(db);
        try (PausePoints.Pause held = PausePoints.hold("batch " + COLUMN)) {
            CompletableFuture<CliResult> run = CompletableFuture.supplyAsync(() -> db.run(args("migrate", "--batch-delay", "20ms")));
            long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!held.awaitReached(Duration.ofMillis(100)) || workerSessions(db) < 2) {
                assertTrue(!run.isDone(), () -> "migrate ended before a helper joined: " + run.join());
                assertTrue(System.nanoTime() < until, "no helper joined the split backfill within 2 minutes");
            }
            CliResult set = db.run("set", "jobs=1");
            assertEquals(0, set.exitCode(), set.toString());
            while (workerSessions(db) > 1) {
                assertTrue(System.nanoTime() < until, "the helper did not leave within 2 minutes of jobs=1");
                Thread.sleep(20);
            }
            assertTrue(db.queryLong("SELECT count(*) FROM uuidmig.columns, jsonb_array_elements(backfill_ranges->'ranges') r"
                + " WHERE column_name = 'sender_id' AND NOT (r->>'done')::boolean") > 1,
                "the helper left with ranges still to do (its own given back, and the held worker's)");
            held.release();
            CliResult r = run.get(5, TimeUnit.MINUTES);
            assertEquals(0, r.exitCode(), r.toString());
        }
        assertEquals("split into 15 keyset ranges, 15 of them left at the start of this run, run by 2 workers", splitEvent(db));
        assertEquals(db.queryLong("SELECT count(*) FROM truth.messages WHERE sender_id IS NOT NULL"),
            db.queryLong("SELECT backfill_rows FROM uuidmig.columns WHERE column_name = 'sender_id'"), "every row updated once");
        assertEquals(0, wrongRows(db), "rows of the fixture with a wrong uuid");
    }

    /**
     * Killed (as by kill -9) in the middle of a split backfill with two workers: the rerun goes on with the same ranges
     * from their checkpoints, and every row is updated exactly once over the two runs (a batch only touches rows still
     * wrong, and the killed run's batches in flight were rolled back with its connections).
     */
    @Test
    void killedMidSplitBackfillTheRerunGoesOnWithTheSameRanges(TestDb db) throws Exception {
        fixture(db);
        long withSender = db.queryLong("SELECT count(*) FROM chat_messages WHERE sender_id IS NOT NULL");
        Path dir = TempDirs.create("uuidmig-split-");
        try {
            Path log = dir.resolve("migrate.log");
            // held after the first batch until a helper has joined; then killed after 60 batches in all (of 150)
            Process p = Subprocess.start(log, List.of("-Duuidmig.fault.pauseAt=batch " + COLUMN,
                "-Duuidmig.fault.haltAfterBatches=60"), args("migrate", "--url", db.url()));
            Subprocess.awaitPaused(p, log, "batch " + COLUMN);
            long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (workerSessions(db) < 2) {
                assertTrue(p.isAlive() && System.nanoTime() < until, "no helper joined within 2 minutes:\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
                Thread.sleep(20);
            }
            Subprocess.release(p);
            assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the halt point was not reached");
            assertEquals(137, p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            TempDirs.delete(dir);
        }
        db.awaitNoUuidmigSessions();

        String rangesAtKill = db.queryString("SELECT backfill_ranges::text FROM uuidmig.columns WHERE column_name = 'sender_id'");
        List<String> bounds = db.queryStrings("SELECT coalesce(r->>'lo', '-') || ' ' || coalesce(r->>'hi', '-') FROM uuidmig.columns,"
            + " jsonb_array_elements(backfill_ranges->'ranges') WITH ORDINALITY AS x(r, n) WHERE column_name = 'sender_id' ORDER BY n");
        assertEquals(15, bounds.size(), rangesAtKill);
        long done = db.queryLong("SELECT count(*) FROM uuidmig.columns, jsonb_array_elements(backfill_ranges->'ranges') r"
            + " WHERE column_name = 'sender_id' AND (r->>'done')::boolean");
        long started = db.queryLong("SELECT count(*) FROM uuidmig.columns, jsonb_array_elements(backfill_ranges->'ranges') r"
            + " WHERE column_name = 'sender_id' AND r->'at' <> 'null'::jsonb");
        assertTrue(started > 0 && done < 15, "killed in the middle: " + rangesAtKill);
        long rowsAtKill = db.queryLong("SELECT backfill_rows FROM uuidmig.columns WHERE column_name = 'sender_id'");
        assertTrue(rowsAtKill > 0 && rowsAtKill < withSender, "rows at the kill: " + rowsAtKill);

        CliResult resumed = db.run(args("migrate"));
        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertTrue(resumed.out().contains("migration complete"), resumed.toString());
        assertEquals(bounds, db.queryStrings("SELECT coalesce(r->>'lo', '-') || ' ' || coalesce(r->>'hi', '-') FROM uuidmig.columns,"
            + " jsonb_array_elements(backfill_ranges->'ranges') WITH ORDINALITY AS x(r, n) WHERE column_name = 'sender_id' ORDER BY n"),
            "the same ranges, not a new split");
        assertTrue(splitEvent(db).endsWith("split into 15 keyset ranges, " + (15 - done) + " of them left at the start of this run, run by"
            + " 2 workers") || splitEvent(db).endsWith("split into 15 keyset ranges, " + (15 - done) + " of them left at the start of"
            + " this run, run by 1 worker"), splitEvent(db));
        assertEquals(withSender, db.queryLong("SELECT backfill_rows FROM uuidmig.columns WHERE column_name = 'sender_id'"),
            "every row with a sender updated exactly once over the two runs");
        assertEquals(0, wrongRows(db), "rows of the fixture with a wrong uuid");
        CliResult post = db.run("validate-post", "--column", COLUMN);
        assertEquals(0, post.exitCode(), post.toString());
    }

    /** --dry-run lists the statements of a split backfill too: the key sample, and the capped bound of a range's batch. */
    @Test
    void theDryRunShowsTheSplitsStatements(TestDb db) throws Exception {
        fixture(db);
        CliResult dry = db.run(args("migrate", "--dry-run"));
        assertEquals(0, dry.exitCode(), dry.toString());
        assertTrue(dry.out().contains("TABLESAMPLE SYSTEM (?::float8) REPEATABLE (0)") && dry.out().contains("capped at the range's end"),
            dry.out());
        CliResult whole = db.run("migrate", "--dry-run", "--column", COLUMN);
        assertEquals(0, whole.exitCode(), whole.toString());
        assertTrue(!whole.out().contains("TABLESAMPLE"), "15,000 rows are not split at the default --split-rows: " + whole.out());
    }

    /**
     * A table without a primary key is split into heap page ranges; rows the application moves to pages already done (an
     * update of another column) are caught by the passes after the ranges, and rows it inserts or re-points by the
     * trigger.
     */
    @Test
    void aTableWithoutAKeyIsSplitIntoPageRanges(TestDb db) throws Exception {
        db.loadFixture(1);
        db.exec("""
            CREATE TABLE audit_marks (k integer NOT NULL, user_id integer REFERENCES users (id), note text);
            INSERT INTO audit_marks SELECT i, CASE WHEN i % 10 = 0 THEN NULL ELSE 1 + i % 90 END, 'note ' || i
              FROM generate_series(1, 20000) i;
            CREATE SCHEMA truth;
            CREATE TABLE truth.marks AS SELECT k, user_id FROM audit_marks;
            ANALYZE audit_marks;
            """);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
        CompletableFuture<Void> app = CompletableFuture.runAsync(() -> {
            java.util.Random rnd = new java.util.Random(7);
            try (var c = db.connect()) {
                c.setAutoCommit(false);
                int next = 20_001;
                while (!stop.get()) {
                    int k = 1 + rnd.nextInt(20_000);
                    try (var st = c.createStatement()) {
                        st.execute("SET LOCAL lock_timeout = '10s'");
                        switch (writes.get() % 3 == 0 ? 0 : 1 + rnd.nextInt(2)) {
                            case 0 -> { // a new row, and its truth
                                st.execute("INSERT INTO audit_marks VALUES (" + next + ", " + (1 + k % 90) + ", 'app')");
                                st.execute("INSERT INTO truth.marks VALUES (" + next++ + ", " + (1 + k % 90) + ")");
                            }
                            case 1 -> // another column: the row version moves, with the new column as it was
                                st.execute("UPDATE audit_marks SET note = note || ' moved' WHERE k = " + k);
                            default -> { // the user: the trigger sets the new column
                                st.execute("UPDATE audit_marks SET user_id = " + (1 + (k + 1) % 90) + " WHERE k = " + k);
                                st.execute("UPDATE truth.marks SET user_id = " + (1 + (k + 1) % 90) + " WHERE k = " + k);
                            }
                        }
                    } catch (java.sql.SQLException e) {
                        c.rollback();
                        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT format_type(atttypid, atttypmod)"
                            + " FROM pg_attribute WHERE attrelid = 'audit_marks'::regclass AND attname = 'user_id'")) {
                            rs.next();
                            if (rs.getString(1).equals("uuid")) {
                                c.rollback();
                                return; // swapped: the application would write uuids now; enough
                            }
                        }
                        throw e;
                    }
                    c.commit();
                    writes.incrementAndGet();
                }
            } catch (Exception e) {
                throw new IllegalStateException("the application's writes failed", e);
            }
        });
        CliResult r;
        try (PausePoints.Pause held = PausePoints.hold("batch audit_marks.user_id")) {
            while (writes.get() < 20) {
                Thread.sleep(10);
            }
            CompletableFuture<CliResult> run = CompletableFuture.supplyAsync(() -> db.run("migrate", "--column", "audit_marks.user_id",
                "--jobs", "2", "--split-rows", "5000", "--batch-size", "500", "--max-batch-time", "0"));
            long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!held.awaitReached(Duration.ofMillis(100)) || workerSessions(db) < 2) {
                assertTrue(!run.isDone(), () -> "migrate ended before a helper joined: " + run.join());
                assertTrue(System.nanoTime() < until, "no helper joined the split backfill within 2 minutes");
            }
            long before = writes.get();
            while (writes.get() < before + 20) {
                Thread.sleep(10);
            }
            held.release();
            r = run.get(5, TimeUnit.MINUTES);
        } finally {
            stop.set(true);
        }
        app.get(1, TimeUnit.MINUTES);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(writes.get() > 20, "the application wrote during the migration: " + writes.get());
        String event = db.queryString("SELECT message FROM uuidmig.events WHERE step = 'backfill' AND target = 'audit_marks.user_id'"
            + " AND message LIKE 'split into %'");
        assertEquals("split into 16 ctid ranges, 16 of them left at the start of this run, run by 2 workers", event);
        assertEquals(0, db.queryLong("""
            SELECT count(*) FROM truth.marks t FULL JOIN audit_marks m USING (k) LEFT JOIN users u ON u.id = t.user_id
             WHERE m.k IS NULL OR t.k IS NULL OR m.user_id IS DISTINCT FROM u.uuid"""), "rows with a wrong uuid, or lost");
        CliResult post = db.run("validate-post", "--column", "audit_marks.user_id");
        assertEquals(0, post.exitCode(), post.toString());
    }
}
