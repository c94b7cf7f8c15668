package org.uuidmig.steps;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.catalog.Catalog;
import org.uuidmig.db.Sql;
import org.uuidmig.engine.FaultInjection;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.StateStore;
import org.uuidmig.engine.StepContext;
import org.uuidmig.engine.StepIds;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.sql.MigrationSql;
import org.uuidmig.sql.TempNames;

/**
 * The swap, in either {@link Direction} (backward: rollback's swap back, with the columns as {@link Reverse} gives
 * them), in one short transaction for the given tables (see {@link SwapTransaction}): locks the blue-green window's
 * views (forward, when open), users and then each table in name order, within one lock budget; then, in one round
 * trip, checks the triggers and re-checks recorded rows ({@link #underLocks}), drops the views, records the
 * statistics counters (forward), drops the sync and ledger triggers, drops the old column
 * (its FK and indexes go with it), renames the shadow column to the old name, sets NOT NULL
 * (instant: the validated check proves it), renames the new indexes and FK to the original
 * names, re-attaches PRIMARY KEY and UNIQUE constraints USING INDEX, restores the comment and
 * column grants, and stamps alembic_version. After the commit it sums the (now frozen) ledger.
 * Lock: ACCESS EXCLUSIVE on users and the tables, for catalog work only; a failed attempt gives
 * up within --swap-lock-wait and the whole transaction is retried with growing sleeps; when the
 * schedule runs out, it gives up cleanly (exit 4) and a rerun continues from here.
 * Done when: no table in it still has a shadow column and every column has the direction's type.
 */
final class SwapStep implements MigrationStep {
    private final Direction direction;
    private final List<String> tables;

    SwapStep(Direction direction, List<String> tables) {
        this.direction = direction;
        this.tables = tables.stream().sorted().toList();
    }

    @Override
    public String id() {
        return direction.swapId;
    }

    @Override
    public String target() {
        return String.join(", ", tables);
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        for (String t : tables) {
            if (!swapped(ctx.conn(), ctx, t)) {
                return false;
            }
        }
        return true;
    }

    private boolean swapped(Connection c, StepContext ctx, String table) throws SQLException {
        for (PlannedColumn col : ctx.columnsOf(table)) {
            if (Catalog.columnExists(c, ctx.schema(), table, TempNames.shadowColumn(col.ref().column()))
                || !direction.arrived(Catalog.columnType(c, ctx.schema(), table, col.ref().column()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * From the state now: for the tables not swapped yet, the re-check of recorded rows before the locks (one short
     * transaction per column), then the transaction (the window's views locked first when it is open), then, forward,
     * the ledger's totals after the commit.
     */
    @Override
    public List<PlannedStatement> statements(StepContext ctx) throws SQLException {
        StateStore.CreatedObject window = BlueGreenWindow.recorded(ctx.conn(), ctx.schema());
        List<String> pending = SwapTransaction.pending(ctx.conn(), tables, (c, t) -> swapped(c, ctx, t));
        List<PlannedStatement> out = new ArrayList<>();
        if (pending.isEmpty()) {
            return out;
        }
        for (String sql : CheckTriggers.recheck(ctx, pending)) {
            out.add(PlannedStatement.once(sql, "row locks of the rows it fixes", "before the locks, one short transaction each"));
        }
        out.addAll(SwapTransaction.plan(ctx, SwapTransaction.locks(ctx, BlueGreenWindow.lockViews(window, pending), pending),
            lockedStatements(ctx, window, pending, SwapTransaction.stamp(ctx.conn(), ctx))));
        if (direction == Direction.FORWARD) {
            out.add(PlannedStatement.once(ledgerTotals(ctx.schema()), "none on application tables",
                "after the commit: the ledger of a swapped table no longer changes"));
        }
        return out;
    }

    /** The alembic_version stamp of the swap: from the direction's first revision to its second. */
    String alembicStamp(StepContext ctx) {
        return "UPDATE " + Sql.qualified(ctx.schema(), "alembic_version") + " SET version_num = '" + direction.alembicTo
            + "' WHERE version_num = '" + direction.alembicFrom + "'";
    }

    /** What the swap does to one column under its locks; without the FK rename where the direction restores none. */
    List<String> swapColumn(StepContext ctx, PlannedColumn col) {
        return MigrationSql.swapColumn(ctx.schema(), col, col.userForeignKey(ctx.users()), direction.restoresForeignKey(col));
    }

    /** Everything the swap does while it holds the locks, for the given tables. */
    private List<String> lockedStatements(StepContext ctx, StateStore.CreatedObject window, List<String> pending, boolean stamp) {
        List<String> out = new ArrayList<>(underLocks(ctx, pending));
        out.addAll(BlueGreenWindow.closeStatements(ctx.schema(), window, pending));
        for (String t : pending) {
            if (direction == Direction.FORWARD) {
                out.add(recordStatistics(ctx.schema(), t));
            }
            out.addAll(MigrationSql.dropLedgerTriggers(ctx.schema(), t));
            for (PlannedColumn col : ctx.columnsOf(t)) {
                out.addAll(swapColumn(ctx, col));
                out.add(StateStore.setStepSql(ctx.schema(), t, col.ref().column(), StepIds.SWAP));
            }
            if (direction == Direction.BACKWARD) {
                out.add("UPDATE uuidmig.tables SET swapped_at = now() WHERE table_schema = " + Sql.literal(ctx.schema())
                    + " AND table_name = " + Sql.literal(t));
            }
        }
        if (stamp) {
            out.add(alembicStamp(ctx));
        }
        return out;
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        ctx.control().beforeSwap(ctx, direction.swapWhat + " of " + target()); // uuidmig hold-swap: waits here, holding no lock
        requireExpanded(ctx);
        StateStore.CreatedObject window = BlueGreenWindow.recorded(ctx.conn(), ctx.schema());
        if (window != null && direction == Direction.FORWARD) {
            requireBlueRetired(ctx, window);
        }
        try {
            recheckBeforeLocks(ctx, SwapTransaction.pending(ctx.conn(), tables, (c, t) -> swapped(c, ctx, t)));
            SwapTransaction.run(ctx, direction.swapLabel + " " + target(), tables, (c, t) -> swapped(c, ctx, t),
                pending -> BlueGreenWindow.lockViews(window, pending),
                (pending, stamp) -> lockedStatements(ctx, window, pending, stamp));
        } catch (SQLException e) {
            throw rowsStillWrong(ctx, tables, triggersNotFiring(ctx, tables, e, direction.swapWhat, direction.rerun),
                direction.swapWhat, direction.rerun);
        }
        if (direction == Direction.FORWARD) {
            FaultInjection.afterSwapCommit();
            recordLedgerTotals(ctx.conn(), ctx.schema());
        }
    }

    /**
     * The statistics counters at the swap, so validate-post can tell later writes from losses. Recorded inside
     * the swap transaction, while its ACCESS EXCLUSIVE lock keeps every writer out: an insert counted here is one
     * the ledger (end_rows) has counted too. Read after the commit, they could already include the application's
     * first inserts after the swap, which end_rows does not, and validate-post would then call those rows
     * unexplained. (Counters the server has not flushed yet only make the later allowance larger.)
     */
    private static String recordStatistics(String schema, String t) {
        return "UPDATE uuidmig.tables m SET swapped_at = now(), stat_ins_at_end = s.n_tup_ins, stat_del_at_end = s.n_tup_del"
            + " FROM pg_catalog.pg_stat_user_tables s WHERE s.relid = " + Sql.literal(Sql.qualified(schema, t)) + "::regclass"
            + " AND m.table_schema = " + Sql.literal(schema) + " AND m.table_name = " + Sql.literal(t);
    }

    static String ledgerTotals(String schema) {
        return """
            UPDATE uuidmig.tables m SET ledger_inserted = l.ins, ledger_deleted = l.del, end_rows = m.base_rows + l.ins - l.del
              FROM (SELECT t.table_schema, t.table_name, coalesce(sum(r.inserted), 0) AS ins, coalesce(sum(r.deleted), 0) AS del
                      FROM uuidmig.tables t LEFT JOIN uuidmig.row_ledger r USING (table_schema, table_name)
                     WHERE t.swapped_at IS NOT NULL AND t.end_rows IS NULL
                     GROUP BY t.table_schema, t.table_name) l
             WHERE m.table_schema = l.table_schema AND m.table_name = l.table_name AND m.table_schema = """ + Sql.literal(schema);
    }

    /**
     * Sums the ledger of every swapped table whose row count at the swap is not recorded yet. The swap dropped
     * the table's ledger triggers in the transaction that took its ACCESS EXCLUSIVE lock, which waited for
     * every writer before it; so after the commit that table's ledger is complete and frozen, and summing it
     * here, outside the lock window, gives exactly what summing it inside would have. (Summing nine unindexed
     * ledgers while holding the locks was the longest part of the application's stall.) If uuidmig stops
     * between the commit and this, the clean-up step does it.
     */
    static void recordLedgerTotals(Connection c, String schema) throws SQLException {
        Catalog.exec(c, ledgerTotals(schema));
    }

    /**
     * What the swap (and the swap back) does first under its locks, before it changes anything: checks that every
     * sync, ledger and check trigger of the pending tables fires ALWAYS; re-checks the rows the check triggers
     * recorded, fixing those it can; fires the deferred triggers that queued; and fails unless no recorded row is
     * left. So the swap commits only when every row is right as it is at that moment.
     */
    static List<String> underLocks(StepContext ctx, List<String> pending) {
        List<String> out = new ArrayList<>();
        out.add(requireTriggers(ctx, pending));
        out.addAll(CheckTriggers.recheck(ctx, pending));
        out.add(MigrationSql.FIRE_DEFERRED);
        out.add(MigrationSql.requireRechecked(ctx.schema(), pending));
        return out;
    }

    /** Every sync, ledger and check trigger of the pending tables fires ALWAYS. */
    static String requireTriggers(StepContext ctx, List<String> pending) {
        List<String[]> triggers = new ArrayList<>();
        for (String t : pending) {
            triggers.addAll(ExpandStep.triggersOf(t, ctx.columnsOf(t)));
            triggers.addAll(CheckTriggers.of(t, ctx.columnsOf(t)));
        }
        return MigrationSql.requireTriggersFireAlways(ctx.schema(), triggers);
    }

    /**
     * Before taking the swap's locks, re-checks (and fixes where it can) the rows the check triggers recorded for the
     * tables not swapped yet, each column in a short transaction of its own, so that little is left for the locks.
     */
    static void recheckBeforeLocks(StepContext ctx, List<String> pending) throws SQLException {
        for (String t : pending) {
            for (String sql : CheckTriggers.recheck(ctx, List.of(t))) {
                ctx.blocking().inTransaction(ctx.conn(), "re-check recorded rows of " + t, c -> Catalog.exec(c, sql));
            }
        }
    }

    /**
     * When the swap stopped because recorded rows are still wrong under its locks ({@link MigrationSql#ROWS_STILL_WRONG};
     * nothing was changed), exit 4 naming them. Any other error is returned as is.
     */
    static SQLException rowsStillWrong(StepContext ctx, List<String> tables, SQLException e, String what, String rerun)
        throws SQLException {
        if (!MigrationSql.ROWS_STILL_WRONG.equals(e.getSQLState())) {
            return e;
        }
        List<String> rows = StateStore.recheckPending(ctx.conn(), ctx.schema(), tables, 20);
        throw new UuidmigException(ExitCode.INCOMPLETE, what + " of " + String.join(", ", tables) + " did not go ahead, nothing "
            + "was changed: these rows were written after the verification with a value that maps to no "
            + ctx.users().name() + "." + ctx.users().targetKey() + " (an integer with no user, written while foreign keys were not "
            + "checked, e.g. under session_replication_role = replica), or an application trigger changed them again: "
            + String.join("; ", rows) + ". Give them an existing user (or NULL where allowed), then rerun " + rerun, e);
    }

    /**
     * When the swap (or swap back) stopped because a trigger of uuidmig was disabled, missing or not firing ALWAYS
     * ({@link MigrationSql#requireTriggersFireAlways}; nothing was changed: the transaction rolled back), writes may
     * have passed it unsynced or uncounted. Marks the tables whose triggers are not ready as needing a new count and
     * verification (all of them, if none is found any more) and returns exit 4: the rerun's expand step makes the
     * triggers fire ALWAYS again, and count and verify run again before any swap. Any other error is returned as is.
     */
    static SQLException triggersNotFiring(StepContext ctx, List<String> tables, SQLException e, String what, String rerun)
        throws SQLException {
        if (!MigrationSql.TRIGGERS_NOT_ALWAYS.equals(e.getSQLState())) {
            return e;
        }
        List<String> bad = new ArrayList<>();
        for (String t : tables) {
            if (!ExpandStep.triggersReady(ctx, t, ctx.columnsOf(t))) {
                bad.add(t);
            }
        }
        List<String> reset = bad.isEmpty() ? tables : bad;
        for (String t : reset) {
            try (var ps = ctx.conn().prepareStatement("""
                UPDATE uuidmig.tables SET verified_at = NULL, verified_rows = NULL, mismatches = NULL, base_rows = NULL,
                       counted_at = NULL WHERE table_schema = ? AND table_name = ?""")) {
                ps.setString(1, ctx.schema());
                ps.setString(2, t);
                ps.executeUpdate();
            }
        }
        String msg = e.getMessage() == null ? "" : e.getMessage().replaceFirst("^ERROR: ", "").replaceAll("\\s*Where: .*$", "");
        throw new UuidmigException(ExitCode.INCOMPLETE, what + " of " + String.join(", ", reset) + " did not go ahead, nothing "
            + "was changed: " + msg + ". Writes made meanwhile may have bypassed the new column or the row ledger, so "
            + String.join(", ", reset) + " will be counted and verified again. Rerun " + rerun
            + ": it makes uuidmig's triggers fire ALWAYS again (ENABLE ALWAYS TRIGGER) and verifies before swapping", e);
    }

    /**
     * With the blue-green window open, refuses (exit 1, nothing changed) while the integer application (blue) still
     * writes: a write through the integer path less than --blue-quiet ago, per table, naming the writers. After
     * the swap every such write would fail. --force goes ahead anyway.
     */
    private static void requireBlueRetired(StepContext ctx, StateStore.CreatedObject window) throws SQLException {
        var w = ctx.settings().run().window();
        List<String> recent = BlueGreenWindow.recentBlueWrites(ctx.conn(), ctx.schema(), w.blueQuiet());
        if (recent.isEmpty()) {
            return;
        }
        if (w.force()) {
            org.slf4j.LoggerFactory.getLogger(SwapStep.class).warn("contract with --force although blue still writes integers: {}",
                String.join("; ", recent));
            return;
        }
        throw new UuidmigException(ExitCode.CHECKS_FAILED, "contract refused: the integer application (blue) still writes "
            + "through the integer columns, and each of those writes would fail after the swap: " + String.join("; ", recent)
            + ". Retire blue (every instance still using search_path " + ctx.schema() + " without " + window.name()
            + "), wait " + w.blueQuiet().toMillis() / 1000.0 + " s (--blue-quiet), then rerun uuidmig migrate --phase contract; "
            + "--force swaps anyway");
    }

    /** Refuses the swap unless the expand phase has finished for every table in it. */
    private void requireExpanded(StepContext ctx) throws SQLException {
        List<String> missing = new ArrayList<>();
        for (String t : tables) {
            if (swapped(ctx.conn(), ctx, t)) {
                continue;
            }
            boolean verified = Catalog.exists(ctx.conn(), """
                SELECT 1 FROM uuidmig.tables WHERE table_schema = ? AND table_name = ? AND verified_at IS NOT NULL AND mismatches = 0""",
                ctx.schema(), t);
            for (PlannedColumn col : ctx.columnsOf(t)) {
                boolean fk = !direction.addsForeignKey(col)
                    || Boolean.TRUE.equals(Catalog.constraintValidated(ctx.conn(), ctx.schema(), t, TempNames.foreignKey(col.ref().column())));
                boolean nn = !col.notNull()
                    || Boolean.TRUE.equals(Catalog.constraintValidated(ctx.conn(), ctx.schema(), t, TempNames.notNullCheck(col.ref().column())));
                if (!verified || !fk || !nn) {
                    missing.add(col.ref().toString());
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new UuidmigException(direction.notExpandedExit, direction == Direction.FORWARD
                ? "cannot swap: the expand phase has not finished for " + String.join(", ", missing)
                    + "; run uuidmig migrate --phase expand (or plain uuidmig migrate) first"
                : "cannot swap back: the reverse expand phase has not finished for " + String.join(", ", missing) + "; rerun uuidmig rollback");
        }
    }
}
