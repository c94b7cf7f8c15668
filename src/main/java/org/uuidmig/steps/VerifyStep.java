package org.uuidmig.steps;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.catalog.Catalog;
import org.uuidmig.db.Sql;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.StateStore;
import org.uuidmig.engine.StepContext;
import org.uuidmig.engine.StepIds;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.sql.MigrationSql;
import org.uuidmig.sql.TempNames;

/**
 * Verify before swapping: in one REPEATABLE READ snapshot, counts the table's rows whose new
 * value differs from users.uuid of the integer or whose NULL-ness differs, and checks that the
 * row count equals the recorded base plus the ledger's inserts minus deletes. Mismatches get
 * one catch-up update and a second look; if any remain, or a row is missing, the swap is
 * refused. The result (rows checked, mismatches = 0, time) is recorded for validate-post.
 * Lock: ACCESS SHARE. Transaction: one read snapshot (plus the catch-up statement).
 * Done when: uuidmig.tables.verified_at is set with mismatches = 0.
 */
final class VerifyStep extends TableStep {
    private static final Logger LOG = LoggerFactory.getLogger(VerifyStep.class);

    VerifyStep(String table, List<PlannedColumn> columns) {
        super(StepIds.VERIFY, table, columns);
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        return Catalog.exists(ctx.conn(), """
            SELECT 1 FROM uuidmig.tables WHERE table_schema = ? AND table_name = ? AND verified_at IS NOT NULL AND mismatches = 0""",
            ctx.schema(), table);
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) throws SQLException {
        List<PlannedStatement> out = new java.util.ArrayList<>(CheckTriggers.statements(ctx, table, columns));
        String verify = MigrationSql.verify(ctx.schema(), table, columns, ctx.users());
        out.add(PlannedStatement.once(verify, "ACCESS SHARE", "in one REPEATABLE READ snapshot with the ledger's sums; mismatches must be 0"));
        for (PlannedColumn col : columns) {
            for (String sql : catchUpSql(ctx, col)) {
                out.add(PlannedStatement.when(sql, "ROW EXCLUSIVE + row locks of the rows that differ",
                    "only when rows differ: one catch-up, in one transaction per column"));
            }
        }
        out.add(PlannedStatement.when(verify, "ACCESS SHARE", "again after the catch-up; mismatches must then be 0"));
        return out;
    }

    /** Tables are verified side by side with --jobs: each is one read-only scan in its own snapshot. */
    @Override
    public String parallelGroup() {
        return table;
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        // armed before the scan: every row is then either read by it or written later and checked at its commit
        CheckTriggers.arm(ctx, table, columns);
        long[] r = check(ctx);
        if (r[1] > 0) {
            LOG.warn("verify {}: {} rows differ; updating them once more", table, r[1]);
            catchUp(ctx);
            r = check(ctx);
        }
        if (r[1] > 0) {
            throw new UuidmigException(ExitCode.CHECKS_FAILED, "verify " + table + ": " + r[1] + " of " + r[0]
                + " rows have a new value that does not match users." + ctx.users().targetKey()
                + " of their integer (usually integers with no user, written while the migration ran). The swap is refused; "
                + "list them with: " + String.join("; ", columns.stream().map(col -> MigrationSql.mismatchedRows(ctx.schema(), col, ctx.users())).toList())
                + "; fix the rows, then rerun " + ctx.settings().run().command().commandLine());
        }
        for (PlannedColumn c : columns) {
            StateStore.setStep(ctx.conn(), ctx.schema(), table, c.ref().column(), StepIds.VERIFY);
        }
    }

    /** {rows, mismatches}; records them, and fails if the row count disagrees with the ledger. */
    private long[] check(StepContext ctx) throws SQLException {
        Connection c = ctx.conn();
        long[] result = Catalog.valueInTransaction(c, true, () -> {
            long rows;
            long mismatches;
            try (PreparedStatement ps = c.prepareStatement(MigrationSql.verify(ctx.schema(), table, columns, ctx.users()));
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                rows = rs.getLong(1);
                mismatches = rs.getLong(2);
            }
            long[] ledger = CountRowsStep.ledger(c, ctx.schema(), table);
            Long base = null;
            try (PreparedStatement ps = c.prepareStatement(
                "SELECT base_rows FROM uuidmig.tables WHERE table_schema = ? AND table_name = ?")) {
                ps.setString(1, ctx.schema());
                ps.setString(2, table);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        base = (Long) rs.getObject(1);
                    }
                }
            }
            if (base != null && rows != base + ledger[0] - ledger[1]) {
                throw new UuidmigException(ExitCode.CHECKS_FAILED, "verify " + table + ": " + rows + " rows, but "
                    + base + " at the start + " + ledger[0] + " inserted - " + ledger[1] + " deleted = "
                    + (base + ledger[0] - ledger[1]) + " expected: rows were removed outside the application's "
                    + "recorded statements (TRUNCATE?). The swap is refused; investigate before rerunning");
            }
            try (PreparedStatement ps = c.prepareStatement("""
                UPDATE uuidmig.tables SET verified_rows = ?, mismatches = ?, verified_at = now(),
                       ledger_inserted = ?, ledger_deleted = ? WHERE table_schema = ? AND table_name = ?""")) {
                ps.setLong(1, rows);
                ps.setLong(2, mismatches);
                ps.setLong(3, ledger[0]);
                ps.setLong(4, ledger[1]);
                ps.setString(5, ctx.schema());
                ps.setString(6, table);
                ps.executeUpdate();
            }
            return new long[] {rows, mismatches, ledger[0], ledger[1]};
        });
        LOG.info("verify {}: {} rows checked, {} mismatches; {} inserted and {} deleted by the application so far",
            table, result[0], result[1], result[2], result[3]);
        return new long[] {result[0], result[1]};
    }

    private void catchUp(StepContext ctx) throws SQLException {
        for (PlannedColumn col : columns) {
            List<String> sql = catchUpSql(ctx, col);
            ctx.blocking().inTransaction(ctx.conn(), "catch up " + col.ref(), c -> {
                for (String s : sql) {
                    Catalog.exec(c, s);
                }
            });
        }
    }

    /** The catch-up of one column: its new value where it differs from users' of its integer, NULL where the integer is. */
    private List<String> catchUpSql(StepContext ctx, PlannedColumn col) {
        String t = Sql.qualified(ctx.schema(), table);
        String shadow = Sql.ident(TempNames.shadowColumn(col.ref().column()));
        String old = Sql.ident(col.ref().column());
        return List.of("UPDATE " + t + " x SET " + shadow + " = u." + Sql.ident(ctx.users().targetKey()) + " FROM "
                + Sql.qualified(ctx.users().schema(), ctx.users().name()) + " u WHERE u." + Sql.ident(ctx.users().sourceKey())
                + " = x." + old + " AND x." + shadow + " IS DISTINCT FROM u." + Sql.ident(ctx.users().targetKey()),
            "UPDATE " + t + " x SET " + shadow + " = NULL WHERE x." + old + " IS NULL AND x." + shadow + " IS NOT NULL");
    }
}
