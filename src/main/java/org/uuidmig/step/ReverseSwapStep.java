package org.uuidmig.step;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.check.PreChecks;
import org.uuidmig.db.Sql;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.sql.MigrationSql;
import org.uuidmig.sql.TempNames;

/**
 * Rollback after the swap, the swap back, in one short transaction for every table: locks
 * users and then each table in name order, drops the sync and ledger triggers, drops the uuid
 * column (its FK to users(uuid) and its indexes go with it), renames the integer shadow column
 * to the column's name, sets NOT NULL (instant: a validated check proves it), re-attaches PRIMARY
 * KEY / UNIQUE constraints USING INDEX and renames the other index copies and the FK to their
 * original names, restores the comment and column grants, and stamps alembic_version back to
 * add_uuid_refresh_sessions. Built from {@link MigrationSql#swapColumn} with the reverse columns.
 * Lock: ACCESS EXCLUSIVE on users and the tables, catalog work only, the same transaction shape
 * as the swap ({@link SwapTransaction}), retried with growing sleeps. Done when: no column is uuid, no shadow column.
 */
final class ReverseSwapStep implements MigrationStep {
    private final List<String> tables;

    ReverseSwapStep(List<String> tables) {
        this.tables = tables.stream().sorted().toList();
    }

    @Override
    public String id() {
        return RollbackSteps.SWAP;
    }

    @Override
    public String target() {
        return String.join(", ", tables);
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        for (String t : tables) {
            if (!swappedBack(ctx.conn(), ctx, t)) {
                return false;
            }
        }
        return true;
    }

    private static boolean swappedBack(Connection c, StepContext ctx, String table) throws SQLException {
        for (PlannedColumn col : ctx.columnsOf(table)) {
            if (Catalog.columnExists(c, ctx.schema(), table, TempNames.shadowColumn(col.ref().column()))
                || "uuid".equals(Catalog.columnType(c, ctx.schema(), table, col.ref().column()))) {
                return false;
            }
        }
        return true;
    }

    /** The forward swap's statements for the reverse column; without an original FK, the FK rename is left out (none is restored). */
    static List<String> swapColumn(StepContext ctx, PlannedColumn col) {
        List<String> out = new ArrayList<>(MigrationSql.swapColumn(ctx.schema(), col, col.userForeignKey(ctx.users())));
        if (!Reverse.hasForeignKey(col)) {
            String rename = " RENAME CONSTRAINT " + Sql.ident(TempNames.foreignKey(col.ref().column())) + " TO ";
            out.removeIf(s -> s.contains(rename));
        }
        return out;
    }

    static String alembicStamp(StepContext ctx) {
        return "UPDATE " + Sql.qualified(ctx.schema(), "alembic_version") + " SET version_num = '" + PreChecks.ALEMBIC_BEFORE
            + "' WHERE version_num = '" + PreChecks.ALEMBIC_AFTER + "'";
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) {
        return SwapTransaction.plan(ctx, tables, (pending, stamp) -> lockedStatements(ctx, pending, stamp));
    }

    /** Everything the swap back does while it holds the locks, for the given tables. */
    private static List<String> lockedStatements(StepContext ctx, List<String> pending, boolean stamp) {
        List<String> out = new ArrayList<>(SwapStep.underLocks(ctx, pending));
        for (String t : pending) {
            out.addAll(MigrationSql.dropLedgerTriggers(ctx.schema(), t));
            for (PlannedColumn col : ctx.columnsOf(t)) {
                out.addAll(swapColumn(ctx, col));
                out.add(StateStore.setStepSql(ctx.schema(), t, col.ref().column(), Steps.SWAP));
            }
            out.add("UPDATE uuidmig.tables SET swapped_at = now() WHERE table_schema = " + Sql.literal(ctx.schema())
                + " AND table_name = " + Sql.literal(t));
        }
        if (stamp) {
            out.add(alembicStamp(ctx));
        }
        return out;
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        ctx.control().beforeSwap(ctx, "the swap back of " + target()); // uuidmig hold-swap: waits here, holding no lock
        requireExpanded(ctx);
        try {
            SwapStep.recheckBeforeLocks(ctx, tables, (c, t) -> swappedBack(c, ctx, t));
            SwapTransaction.run(ctx, "swap back " + target(), tables, (c, t) -> swappedBack(c, ctx, t),
                (pending, stamp) -> lockedStatements(ctx, pending, stamp));
        } catch (SQLException e) {
            throw SwapStep.rowsStillWrong(ctx, tables, SwapStep.triggersNotFiring(ctx, tables, e, "the swap back", "uuidmig rollback"),
                "the swap back", "uuidmig rollback");
        }
    }

    /** Refuses the swap back unless every table's reverse expand phase finished and verified. */
    private void requireExpanded(StepContext ctx) throws SQLException {
        List<String> missing = new ArrayList<>();
        for (String t : tables) {
            if (swappedBack(ctx.conn(), ctx, t)) {
                continue;
            }
            boolean verified = Catalog.exists(ctx.conn(), """
                SELECT 1 FROM uuidmig.tables WHERE table_schema = ? AND table_name = ? AND verified_at IS NOT NULL AND mismatches = 0""",
                ctx.schema(), t);
            for (PlannedColumn col : ctx.columnsOf(t)) {
                boolean fk = !Reverse.hasForeignKey(col)
                    || Boolean.TRUE.equals(Catalog.constraintValidated(ctx.conn(), ctx.schema(), t, TempNames.foreignKey(col.ref().column())));
                boolean nn = !col.notNull()
                    || Boolean.TRUE.equals(Catalog.constraintValidated(ctx.conn(), ctx.schema(), t, TempNames.notNullCheck(col.ref().column())));
                if (!verified || !fk || !nn) {
                    missing.add(col.ref().toString());
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new UuidmigException(ExitCode.INCOMPLETE, "cannot swap back: the reverse expand phase has not finished for "
                + String.join(", ", missing) + "; rerun uuidmig rollback");
        }
    }
}
