package org.uuidmig.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * Issue 15 item 2: throttled (the default), a run starts gently, and a signal over its bound (here a physical
 * replication slot the test creates, which retains every byte of WAL the migration writes, against --max-slot-wal 1)
 * slows the backfill down further, says why, and the run still finishes right; with --no-throttle the same signal is
 * only reported. (A long transaction would be the simpler signal, but it also makes CREATE INDEX CONCURRENTLY wait for
 * it.) The other tests' runs say --no-throttle (TestDb.atOptionsSpeed); these say what they test.
 */
@ExtendWith(PostgresExtension.class)
class ThrottleIT {
    @Test
    void aSlotRetainingWalThrottlesTheBackfillAndTheRunFinishes(TestDb db) throws Exception {
        db.loadFixture(1);
        String slot = "uuidmig_throttle_" + Long.toHexString(System.nanoTime());
        db.exec("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
        try {
            // 4,450 rows in batches of 300: at level 2 (100 ms after each) and then 3 and 4, a few seconds
            CliResult r = db.run("migrate", "--throttle", "--max-slot-wal", "1", "--max-batch-time", "0", "--batch-size", "300");
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.err().contains("applied: throttled (level 2): the start: "), r.err());
            // the slot's signal, among the reasons (the probe may be over too on a busy machine; it comes first then)
            assertTrue(java.util.regex.Pattern.compile("applied: throttled \\(level 3\\): [^\\n]*slot WAL ").matcher(r.err()).find(), r.err());
            assertTrue(db.queryLong("SELECT count(*) FROM uuidmig.events WHERE message LIKE '%throttled (level 3):%slot WAL%'") > 0);
        } finally {
            db.exec("SELECT pg_drop_replication_slot('" + slot + "')");
        }
        CliResult post = db.run("validate-post");
        assertEquals(0, post.exitCode(), post.toString());
    }

    /**
     * The progress line says the run is throttled and why (issue 15 item 2), and status lists the throttle's decisions among
     * the last control events. The run is a subprocess, for its progress lines every 100 ms.
     */
    // the slow suite's: RunProgressTest draws the throttle's state in the default suite; this runs it end to end
    @Tag("slow")
    @Test
    void theProgressLineAndStatusShowTheThrottle(TestDb db) throws Exception {
        db.loadFixture(1);
        String slot = "uuidmig_throttle_" + Long.toHexString(System.nanoTime());
        db.exec("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
        try {
            org.uuidmig.testing.Subprocess.Result r = org.uuidmig.testing.Subprocess.run(
                java.util.List.of("-Duuidmig.progress.intervalMillis=100"), "migrate", "--url", db.url(), "--throttle",
                "--max-slot-wal", "1", "--max-batch-time", "0", "--batch-size", "400", "--batch-delay", "10ms");
            assertEquals(0, r.exitCode(), r.output());
            java.util.regex.Pattern throttled = java.util.regex.Pattern.compile(
                "(?m)^backfill: [\\d,]+ of [\\d,]+ rows \\(\\d+%\\).*; throttled \\(level [1-4] of 4\\)(: |, easing: ).*slot");
            assertTrue(throttled.matcher(r.output()).find(), "a progress line says the run is throttled, and why:\n" + r.output());
        } finally {
            db.exec("SELECT pg_drop_replication_slot('" + slot + "')");
        }
        CliResult status = db.run("status");
        assertEquals(0, status.exitCode(), status.toString());
        assertTrue(status.out().contains("last control events:") && status.out().matches("(?s).*applied: throttled \\(level 3\\): [^\\n]*slot WAL .*"),
            status.out());
    }

    /**
     * A migrate with no throttle option at all is throttled: it starts at level 2, says so, eases while healthy, and
     * finishes right. Run with CliResult directly, since TestDb.run would add --no-throttle.
     */
    @Test
    void theDefaultIsThrottled(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult r = CliResult.run("migrate", "--url", db.url());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("applied: throttled (level 2): the start: it eases one level per 10 healthy seconds; jobs 1,"),
            r.err());
        assertEquals(1, db.queryLong("SELECT count(*) FROM uuidmig.events WHERE message LIKE 'applied: throttled (level 2): the start%'"));
        CliResult post = db.run("validate-post");
        assertEquals(0, post.exitCode(), post.toString());
    }

    @Test
    void withoutThrottleTheSignalIsOnlyReported(TestDb db) throws Exception {
        db.loadFixture(1);
        String slot = "uuidmig_throttle_" + Long.toHexString(System.nanoTime());
        db.exec("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
        try {
            CliResult r = db.run("migrate", "--no-throttle", "--max-slot-wal", "1", "--max-batch-time", "0", "--batch-size", "100");
            assertEquals(0, r.exitCode(), r.toString());
            assertFalse(r.err().contains("throttled"), r.err());
        } finally {
            db.exec("SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }
}
