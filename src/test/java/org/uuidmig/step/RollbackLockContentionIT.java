package org.uuidmig.step;

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
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

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
            r = db.run("rollback", "--lock-timeout", LOCK_TIMEOUT_MS + "ms", "--lock-attempts", "3", "--wait-timeout", "2s");
            stop.set(true);
            reads.get(10, TimeUnit.SECONDS);
            blocker.commit();
        }
        assertEquals(ExitCode.INCOMPLETE, r.exitCode(), r.toString());
        assertTrue(r.err().contains("user_roles"), "names what it could not lock: " + r.err());
        assertTrue(r.err().contains("rerun uuidmig rollback"), "says which command to rerun: " + r.err());
        assertTrue(worstReadMs.get() < LOCK_TIMEOUT_MS + 700,
            "a reader queued behind rollback's lock request for " + worstReadMs.get() + " ms");

        CliResult rerun = db.run("rollback");
        assertEquals(0, rerun.exitCode(), rerun.toString());
        assertEquals(catalog, CatalogSnapshot.of(db, "public"));
        assertEquals(data, Fixture.digests(db));
    }
}
