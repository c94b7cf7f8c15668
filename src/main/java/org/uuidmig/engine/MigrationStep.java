package org.uuidmig.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import org.uuidmig.catalog.Catalog;

/**
 * One small, idempotent piece of the migration. A step knows from the catalog (or the state
 * schema) whether it has already run, and lists the statements it sends: {@link #statements} builds them, each with
 * its lock, from the same code {@link #run} sends them with, so --dry-run prints what a run sends from the same
 * state (DryRunEqualsRunIT records what each step sends and holds it to that).
 */
public interface MigrationStep {
    /** Stable step id, e.g. "backfill", recorded in uuidmig.columns.step. */
    String id();

    /** What it works on, e.g. "chat_messages.sender_id"; "" for global steps. */
    String target();

    boolean isDone(StepContext ctx) throws SQLException;

    /**
     * The statements {@link #run} sends from the database's state now, in order, with the lock each takes (for
     * --dry-run and the docs). Reads the catalog where what the step sends depends on it (a trigger already there is
     * not created again). Besides these a step sends only reads of the catalog and of uuidmig's state, writes to
     * uuidmig's state tables, lock_timeout settings and transaction control.
     */
    List<PlannedStatement> statements(StepContext ctx) throws SQLException;

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

    /**
     * A statement, the lock it takes, and how the run sends it.
     *
     * @param sql   exactly the text the run sends
     * @param lock  the lock it takes, as --dry-run shows it
     * @param note  what --dry-run adds after it as a comment (when or how often it is sent, why), or null
     * @param sent  how often the run sends it
     */
    record PlannedStatement(String sql, String lock, String note, Sent sent) {
        /** Sends each statement, in order, on {@code c} (the statements a step's dry run prints). */
        public static void send(Connection c, List<PlannedStatement> statements) throws SQLException {
            for (PlannedStatement s : statements) {
                Catalog.exec(c, s.sql());
            }
        }

        /** A statement sent once, with no note. */
        public PlannedStatement(String sql, String lock) {
            this(sql, lock, null, Sent.ONCE);
        }

        /** Sent once, with a note. */
        public static PlannedStatement once(String sql, String lock, String note) {
            return new PlannedStatement(sql, lock, note, Sent.ONCE);
        }

        /** Sent at most once, only when what the note says holds, which only the run can tell. */
        public static PlannedStatement when(String sql, String lock, String note) {
            return new PlannedStatement(sql, lock, note, Sent.WHEN);
        }

        /** Sent any number of times (once per batch, range, ...; the note says), with bound parameters. */
        public static PlannedStatement repeated(String sql, String lock, String note) {
            return new PlannedStatement(sql, lock, note, Sent.REPEATED);
        }
    }

    /** How often a run sends a planned statement. */
    enum Sent {
        /** Exactly once, in its place. */
        ONCE,
        /** At most once, in its place, when a condition holds that only the run can tell (its note names it). */
        WHEN,
        /**
         * Any number of times, with bound parameters, in a loop (per batch, per range of pages): statements marked so
         * that follow one another form one loop, whose statements the run may send in any order and number.
         */
        REPEATED
    }
}
