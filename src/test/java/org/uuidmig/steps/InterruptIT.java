package org.uuidmig.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.db.RunLock;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.testing.TestDb;

/**
 * Ctrl-C (SIGINT) or SIGTERM during migrate or rollback: exit 4, one line naming the step and saying
 * "rerun ... to continue", no uuidmig session left on the server (so the run lock is free), and a rerun
 * finishes. The runs are separate JVMs, signalled mid-backfill (small batches with a delay between them).
 */
@ExtendWith(PostgresExtension.class)
class InterruptIT {

    @Tag("slow")
    @Test
    void sigtermDuringMigrateBackfill(TestDb db) throws Exception {
        interruptMigrate(db, "TERM");
    }

    @Test
    void sigintDuringMigrateBackfill(TestDb db) throws Exception {
        interruptMigrate(db, "INT");
    }

    /** After the swap, rollback rebuilds the integer columns with a backfill; SIGTERM there, then the rerun finishes the rollback. */
    @Tag("slow")
    @Test
    void sigtermDuringRollbackBackfill(TestDb db) throws Exception {
        interruptRollback(db, "TERM");
    }

    @Tag("slow")
    @Test
    void sigintDuringRollbackBackfill(TestDb db) throws Exception {
        interruptRollback(db, "INT");
    }

    private void interruptRollback(TestDb db, String signal) throws Exception {
        db.loadFixture(1);
        CliResult migrate = db.run("migrate");
        assertEquals(0, migrate.exitCode(), migrate.toString());

        String output = interrupt(db, signal, "uuidmig.rollback", "rollback");
        assertOneLine(output, "rollback");

        CliResult rerun = db.run("rollback");
        assertEquals(0, rerun.exitCode(), rerun.toString());
        assertEquals("integer", db.queryString("SELECT data_type FROM information_schema.columns "
            + "WHERE table_schema = 'public' AND table_name = 'chat_messages' AND column_name = 'sender_id'"));
        CliResult status = db.run("status");
        assertTrue(status.out().contains("stage: rolled back"), status.toString());
    }

    private void interruptMigrate(TestDb db, String signal) throws Exception {
        db.loadFixture(1);
        String output = interrupt(db, signal, "uuidmig.columns", "migrate");
        assertOneLine(output, "migrate");

        CliResult rerun = db.run("migrate");
        assertEquals(0, rerun.exitCode(), rerun.toString());
        assertTrue(rerun.out().contains("migration complete"), rerun.toString());
        CliResult post = db.run("validate-post");
        assertEquals(0, post.exitCode(), post.toString());
    }

    /**
     * Starts the command in its own JVM, waits until table {@code marker} exists and the backfill has written rows,
     * signals it; returns its output after it exits 4.
     */
    private static String interrupt(TestDb db, String signal, String marker, String command) throws Exception {
        Path log = Files.createTempFile("uuidmig-interrupt", ".log");
        try {
            Process p = Subprocess.start(log, List.of(), command, "--url", db.url(), "--batch-size", "20", "--max-batch-time", "1ms",
                "--batch-delay", "20ms", "--jobs", "1");
            try {
                awaitBackfill(db, marker, p, log);
                if (signal.equals("TERM")) {
                    p.destroy(); // SIGTERM
                } else {
                    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
                    assertEquals(0, kill.waitFor());
                }
                assertTrue(p.waitFor(1, TimeUnit.MINUTES), "the interrupted run did not exit within a minute");
            } finally {
                p.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(4, p.exitValue(), output);
            awaitNoSessions(db);
            try (var c = db.connect(); var ps = c.prepareStatement("SELECT pg_try_advisory_lock(?, ?), pg_advisory_unlock(?, ?)")) {
                ps.setInt(1, RunLock.CLASS_ID);
                ps.setInt(2, RunLock.OBJ_ID);
                ps.setInt(3, RunLock.CLASS_ID);
                ps.setInt(4, RunLock.OBJ_ID);
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    assertTrue(rs.getBoolean(1), "the run lock is free after the interruption");
                }
            }
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static void assertOneLine(String output, String command) {
        List<String> lines = output.lines().filter(l -> l.contains("interrupted")).toList();
        assertEquals(1, lines.size(), output);
        String line = lines.get(0);
        assertTrue(line.startsWith("uuidmig " + command + ": interrupted during step backfill ("), output);
        assertTrue(line.endsWith("; rerun uuidmig " + command + " to continue"), output);
        assertTrue(output.lines().noneMatch(l -> l.startsWith("uuidmig: error")), output);
    }

    private static void awaitBackfill(TestDb db, String marker, Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("the run ended before the point to interrupt it: " + Files.readString(log));
            }
            if (db.queryLong("SELECT count(*) FROM pg_class WHERE oid = to_regclass(?)", marker) > 0) {
                try {
                    if (db.queryLong("SELECT coalesce(sum(backfill_rows), 0) FROM uuidmig.columns") > 0) {
                        return;
                    }
                } catch (java.sql.SQLException e) {
                    // the state was just being created: poll again
                }
            }
            Thread.sleep(20); // poll interval; the condition is the event waited for
        }
        throw new AssertionError("the run never reached the backfill within 2 minutes: " + Files.readString(log));
    }

    /** Bounded poll: no session of uuidmig remains on the test database (terminated backends go away asynchronously). */
    private static void awaitNoSessions(TestDb db) throws Exception {
        String sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'uuidmig%'";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (db.queryLong(sql) > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("uuidmig sessions left 30 s after the interruption: "
                    + db.queryStrings("SELECT application_name || ' ' || state || ' ' || coalesce(query, '') FROM pg_stat_activity "
                    + "WHERE datname = current_database() AND application_name LIKE 'uuidmig%'"));
            }
            Thread.sleep(20);
        }
    }
}
