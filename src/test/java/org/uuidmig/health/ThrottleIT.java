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
 * Issue 15 item 2: with --throttle, a signal over its bound (here a physical replication slot the test creates, which
 * retains every byte of WAL the migration writes, against --max-slot-wal 1) slows the backfill down, says why, and
 * the run still finishes right; without --throttle the same signal is only reported. (A long transaction would be the
 * simpler signal, but it also makes CREATE INDEX CONCURRENTLY wait for it.)
 */
@ExtendWith(PostgresExtension.class)
class ThrottleIT {
    @Test
    void aSlotRetainingWalThrottlesTheBackfillAndTheRunFinishes(TestDb db) throws Exception {
        db.loadFixture(1);
        String slot = "uuidmig_throttle_" + Long.toHexString(System.nanoTime());
        db.exec("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
        try {
            CliResult r = db.run("migrate", "--throttle", "--max-slot-wal", "1", "--max-batch-time", "0", "--batch-size", "100");
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.err().contains("throttled (level 1): "), r.err());
            assertTrue(db.queryLong("SELECT count(*) FROM uuidmig.events WHERE message LIKE '%throttled (level 1)%'") > 0);
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
        assertTrue(status.out().contains("last control events:") && status.out().contains("applied: throttled (level 1): "),
            status.out());
    }

    @Test
    void withoutThrottleTheSignalIsOnlyReported(TestDb db) throws Exception {
        db.loadFixture(1);
        String slot = "uuidmig_throttle_" + Long.toHexString(System.nanoTime());
        db.exec("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
        try {
            CliResult r = db.run("migrate", "--max-slot-wal", "1", "--max-batch-time", "0", "--batch-size", "100");
            assertEquals(0, r.exitCode(), r.toString());
            assertFalse(r.err().contains("throttled"), r.err());
        } finally {
            db.exec("SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }
}
