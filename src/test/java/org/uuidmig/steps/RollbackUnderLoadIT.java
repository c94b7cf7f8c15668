package org.uuidmig.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.engine.PausePoints;
import org.uuidmig.testing.AppWorkload;
import org.uuidmig.testing.CatalogSnapshot;
import org.uuidmig.testing.Fixture;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.testing.TestDb;

/**
 * rollback after the swap while application threads insert, update, delete and read by uuid
 * (switching to integers once, at the swap back): no application statement fails beyond that
 * one retry, no write is lost, every row written references the right user as an integer, no
 * statement waits much longer than lock_timeout, and the catalog is the original one.
 */
@ExtendWith(PostgresExtension.class)
class RollbackUnderLoadIT {
    private static final long LOCK_TIMEOUT_MS = 300;
    private static final String ORIGINAL_MESSAGES = "(SELECT * FROM public.chat_messages WHERE content NOT LIKE 'app%')";

    @Test
    void rollbackUnderLoad(TestDb db) throws Exception {
        db.loadFixture(3);
        List<String> catalog = CatalogSnapshot.of(db, "public");
        Map<String, String> data = Fixture.digests(db);
        String originalMessages = CatalogSnapshot.tableDigest(db, ORIGINAL_MESSAGES);
        CliResult m = db.run("migrate");
        assertEquals(0, m.exitCode(), m.toString());

        CliResult r;
        try (AppWorkload app = new AppWorkload(db).start(4, 2)) {
            // no timing: the workload runs 50 statements before rollback starts, 50 while rollback is held in its
            // chat_messages backfill, 50 while it is held before the swap, and 50 after it ends
            app.awaitMoreStatements(50, "before rollback");
            try (PausePoints.Pause inBackfill = PausePoints.hold("batch chat_messages.sender_id");
                 PausePoints.Pause beforeSwap = PausePoints.hold("before " + RollbackSteps.SWAP)) {
                CompletableFuture<CliResult> run = CompletableFuture.supplyAsync(() -> db.run("rollback", "--batch-size", "200",
                    "--max-batch-time", "20ms", "--lock-timeout", LOCK_TIMEOUT_MS + "ms"));
                for (PausePoints.Pause p : List.of(inBackfill, beforeSwap)) {
                    long until = System.nanoTime() + 120_000_000_000L;
                    while (!p.awaitReached(Duration.ofMillis(100))) {
                        assertTrue(!run.isDone(), () -> "rollback ended before a pause point: " + run.join());
                        assertTrue(System.nanoTime() < until, "rollback did not reach a pause point within 120 s");
                    }
                    app.awaitMoreStatements(50, "while rollback is held");
                    p.release();
                }
                r = run.get(5, TimeUnit.MINUTES);
            }
            app.awaitMoreStatements(50, "after rollback");
            app.close();
            System.out.printf("app: %d statements, %d failures, %d type-switch retries, longest %d ms%n", app.statements.get(),
                app.failures.get(), app.typeSwitchRetries.get(), app.maxLatencyNanos.get() / 1_000_000);
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals(0, app.failures.get(), app.failureMessages.toString());
            assertTrue(app.statements.get() >= 200, "the workload ran: " + app.statements.get());
            assertTrue(app.typeSwitchRetries.get() <= 4 * 2, "each thread switches type once: " + app.typeSwitchRetries.get());
            assertTrue(app.messages.size() > 0, "the application left rows to check");
            assertEquals(0, app.wrongOrLostRows(), "rows written by the application with a wrong or missing sender");
            long longestMs = app.maxLatencyNanos.get() / 1_000_000;
            // the product's bound: a lock wait behind uuidmig of at most lock_timeout (or the swap's budget, plus its catalog
            // work); the margin is wide, for a loaded machine
            assertTrue(longestMs < LOCK_TIMEOUT_MS + 1700, "longest application statement " + longestMs + " ms");
        }
        assertEquals(catalog, CatalogSnapshot.of(db, "public"));
        // every table the application did not write is exactly as before migrate
        data.remove("chat_messages");
        Map<String, String> now = Fixture.digests(db);
        now.remove("chat_messages");
        assertEquals(data, now);
        // the application's own rows aside, chat_messages holds the original rows unchanged
        assertEquals(originalMessages, CatalogSnapshot.tableDigest(db, ORIGINAL_MESSAGES));
    }
}
