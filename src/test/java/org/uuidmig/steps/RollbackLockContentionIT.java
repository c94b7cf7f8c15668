package org.uuidmig.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.ExitCode;
import org.uuidmig.testing.CatalogSnapshot;
import org.uuidmig.testing.Fixture;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.testing.TestDb;

/**
 * A long transaction holds ACCESS SHARE on user_roles while rollback runs (before and after the
 * swap): rollback's lock requests are bounded by lock_timeout, so a reader of user_roles never
 * queues behind it for long; with too few attempts it gives up with exit 4, and a rerun finishes.
 */
@ExtendWith(PostgresExtension.class)
class RollbackLockContentionIT {
    private static final long LOCK_TIMEOUT_MS = 300;

    @ParameterizedTest(name = "after the swap: {0}")
    @ValueSource(booleans = {false, true})
    void boundedLocksGiveUpCleanlyAndARerunCompletes(boolean afterSwap, TestDb db) throws Exception {
        db.loadFixture(1);
        List<String> catalog = CatalogSnapshot.of(db, "public");
        Map<String, String> data = Fixture.digests(db);
        CliResult m = afterSwap ? db.run("migrate") : db.run("migrate", "--phase", "expand");
        assertEquals(0, m.exitCode(), m.toString());

        AtomicLong worstReadMs = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        CliResult r;
        try (Connection blocker = db.connect(); Connection reader = db.connect()) {
            blocker.setAutoCommit(false);
            try (Statement st = blocker.createStatement()) {
                st.execute("SELECT count(*) FROM user_roles"); // ACCESS SHARE until commit, like a long report
            }
            CompletableFuture<Void> readLoop = LockContentionIT.reader(reader, stop, reads, worstReadMs);
            CompletableFuture<CliResult> rollback = CompletableFuture.supplyAsync(() -> db.run("rollback",
                "--lock-timeout", LOCK_TIMEOUT_MS + "ms", "--lock-attempts", "3", "--wait-timeout", "2s"));
            // no timing: the reader is seen queued behind rollback's lock request, and gets through while the blocker
            // still holds its lock (only rollback giving up its request after lock_timeout can allow that)
            LockContentionIT.readerReleasedWhileBlocked(db, LockContentionIT.pid(reader), reads, readLoop, rollback, "uuidmig rollback");
            r = rollback.get(3, TimeUnit.MINUTES);
            stop.set(true);
            readLoop.get(10, TimeUnit.SECONDS);
            blocker.commit();
        }
        assertEquals(ExitCode.INCOMPLETE, r.exitCode(), r.toString());
        assertTrue(r.err().contains("user_roles"), "names what it could not lock: " + r.err());
        assertTrue(r.err().contains("rerun uuidmig rollback"), "says which command to rerun: " + r.err());
        // lock_timeout is the product's bound on the wait behind uuidmig; the margin is wide
        assertTrue(worstReadMs.get() < LOCK_TIMEOUT_MS + 1300,
            "a reader queued behind rollback's lock request for " + worstReadMs.get() + " ms");

        CliResult rerun = db.run("rollback");
        assertEquals(0, rerun.exitCode(), rerun.toString());
        assertEquals(catalog, CatalogSnapshot.of(db, "public"));
        assertEquals(data, Fixture.digests(db));
    }
}
