package org.uuidmig.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * Issue 15: the controller backs off on each signal, injected for real. Each run starts paused by the operator
 * (uuidmig pause before it), so it waits before its first backfill batch while its health monitor samples and its
 * controller is evaluated at every control poll: the test injects the signal, waits for the throttle's decision to
 * be recorded, takes the signal away, resumes, and the run finishes right. (The slot's signal: ThrottleIT; the
 * standby's: ThrottleStandbyIT.)
 */
@ExtendWith(PostgresExtension.class)
class ThrottleSignalsIT {

    /** A transaction the application holds open, older than --max-xact-age, throttles the run on "long transaction". */
    @Test
    void aHeldTransactionThrottles(TestDb db) throws Exception {
        db.loadFixture(1);
        assertEquals(0, db.run("pause").exitCode());
        try (Connection app = db.connect(); Statement st = app.createStatement()) {
            app.setAutoCommit(false);
            st.execute("SELECT pg_catalog.txid_current()"); // holds a transaction id, as a forgotten session would
            CompletableFuture<CliResult> run = CompletableFuture.supplyAsync(() -> db.run("migrate", "--throttle", "--max-xact-age", "1ms"));
            ControlIT.awaitEvent(db, "applied: throttled (level 3): %long transaction % > 1 ms%", run);
            app.commit(); // gone before the index builds, which would wait for it
            finish(db, run);
        }
    }

    /**
     * A slow probe throttles the run on "probe latency": the test locks the probe's row in uuidmig.probe, so that each
     * probe waits for the monitor's lock_timeout (1 s) against a baseline of about a millisecond.
     */
    @Test
    void aSlowProbeThrottles(TestDb db) throws Exception {
        db.loadFixture(1);
        assertEquals(0, db.run("pause").exitCode());
        CompletableFuture<CliResult> run = CompletableFuture.supplyAsync(() -> db.run("migrate", "--throttle"));
        // the baseline (a warm-up probe and five more) is measured once the row exists; a few probes after it, it is done
        ControlIT.await(() -> probes(db) >= 10, run, "the probes after the baseline");
        try (Connection app = db.connect(); Statement st = app.createStatement()) {
            app.setAutoCommit(false);
            st.execute("SELECT 1 FROM uuidmig.probe WHERE table_schema = 'public' FOR UPDATE");
            ControlIT.awaitEvent(db, "applied: throttled (level 3): probe latency %", run);
            app.commit();
        }
        finish(db, run);
    }

    private static long probes(TestDb db) {
        try {
            return db.queryLong("SELECT coalesce(max(probes), 0) FROM uuidmig.probe WHERE table_schema = 'public'");
        } catch (Exception e) {
            return 0; // the run has not made schema uuidmig's probe table yet
        }
    }

    /** Resumes the paused run and checks that it finished right, and that it had started at the throttle's level 2. */
    private static void finish(TestDb db, CompletableFuture<CliResult> run) throws Exception {
        assertEquals(0, db.run("resume").exitCode());
        CliResult r = run.get(3, TimeUnit.MINUTES);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("applied: throttled (level 2): the start: "), r.err());
        CliResult post = db.run("validate-post");
        assertEquals(0, post.exitCode(), post.toString());
    }
}
