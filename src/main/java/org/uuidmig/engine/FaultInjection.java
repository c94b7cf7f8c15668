package org.uuidmig.engine;

/**
 * Crash points for the kill-and-resume tests, off unless a system property sets them:
 * {@code -Duuidmig.fault.haltAfterSteps=N} halts the JVM (like kill -9: no shutdown hooks, no
 * rollback sent, sockets dropped) after the N-th step of the list, whether it ran or was already done;
 * {@code -Duuidmig.fault.haltAfter="STEP"} or {@code "STEP TARGET"} halts after the step of that id (and target, as
 * the log names it: {@code "rollback_triggers chat_messages"}, {@code "verify user_roles"}), run or already done:
 * a point named so stays put when steps are added before it, which numbered points do not;
 * {@code -Duuidmig.fault.haltAfterBatches=N} halts after N committed backfill batches;
 * {@code -Duuidmig.fault.haltInSwap=true} halts inside the swap transaction, after all its statements, before COMMIT;
 * {@code -Duuidmig.fault.haltAfterSwapCommit=true} halts right after the swap's COMMIT, before the ledger totals are recorded.
 * Besides halting, a test can pause the run at a named point until it has done something meanwhile: {@link PausePoints}.
 */
public final class FaultInjection {
    private static final int HALT_AFTER_STEPS = Integer.getInteger("uuidmig.fault.haltAfterSteps", -1);
    private static final String HALT_AFTER = System.getProperty("uuidmig.fault.haltAfter");
    private static final int HALT_AFTER_BATCHES = Integer.getInteger("uuidmig.fault.haltAfterBatches", -1);
    private static final boolean HALT_IN_SWAP = Boolean.getBoolean("uuidmig.fault.haltInSwap");
    private static final boolean HALT_AFTER_SWAP_COMMIT = Boolean.getBoolean("uuidmig.fault.haltAfterSwapCommit");
    private static int steps;
    private static int batches;

    private FaultInjection() {
    }

    /** After a step, run or found done; {@code name} is its id, and its target after a space when it has one. */
    public static synchronized void stepDone(String name) {
        if (HALT_AFTER_STEPS >= 0 && ++steps >= HALT_AFTER_STEPS) {
            Runtime.getRuntime().halt(137);
        }
        if (HALT_AFTER != null && (name.equals(HALT_AFTER) || name.startsWith(HALT_AFTER + " ") && !HALT_AFTER.contains(" "))) {
            Runtime.getRuntime().halt(137);
        }
    }

    public static void inSwapBeforeCommit() {
        if (HALT_IN_SWAP) {
            Runtime.getRuntime().halt(137);
        }
    }

    public static void afterSwapCommit() {
        if (HALT_AFTER_SWAP_COMMIT) {
            Runtime.getRuntime().halt(137);
        }
    }

    public static synchronized void batchDone() {
        if (HALT_AFTER_BATCHES >= 0 && ++batches >= HALT_AFTER_BATCHES) {
            Runtime.getRuntime().halt(137);
        }
    }

    static void beforeStep(MigrationStep step) {
        if (PausePoints.armed()) {
            PausePoints.reached("before " + step.id(), step.target());
        }
    }

    static void afterStep(MigrationStep step) {
        if (PausePoints.armed()) {
            PausePoints.reached("after " + step.id(), step.target());
        }
    }

    /** A thread starts waiting on the run's live control (paused, swap held, beyond jobs): {@code what} is what waits. */
    static void controlWait(String what) {
        if (PausePoints.armed()) {
            PausePoints.reached("control wait", what);
        }
    }

    public static void batchCommitted(Object column) {
        if (PausePoints.armed()) {
            PausePoints.reached("batch", column.toString());
        }
    }
}
