package org.uuidmig.engine;

import java.sql.SQLException;
import java.util.List;

/**
 * One small, idempotent piece of the migration. A step knows from the catalog (or the state
 * schema) whether it has already run, and can list the statements it would send for --dry-run.
 */
public interface MigrationStep {
    /** Stable step id, e.g. "backfill", recorded in uuidmig.columns.step. */
    String id();

    /** What it works on, e.g. "chat_messages.sender_id"; "" for global steps. */
    String target();

    boolean isDone(StepContext ctx) throws SQLException;

    /** The statements, in order, with the lock each takes (for --dry-run and the docs). */
    List<PlannedStatement> statements(StepContext ctx);

    void run(StepContext ctx) throws SQLException;

    /**
     * Non-null when the step may run at the same time as neighbouring steps of other groups, on a
     * connection of its own (--jobs); steps of one group run one after another. Null: run alone.
     */
    default String parallelGroup() {
        return null;
    }

    /**
     * Whether the step may offer part of its work to helpers while it runs ({@link SharedWork}: a split backfill), so
     * that its stage runs through the worker dispatcher even when it is the stage's only step.
     */
    default boolean sharesWork() {
        return false;
    }

    /** A statement and the lock it takes. */
    record PlannedStatement(String sql, String lock) {
    }
}
