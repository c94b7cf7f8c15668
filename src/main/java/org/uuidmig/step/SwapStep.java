package org.uuidmig.step;

import java.sql.Connection;
import java.sql.PreparedStatement;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.check.PreChecks;
import org.uuidmig.db.Sql;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.sql.MigrationSql;
import org.uuidmig.sql.TempNames;

/**
 * The swap, in one short transaction for the given tables: locks users and then each table
 * (in name order, parents before children, so it cannot deadlock with the application), drops
 * the sync and ledger triggers, drops the integer column (its FK and indexes go with it),
 * renames the uuid column to the old name, sets NOT NULL (instant: the validated check proves
 * it), renames the new indexes and FK to the original names, re-attaches PRIMARY KEY and UNIQUE
 * constraints USING INDEX, restores the comment and column grants, and stamps alembic_version.
 * Lock: ACCESS EXCLUSIVE on users and the tables, for catalog work only; every lock request is
 * under lock_timeout and the whole transaction is retried with growing sleeps; when the
 * schedule runs out, it gives up cleanly (exit 4) and a rerun continues from here.
 * Done when: no table in it still has a shadow column and every column is uuid.
 */
final class SwapStep implements MigrationStep {
    private static final Logger LOG = LoggerFactory.getLogger(SwapStep.class);

    private final List<String> tables;

    SwapStep(List<String> tables) {
        this.tables = tables.stream().sorted().toList();
    }

    @Override
    public String id() {
        return Steps.SWAP;
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

    private static boolean swapped(Connection c, StepContext ctx, String table) throws SQLException {
        for (PlannedColumn col : ctx.columnsOf(table)) {
            if (Catalog.columnExists(c, ctx.schema(), table, TempNames.shadowColumn(col.ref().column()))
                || !"uuid".equals(Catalog.columnType(c, ctx.schema(), table, col.ref().column()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) {
        List<PlannedStatement> out = new ArrayList<>();
        out.add(new PlannedStatement("BEGIN  -- every LOCK below runs with SET LOCAL lock_timeout = what is left of min(--lock-timeout "
            + ctx.settings().lockTimeout().toMillis() + " ms, 80% of deadlock_timeout) for the whole sequence", "none"));
        out.add(new PlannedStatement(lockUsers(ctx), "ACCESS EXCLUSIVE"));
        for (String t : tables) {
            out.add(new PlannedStatement(lockTable(ctx, t), "ACCESS EXCLUSIVE"));
        }
        for (String t : tables) {
            for (String s : MigrationSql.dropLedgerTriggers(ctx.schema(), t)) {
                out.add(new PlannedStatement(s, "held"));
            }
            for (PlannedColumn col : ctx.columnsOf(t)) {
                for (String s : MigrationSql.swapColumn(ctx.schema(), col, col.userForeignKey(ctx.users()))) {
                    out.add(new PlannedStatement(s, "held"));
                }
            }
        }
        if (ctx.settings().alembicStamp()) {
            out.add(new PlannedStatement(alembicStamp(ctx) + "  -- only where alembic_version exists", "ROW EXCLUSIVE"));
        }
        out.add(new PlannedStatement("COMMIT  -- retried with growing sleeps if a lock is not granted in time", "released"));
        return out;
    }

    static String lockUsers(StepContext ctx) {
        return "LOCK TABLE " + Sql.qualified(ctx.users().schema(), ctx.users().name()) + " IN ACCESS EXCLUSIVE MODE";
    }

    static String lockTable(StepContext ctx, String table) {
        return "LOCK TABLE " + Sql.qualified(ctx.schema(), table) + " IN ACCESS EXCLUSIVE MODE";
    }

    private static String alembicStamp(StepContext ctx) {
        return "UPDATE " + Sql.qualified(ctx.schema(), "alembic_version") + " SET version_num = '" + PreChecks.ALEMBIC_AFTER
            + "' WHERE version_num = '" + PreChecks.ALEMBIC_BEFORE + "'";
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        requireExpanded(ctx);
        long t0 = System.nanoTime();
        ctx.blocking().inTransaction(ctx.conn(), "swap " + target(), c -> {
            LockBudget budget = new LockBudget(c, ctx.settings().lockTimeout());
            budget.lock(lockUsers(ctx));
            for (String t : tables) {
                budget.lock(lockTable(ctx, t));
            }
            for (String t : tables) {
                if (swapped(c, ctx, t)) {
                    continue;
                }
                long[] ledger = CountRowsStep.ledger(c, ctx.schema(), t);
                try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE uuidmig.tables SET end_rows = base_rows + ? - ?, ledger_inserted = ?, ledger_deleted = ?, swapped_at = now()
                     WHERE table_schema = ? AND table_name = ?""")) {
                    ps.setLong(1, ledger[0]);
                    ps.setLong(2, ledger[1]);
                    ps.setLong(3, ledger[0]);
                    ps.setLong(4, ledger[1]);
                    ps.setString(5, ctx.schema());
                    ps.setString(6, t);
                    ps.executeUpdate();
                }
                recordStatistics(c, ctx, t);
                for (String s : MigrationSql.dropLedgerTriggers(ctx.schema(), t)) {
                    Catalog.exec(c, s);
                }
                for (PlannedColumn col : ctx.columnsOf(t)) {
                    for (String s : MigrationSql.swapColumn(ctx.schema(), col, col.userForeignKey(ctx.users()))) {
                        Catalog.exec(c, s);
                    }
                    StateStore.setStep(c, ctx.schema(), t, col.ref().column(), Steps.SWAP);
                }
            }
            if (ctx.settings().alembicStamp() && Catalog.exists(c, "SELECT 1 WHERE to_regclass(?) IS NOT NULL",
                Sql.qualified(ctx.schema(), "alembic_version"))) {
                Catalog.exec(c, alembicStamp(ctx));
            }
            FaultInjection.inSwapBeforeCommit();
        });
        LOG.info("swap {}: done in {} ms", target(), (System.nanoTime() - t0) / 1_000_000);
    }

    /**
     * The swap's locks are taken under one time budget for the whole sequence, below the
     * server's deadlock_timeout. An application transaction that holds a child table and then
     * waits for users (insert, then FK check) closes a cycle with the swap; PostgreSQL breaks it
     * by cancelling whichever waiter runs its deadlock check first, after deadlock_timeout. That
     * waiter started waiting after the swap took its first lock, so if the swap gives up all its
     * lock waits within 80% of deadlock_timeout of that moment, the swap backs off (and retries
     * later) and the application's statement goes on, never the other way round.
     */
    static final class LockBudget {
        private final java.sql.Connection c;
        private final long budgetMs;
        private final long start = System.nanoTime();

        LockBudget(java.sql.Connection c, java.time.Duration lockTimeout) throws SQLException {
            this.c = c;
            long deadlockMs;
            try (var st = c.createStatement();
                 var rs = st.executeQuery("SELECT setting::bigint FROM pg_catalog.pg_settings WHERE name = 'deadlock_timeout'")) {
                rs.next();
                deadlockMs = rs.getLong(1);
            }
            this.budgetMs = Math.max(1, Math.min(lockTimeout.toMillis(), deadlockMs * 8 / 10));
        }

        void lock(String lockStatement) throws SQLException {
            long remaining = budgetMs - (System.nanoTime() - start) / 1_000_000;
            if (remaining < 1) {
                throw new SQLException("lock budget of " + budgetMs + " ms for the swap used up", org.uuidmig.db.SqlState.LOCK_NOT_AVAILABLE);
            }
            Catalog.exec(c, "SET LOCAL lock_timeout = " + remaining);
            Catalog.exec(c, lockStatement);
        }
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
                boolean fk = Boolean.TRUE.equals(Catalog.constraintValidated(ctx.conn(), ctx.schema(), t, TempNames.foreignKey(col.ref().column())));
                boolean nn = !col.notNull()
                    || Boolean.TRUE.equals(Catalog.constraintValidated(ctx.conn(), ctx.schema(), t, TempNames.notNullCheck(col.ref().column())));
                if (!verified || !fk || !nn) {
                    missing.add(col.ref().toString());
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new UuidmigException(ExitCode.CHECKS_FAILED, "cannot swap: the expand phase has not finished for "
                + String.join(", ", missing) + "; run uuidmig migrate --phase expand (or plain uuidmig migrate) first");
        }
    }

    /**
     * The statistics counters at the swap, so validate-post can tell later writes from losses. Read inside the
     * swap transaction, while its ACCESS EXCLUSIVE lock keeps every writer out: an insert counted here is one the
     * ledger (end_rows) has counted too. Read after the commit, they could already include the application's
     * first inserts after the swap, which end_rows does not, and validate-post would then call those rows
     * unexplained. (Counters the server has not flushed yet only make the later allowance larger.)
     */
    private static void recordStatistics(Connection c, StepContext ctx, String t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            UPDATE uuidmig.tables m SET stat_ins_at_end = s.n_tup_ins, stat_del_at_end = s.n_tup_del
              FROM pg_catalog.pg_stat_user_tables s
             WHERE s.relid = ?::regclass AND m.table_schema = ? AND m.table_name = ?""")) {
            ps.setString(1, Sql.qualified(ctx.schema(), t));
            ps.setString(2, ctx.schema());
            ps.setString(3, t);
            ps.executeUpdate();
        }
    }
}
