package org.uuidmig.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.engine.PausePoints;
import org.uuidmig.engine.StepIds;
import org.uuidmig.testing.AppWorkload;
import org.uuidmig.testing.CatalogSnapshot;
import org.uuidmig.testing.Fixture;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.Statistics;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.testing.TestDb;

/**
 * migrate, and rollback after the swap, while application threads insert, update, delete and
 * read (by integer, then by uuid after the swap; the other way round in rollback): no application
 * statement fails beyond the one designed retry when a column changes type at the swap, no write
 * is lost, every row written references the right user, and no statement waits longer than a
 * bound tied to lock_timeout. After migrate validate-post passes; after rollback the catalog is
 * the original one and the data the application did not write is unchanged.
 */
@ExtendWith(PostgresExtension.class)
class UnderLoadIT {
    private static final long LOCK_TIMEOUT_MS = 300;
    private static final String ORIGINAL_MESSAGES = "(SELECT * FROM public.chat_messages WHERE content NOT LIKE 'app%')";

    @Test
    void migrateUnderLoad(TestDb db) throws Exception {
        db.loadFixture(3);
        runUnderLoad(db, "migrate", StepIds.SWAP);
        Statistics.awaitWritesSinceSwapCounted(db); // the application's connections are closed; their counts arrive later
        CliResult post = db.run("validate-post");
        assertEquals(0, post.exitCode(), post.toString());
        assertTrue(post.out().contains("inserted"), "validate-post explains the application's inserts: " + post.out());
    }

    // the slow suite's: migrateUnderLoad runs the same load in the default suite
    @Tag("slow")
    @Test
    void rollbackAfterTheSwapUnderLoad(TestDb db) throws Exception {
        db.loadFixture(3);
        List<String> catalog = CatalogSnapshot.of(db, "public");
        Map<String, String> data = Fixture.digests(db);
        String originalMessages = CatalogSnapshot.tableDigest(db, ORIGINAL_MESSAGES);
        CliResult m = db.run("migrate");
        assertEquals(0, m.exitCode(), m.toString());

        runUnderLoad(db, "rollback", RollbackSteps.SWAP);
        assertEquals(catalog, CatalogSnapshot.of(db, "public"));
        // every table the application did not write is exactly as before migrate
        data.remove("chat_messages");
        Map<String, String> now = Fixture.digests(db);
        now.remove("chat_messages");
        assertEquals(data, now);
        // the application's own rows aside, chat_messages holds the original rows unchanged
        assertEquals(originalMessages, CatalogSnapshot.tableDigest(db, ORIGINAL_MESSAGES));
    }

    /**
     * Runs the command under the application workload and checks what the application saw. No timing: the workload runs
     * 50 statements before the command starts, 50 while it is held in its chat_messages backfill, 50 while it is held
     * before its swap step, and 50 after it ends.
     */
    private static void runUnderLoad(TestDb db, String command, String swapStep) throws Exception {
        CliResult r;
        try (AppWorkload app = new AppWorkload(db).start(4, 2)) {
            app.awaitMoreStatements(50, "before " + command);
            try (PausePoints.Pause inBackfill = PausePoints.hold("batch chat_messages.sender_id");
                 PausePoints.Pause beforeSwap = PausePoints.hold("before " + swapStep)) {
                CompletableFuture<CliResult> run = CompletableFuture.supplyAsync(() -> db.run(command, "--batch-size", "200",
                    "--max-batch-time", "20ms", "--lock-timeout", LOCK_TIMEOUT_MS + "ms"));
                for (PausePoints.Pause p : List.of(inBackfill, beforeSwap)) {
                    long until = System.nanoTime() + 120_000_000_000L;
                    while (!p.awaitReached(Duration.ofMillis(100))) {
                        assertTrue(!run.isDone(), () -> command + " ended before a pause point: " + run.join());
                        assertTrue(System.nanoTime() < until, command + " did not reach a pause point within 120 s");
                    }
                    app.awaitMoreStatements(50, "while " + command + " is held");
                    p.release();
                }
                r = run.get(5, TimeUnit.MINUTES);
            }
            app.awaitMoreStatements(50, "after " + command);
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
    }
}
