package org.uuidmig.engine;

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

import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.testing.TestDb;

/**
 * SIGTERM to a migrate that an operator paused, or that waits at a held swap, in a JVM of its own: exit 4 with the one
 * "interrupted ...; rerun" line, no uuidmig session left, and after resume / release-swap a rerun finishes.
 */
@ExtendWith(PostgresExtension.class)
class ControlInterruptIT {

    /** Paused before it started: the run waits before its first step; SIGTERM ends it cleanly. */
    // the slow suite's: InterruptIT signals a run and ControlIT pauses one in the default suite
    @Tag("slow")
    @Test
    void sigtermWhilePausedExitsFour(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult pause = db.run("pause");
        assertEquals(0, pause.exitCode(), pause.toString());
        String output = runAndTerminate(db, "applied at the start of the run: starts paused by operator%");
        assertTrue(output.contains("uuidmig migrate: applied at the start of the run: starts paused by operator"), output);
        assertOneInterruptedLine(output);
        assertEquals(0, db.queryLong("SELECT count(*) FROM uuidmig.columns WHERE step <> 'planned'"), "nothing ran while paused");

        assertEquals(0, db.run("resume").exitCode());
        CliResult rerun = db.run("migrate");
        assertEquals(0, rerun.exitCode(), rerun.toString());
        assertTrue(rerun.out().contains("migration complete"), rerun.toString());
    }

    /** Held at the swap after the whole expand: SIGTERM ends it cleanly, nothing swapped; release-swap and a rerun finish. */
    // the slow suite's: sigtermWhilePausedExitsFour covers a signal while an operator holds the run
    @Tag("slow")
    @Test
    void sigtermWhileSwapHeldExitsFour(TestDb db) throws Exception {
        db.loadFixture(1);
        assertEquals(0, db.run("hold-swap").exitCode());
        String output = runAndTerminate(db, "waiting before the swap of %");
        assertOneInterruptedLine(output);
        assertTrue(output.contains("interrupted during step swap ("), output);
        assertEquals("integer", db.queryString("SELECT data_type FROM information_schema.columns "
            + "WHERE table_schema = 'public' AND table_name = 'chat_messages' AND column_name = 'sender_id'"));

        assertEquals(0, db.run("release-swap").exitCode());
        CliResult rerun = db.run("migrate");
        assertEquals(0, rerun.exitCode(), rerun.toString());
        assertEquals("uuid", db.queryString("SELECT data_type FROM information_schema.columns "
            + "WHERE table_schema = 'public' AND table_name = 'chat_messages' AND column_name = 'sender_id'"));
    }

    /** Starts migrate in its own JVM, waits for the control event, sends SIGTERM; its output once it has exited 4. */
    private static String runAndTerminate(TestDb db, String eventLike) throws Exception {
        Path log = Files.createTempFile("uuidmig-control", ".log");
        try {
            Process p = Subprocess.start(log, List.of(), "migrate", "--url", db.url());
            try {
                long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
                while (!hasEvent(db, eventLike)) {
                    assertTrue(p.isAlive(), () -> "the run ended before the event '" + eventLike + "': " + read(log));
                    assertTrue(System.nanoTime() < until, () -> "no event '" + eventLike + "' within 3 minutes: " + read(log));
                    Thread.sleep(50); // poll interval; the event is what the test waits for
                }
                p.destroy(); // SIGTERM
                assertTrue(p.waitFor(1, TimeUnit.MINUTES), "the terminated run did not exit within a minute");
            } finally {
                p.destroyForcibly();
            }
            String output = read(log);
            assertEquals(4, p.exitValue(), output);
            db.awaitNoUuidmigSessions();
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static boolean hasEvent(TestDb db, String like) {
        try {
            return db.queryLong("SELECT count(*) FROM uuidmig.events WHERE step = 'control' AND message LIKE ?", like) > 0;
        } catch (java.sql.SQLException e) {
            return false; // the state is being created: poll again
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static void assertOneInterruptedLine(String output) {
        List<String> lines = output.lines().filter(l -> l.contains("interrupted")).toList();
        assertEquals(1, lines.size(), output);
        assertTrue(lines.get(0).startsWith("uuidmig migrate: interrupted "), output);
        assertTrue(lines.get(0).endsWith("; rerun uuidmig migrate to continue"), output);
        assertTrue(output.lines().noneMatch(l -> l.startsWith("uuidmig: error")), output);
    }
}
