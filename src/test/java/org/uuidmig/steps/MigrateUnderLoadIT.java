package org.uuidmig.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.engine.PausePoints;
import org.uuidmig.engine.StepIds;
import org.uuidmig.testing.AppWorkload;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.Statistics;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.testing.TestDb;

/**
 * migrate while application threads insert, update, delete and read: no application statement
 * fails (beyond the one designed retry when a column changes type at the swap), no write is
 * lost, every row written carries the right uuid, no statement waits longer than a bound tied to
 * lock_timeout, and validate-post passes.
 */
@ExtendWith(PostgresExtension.class)
class MigrateUnderLoadIT {
    private static final long LOCK_TIMEOUT_MS = 300;

    @Test
    void migrateUnderLoad(TestDb db) throws Exception {
        db.loadFixture(3);
        CliResult r;
        try (AppWorkload app = new AppWorkload(db).start(4, 2)) {
            // no timing: the workload runs 50 statements before migrate starts, 50 while migrate is held in its
            // chat_messages backfill, 50 while it is held before the swap, and 50 after it ends
            app.awaitMoreStatements(50, "before migrate");
            try (PausePoints.Pause inBackfill = PausePoints.hold("batch chat_messages.sender_id");
                 PausePoints.Pause beforeSwap = PausePoints.hold("before " + StepIds.SWAP)) {
                CompletableFuture<CliResult> run = CompletableFuture.supplyAsync(() -> db.run("migrate", "--batch-size", "200",
                    "--max-batch-time", "20ms", "--lock-timeout", LOCK_TIMEOUT_MS + "ms"));
                for (PausePoints.Pause p : List.of(inBackfill, beforeSwap)) {
                    long until = System.nanoTime() + 120_000_000_000L;
                    while (!p.awaitReached(Duration.ofMillis(100))) {
                        assertTrue(!run.isDone(), () -> "migrate ended before a pause point: " + run.join());
                        assertTrue(System.nanoTime() < until, "migrate did not reach a pause point within 120 s");
                    }
                    app.awaitMoreStatements(50, "while migrate is held");
                    p.release();
                }
                r = run.get(5, TimeUnit.MINUTES);
            }
            app.awaitMoreStatements(50, "after migrate");
            app.close();
            System.out.printf("app: %d statements, %d failures, %d type-switch retries, longest %d ms%n", app.statements.get(),
                app.failures.get(), app.typeSwitchRetries.get(), app.maxLatencyNanos.get() / 1_000_000);
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals(0, app.failures.get(), app.failureMessages.toString());
            assertTrue(app.statements.get() >= 200, "the workload ran: " + app.statements.get());
            assertTrue(app.typeSwitchRetries.get() <= 4 * 2, "each thread switches type once: " + app.typeSwitchRetries.get());
            assertEquals(0, app.wrongOrLostRows(), "rows written by the application with a wrong or missing sender");
            long longestMs = app.maxLatencyNanos.get() / 1_000_000;
            // the product's bound: a lock wait behind uuidmig of at most lock_timeout (or the swap's budget, plus its catalog
            // work); the margin is wide, for a loaded machine
            assertTrue(longestMs < LOCK_TIMEOUT_MS + 1700, "longest application statement " + longestMs + " ms");
        }
        Statistics.awaitWritesSinceSwapCounted(db); // the application's connections are closed; their counts arrive later
        CliResult post = db.run("validate-post");
        assertEquals(0, post.exitCode(), post.toString());
        assertTrue(post.out().contains("inserted"), "validate-post explains the application's inserts: " + post.out());
    }
}
