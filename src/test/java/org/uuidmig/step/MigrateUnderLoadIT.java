package org.uuidmig.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.testing.AppWorkload;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

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
            Thread.sleep(300);
            r = db.run("migrate", "--batch-size", "200", "--max-batch-time", "20ms", "--lock-timeout", LOCK_TIMEOUT_MS + "ms");
            Thread.sleep(300);
            app.close();
            System.out.printf("app: %d statements, %d failures, %d type-switch retries, longest %d ms%n", app.statements.get(),
                app.failures.get(), app.typeSwitchRetries.get(), app.maxLatencyNanos.get() / 1_000_000);
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals(0, app.failures.get(), app.failureMessages.toString());
            assertTrue(app.statements.get() > 200, "the workload ran: " + app.statements.get());
            assertTrue(app.typeSwitchRetries.get() <= 4 * 2, "each thread switches type once: " + app.typeSwitchRetries.get());
            assertEquals(0, app.wrongOrLostRows(), "rows written by the application with a wrong or missing sender");
            long longestMs = app.maxLatencyNanos.get() / 1_000_000;
            assertTrue(longestMs < LOCK_TIMEOUT_MS + 1000, "longest application statement " + longestMs + " ms");
        }
        CliResult post = db.run("validate-post");
        assertEquals(0, post.exitCode(), post.toString());
        assertTrue(post.out().contains("inserted"), "validate-post explains the application's inserts: " + post.out());
    }
}
