package org.uuidmig.engine;


/**
 * Crash points for the kill-and-resume tests, off unless a system property sets them. Each halts the JVM (like
 * kill -9: no shutdown hooks, no rollback sent, sockets dropped). Steps are named by id and target, as the log and
 * {@link StepPlan#names()} name them ({@code "rollback_triggers chat_messages"}, {@code "verify user_roles"}), so a
 * point stays put when steps are added elsewhere:
 * {@code -Duuidmig.fault.haltAfter="STEP"} or {@code "STEP TARGET"} halts after the step of that id (any target, the
 * first to end) or of that id and target, run or already done;
 * {@code -Duuidmig.fault.haltBefore="STEP"} or {@code "STEP TARGET"} halts just before such a step that is not done
 * starts, so after every step before it (also those of a stage that ran tables side by side);
 * {@code -Duuidmig.fault.haltAfterBatches=N} halts after N committed backfill batches;
 * {@code -Duuidmig.fault.haltInSwap=true} halts inside the swap transaction, after all its statements, before COMMIT;
 * {@code -Duuidmig.fault.haltAfterSwapCommit=true} halts right after the swap's COMMIT, before the ledger totals are recorded.
 * Besides halting, a test can pause the run at a named point until it has done something meanwhile: {@link PausePoints}.
 */
public final class FaultInjection {
    private static final String HALT_AFTER = System.getProperty("uuidmig.fault.haltAfter");
    private static final String HALT_BEFORE = System.getProperty("uuidmig.fault.haltBefore");
    private static final int HALT_AFTER_BATCHES = Integer.getInteger("uuidmig.fault.haltAfterBatches", -1);
    private static final boolean HALT_IN_SWAP = Boolean.getBoolean("uuidmig.fault.haltInSwap");
    private static final boolean HALT_AFTER_SWAP_COMMIT = Boolean.getBoolean("uuidmig.fault.haltAfterSwapCommit");
    private static int batches;

    private FaultInjection() {
    }

    /** After a step, run or found done; {@code name} is its id, and its target after a space when it has one. */
    public static synchronized void stepDone(String name) {
        if (names(HALT_AFTER, name)) {
            Runtime.getRuntime().halt(137);
        }
    }

    /** Before a step that is not done starts; {@code name} as for {@link #stepDone}. */
    static synchronized void stepStarting(String name) {
        if (names(HALT_BEFORE, name)) {
            Runtime.getRuntime().halt(137);
        }
    }

    /** Whether the point names the step: its id and target, or (a point without a space) its id alone. */
    private static boolean names(String point, String name) {
        return point != null && (name.equals(point) || !point.contains(" ") && name.startsWith(point + " "));
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
