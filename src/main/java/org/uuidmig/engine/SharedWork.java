package org.uuidmig.engine;

import java.sql.SQLException;

/**
 * The work of one running step that helpers may share: a split backfill's key ranges (steps.BackfillRanges). The step
 * offers it with {@link RunControl#share}; while every table has its worker and {@code --jobs} leaves room, the
 * dispatcher claims a part and starts a helper with it on a connection of its own.
 */
public interface SharedWork {
    /** A part of the work, claimed for one worker at a time. */
    interface Part {
    }

    /** What the work is of (table.column), for the log. */
    String name();

    /** Whether a helper would find a part to take now. */
    boolean wantsHelp();

    /** The next part for a helper, or null when none is left to take. */
    Part claim();

    /** A part claimed for a helper that could not start: back to the parts to do. */
    void giveBack(Part p);

    /**
     * A helper's run on {@code ctx}'s connection: {@code first}, then further parts, until none is left to take or the
     * run's jobs leave it no room.
     */
    void help(StepContext ctx, Part first) throws SQLException;
}
