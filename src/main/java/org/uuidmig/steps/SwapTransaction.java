package org.uuidmig.steps;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.uuidmig.catalog.Catalog;
import org.uuidmig.db.LockBudgetExceeded;
import org.uuidmig.db.Sql;
import org.uuidmig.db.SqlState;
import org.uuidmig.engine.FaultInjection;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.StepContext;

/**
 * The transaction of the swap and of the swap back. Everything that can be prepared without
 * locks is: which tables still need it, the statements, whether alembic_version exists. Then it
 * locks users and the tables under one time budget, sends every statement in <b>one</b> round
 * trip and commits. The application therefore waits for at most the budget (a failed attempt
 * gives up within it) plus one round trip of catalog work; the whole attempt is retried with
 * growing sleeps by {@link org.uuidmig.db.LockRetry}.
 */
final class SwapTransaction {
    private static final Logger LOG = LoggerFactory.getLogger(SwapTransaction.class);

    /** Whether a table of the transaction is already done (swapped, or swapped back). */
    @FunctionalInterface
    interface TableDone {
        boolean test(Connection c, String table) throws SQLException;
    }

    /** The statements to send while the locks are held, for the tables still to do, with the alembic stamp or not. */
    @FunctionalInterface
    interface LockedStatements {
        List<String> of(List<String> pending, boolean stamp);
    }

    private SwapTransaction() {
    }

    /**
     * What the transaction sends for the pending tables, as --dry-run prints it: BEGIN, the locks in order, every
     * statement sent (in one round trip) while they are held, COMMIT.
     */
    static List<MigrationStep.PlannedStatement> plan(StepContext ctx, List<String> locks, List<String> locked) {
        List<MigrationStep.PlannedStatement> out = new ArrayList<>();
        out.add(MigrationStep.PlannedStatement.once("BEGIN", "none", budgetDescription(ctx)));
        for (String l : locks) {
            out.add(new MigrationStep.PlannedStatement(l, "ACCESS EXCLUSIVE"));
        }
        for (String s : locked) {
            out.add(new MigrationStep.PlannedStatement(s, "held"));
        }
        out.add(MigrationStep.PlannedStatement.once("COMMIT", "released", "retried with growing sleeps if a lock is not granted in time"));
        return out;
    }

    /** The tables not done yet, as c shows them now. */
    static List<String> pending(Connection c, List<String> tables, TableDone done) throws SQLException {
        List<String> pending = new ArrayList<>();
        for (String t : tables) {
            if (!done.test(c, t)) {
                pending.add(t);
            }
        }
        return pending;
    }

    /** Whether the transaction stamps alembic_version: when asked to, and the table exists (on c now). */
    static boolean stamp(Connection c, StepContext ctx) throws SQLException {
        return ctx.settings().run().alembicStamp()
            && Catalog.exists(c, "SELECT 1 WHERE to_regclass(?) IS NOT NULL", Sql.qualified(ctx.schema(), "alembic_version"));
    }

    /** The locks, in the order taken: {@code first} (the window's views), users, then each pending table. */
    static List<String> locks(StepContext ctx, List<String> first, List<String> pending) {
        List<String> out = new ArrayList<>(first);
        out.add(lockUsers(ctx));
        for (String t : pending) {
            out.add(lockTable(ctx, t));
        }
        return out;
    }

    /**
     * Runs the transaction for the tables not done yet (nothing if all are): finds them and whether
     * alembic_version exists before any table lock (catalog reads only), then locks and sends.
     */
    static void run(StepContext ctx, String what, List<String> tables, TableDone done, LockedStatements locked) throws SQLException {
        run(ctx, what, tables, done, pending -> List.of(), locked);
    }

    /**
     * The same, locking first what {@code firstLocks} names for the pending tables (the blue-green window's views: a
     * statement on a view locks the view and then its table, so the swap must lock them in that order too, or every
     * statement arriving while it holds the table would make its DROP VIEW wait).
     */
    static void run(StepContext ctx, String what, List<String> tables, TableDone done,
                    java.util.function.Function<List<String>, List<String>> firstLocks, LockedStatements locked) throws SQLException {
        boolean[] did = new boolean[1];
        long t0 = System.nanoTime();
        long[] held = new long[1];
        ctx.blocking().inTransaction(ctx.conn(), what, c -> {
            List<String> pending = pending(c, tables, done);
            did[0] = !pending.isEmpty();
            if (!did[0]) {
                return;
            }
            List<String> statements = locked.of(pending, stamp(c, ctx));
            LockBudget budget = new LockBudget(c, ctx.settings().lock().lockTimeout(), ctx.settings().lock().swapLockWait(), "the swap's");
            for (String lock : locks(ctx, firstLocks.apply(pending), pending)) {
                budget.lock(lock);
            }
            held[0] = System.nanoTime();
            Catalog.exec(c, String.join(";\n", statements));
            FaultInjection.inSwapBeforeCommit();
        });
        if (did[0]) {
            long now = System.nanoTime();
            LOG.info("{}: committed; locks held about {} ms, {} ms in all", what, (now - held[0]) / 1_000_000, (now - t0) / 1_000_000);
        }
    }

    static String lockUsers(StepContext ctx) {
        return "LOCK TABLE " + Sql.qualified(ctx.users().schema(), ctx.users().name()) + " IN ACCESS EXCLUSIVE MODE";
    }

    static String lockTable(StepContext ctx, String table) {
        return "LOCK TABLE " + Sql.qualified(ctx.schema(), table) + " IN ACCESS EXCLUSIVE MODE";
    }

    /** How the plan (--dry-run) describes the lock budget. */
    static String budgetDescription(StepContext ctx) {
        return "every LOCK below runs with SET LOCAL lock_timeout = what is left of min(--swap-lock-wait "
            + ctx.settings().lock().swapLockWait().toMillis() + " ms, --lock-timeout " + ctx.settings().lock().lockTimeout().toMillis()
            + " ms, 80% of deadlock_timeout) for the whole sequence; the statements after the locks go in one round trip";
    }

    /**
     * The swap's locks are taken under one time budget for the whole sequence: --swap-lock-wait,
     * capped by --lock-timeout and by 80% of the server's deadlock_timeout. The cap matters for
     * deadlocks: an application transaction that holds a child table and then waits for users
     * (insert, then FK check) closes a cycle with the swap; PostgreSQL breaks it by cancelling
     * whichever waiter runs its deadlock check first, after deadlock_timeout. That waiter started
     * waiting after the swap took its first lock, so if the swap gives up all its lock waits within
     * 80% of deadlock_timeout of that moment, the swap backs off (and retries later) and the
     * application's statement goes on, never the other way round.
     */
    static final class LockBudget {
        private final Connection c;
        private final long budgetMs;
        private final String whose;
        private long start;

        /** @param whose for messages, e.g. "the swap's" */
        LockBudget(Connection c, Duration lockTimeout, Duration swapLockWait, String whose) throws SQLException {
            this.c = c;
            this.whose = whose;
            long deadlockMs;
            try (var st = c.createStatement();
                 var rs = st.executeQuery("SELECT setting::bigint FROM pg_catalog.pg_settings WHERE name = 'deadlock_timeout'")) {
                rs.next();
                deadlockMs = rs.getLong(1);
            }
            this.budgetMs = Math.max(1, Math.min(Math.min(lockTimeout.toMillis(), swapLockWait.toMillis()), deadlockMs * 8 / 10));
        }

        /** Takes one lock with what is left of the budget, in one round trip. */
        void lock(String lockStatement) throws SQLException {
            if (start == 0) {
                start = System.nanoTime();
            }
            long remaining = budgetMs - (System.nanoTime() - start) / 1_000_000;
            if (remaining < 1) {
                throw new LockBudgetExceeded("locks not all granted within " + whose + " budget of " + budgetMs + " ms", null);
            }
            try {
                Catalog.exec(c, "SET LOCAL lock_timeout = " + remaining + ";\n" + lockStatement);
            } catch (SQLException e) {
                if (SqlState.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                    throw new LockBudgetExceeded("locks not all granted within " + whose + " budget of " + budgetMs + " ms ("
                        + lockStatement.replaceFirst(" IN [A-Z ]+ MODE$", "") + " waited for another session)", e);
                }
                throw e;
            }
        }
    }
}
