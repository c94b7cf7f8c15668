package org.uuidmig.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.uuidmig.step.PausePoints;

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

    /** {command, plan..., more...}: a command line with the plan's options after the command. */
    public static String[] withPlan(String[] plan, String command, String... more) {
        String[] out = new String[1 + plan.length + more.length];
        out[0] = command;
        System.arraycopy(plan, 0, out, 1, plan.length);
        System.arraycopy(more, 0, out, 1 + plan.length, more.length);
        return out;
    }
}
