package org.uuidmig.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.uuidmig.engine.PausePoints;
import org.uuidmig.steps.RollbackSteps;

/** Helpers for tests that run a command on a thread of their own, held at a pause point, and for plan arguments. */
public final class Runs {
    private Runs() {
    }

    /**
     * Waits until the run reaches the held point: fails if the run ends first, naming what it printed, or if it does
     * not get there within 120 s.
     */
    public static void awaitReached(PausePoints.Pause pause, CompletableFuture<?> run, String what) throws InterruptedException {
        long until = System.nanoTime() + 120_000_000_000L;
        while (!pause.awaitReached(Duration.ofMillis(100))) {
            assertFalse(run.isDone(), () -> "the run ended before " + what + ": " + run.join());
            assertTrue(System.nanoTime() < until, "the run did not reach " + what + " within 120 s");
        }
    }

    /** What a test does while a run is held. */
    @FunctionalInterface
    public interface Meanwhile {
        void run() throws Exception;
    }

    /**
     * Runs {@code uuidmig rollback} on a thread of its own, holds it before its swap back, does {@code meanwhile} (the
     * application's writes), lets it go on and returns how it ended (at most 5 minutes).
     */
    public static TestDb.CliResult rollbackHeldBeforeSwapBack(TestDb db, Meanwhile meanwhile) throws Exception {
        try (PausePoints.Pause beforeSwap = PausePoints.hold("before " + org.uuidmig.steps.RollbackSteps.SWAP)) {
            CompletableFuture<TestDb.CliResult> run = CompletableFuture.supplyAsync(() -> db.run("rollback"));
            awaitReached(beforeSwap, run, "its swap back");
            meanwhile.run();
            beforeSwap.release();
            return run.get(5, java.util.concurrent.TimeUnit.MINUTES);
        }
    }

    /** {command, plan..., more...}: a command line with the plan's options after the command. */
    public static String[] withPlan(String[] plan, String command, String... more) {
        String[] out = new String[1 + plan.length + more.length];
        out[0] = command;
        System.arraycopy(plan, 0, out, 1, plan.length);
        System.arraycopy(more, 0, out, 1 + plan.length, more.length);
        return out;
    }
}
