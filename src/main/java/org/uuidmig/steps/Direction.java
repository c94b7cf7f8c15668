package org.uuidmig.steps;

import org.uuidmig.ExitCode;
import org.uuidmig.config.Alembic;
import org.uuidmig.engine.StepIds;
import org.uuidmig.plan.PlannedColumn;

/**
 * Which way a run moves the columns: {@link #FORWARD} (migrate: integer to uuid) or {@link #BACKWARD} (rollback after
 * the swap: uuid back to the original integer type). It carries everything the shared steps ({@link ExpandStep},
 * {@link SwapStep}) do differently, so that rollback is the forward plan run the other way, with no copied class and
 * no edited SQL. What the SQL itself needs (which key is looked up from which) comes with the users table: the
 * backward run uses {@link Reverse#users}, whose source key is uuid and target key id.
 */
public enum Direction {
    FORWARD(StepIds.EXPAND, StepIds.SWAP, "expand", "the swap", "swap", ExitCode.CHECKS_FAILED,
        "uuidmig migrate (plain, or --phase expand and then --phase contract)", Alembic.BEFORE, Alembic.AFTER),
    BACKWARD(RollbackSteps.EXPAND, RollbackSteps.SWAP, "rollback expand", "the swap back", "swap back", ExitCode.INCOMPLETE,
        "uuidmig rollback", Alembic.AFTER, Alembic.BEFORE);

    /** Step ids: how the runner, the logs, the events and the pause points name the step. */
    final String expandId;
    final String swapId;
    /** For logs and messages. */
    final String expandLabel;
    final String swapWhat;
    final String swapLabel;
    /** The exit code when the swap finds the expand phase unfinished. */
    final int notExpandedExit;
    /** What to rerun, in messages. */
    final String rerun;
    /** The alembic_version the swap replaces, and the one it sets. */
    final String alembicFrom;
    final String alembicTo;

    Direction(String expandId, String swapId, String expandLabel, String swapWhat, String swapLabel, int notExpandedExit, String rerun,
              String alembicFrom, String alembicTo) {
        this.expandId = expandId;
        this.swapId = swapId;
        this.expandLabel = expandLabel;
        this.swapWhat = swapWhat;
        this.swapLabel = swapLabel;
        this.notExpandedExit = notExpandedExit;
        this.rerun = rerun;
        this.alembicFrom = alembicFrom;
        this.alembicTo = alembicTo;
    }

    /** The type of the shadow column: uuid forward, the column's original type backward. */
    String shadowType(PlannedColumn col) {
        return this == FORWARD ? "uuid" : col.type();
    }

    /** Whether a column of this type is already where this direction takes it (uuid forward, not uuid backward). */
    boolean arrived(String currentType) {
        return "uuid".equals(currentType) == (this == FORWARD);
    }

    /**
     * Whether the swap renames the new foreign key to the column's FK name: forward always (a column without an FK
     * gets one, named as PostgreSQL would), backward only where the original column had one (else none was added).
     */
    boolean restoresForeignKey(PlannedColumn col) {
        return this == FORWARD || Reverse.hasForeignKey(col);
    }

    /** Whether the expand phase adds a new foreign key for the column (see {@link #restoresForeignKey}). */
    boolean addsForeignKey(PlannedColumn col) {
        return restoresForeignKey(col);
    }
}
