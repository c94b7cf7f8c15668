package org.uuidmig.steps;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

import org.uuidmig.catalog.Catalog;
import org.uuidmig.db.Sql;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.StepContext;
import org.uuidmig.engine.StepIds;

/**
 * Records the table's row count at the start of the ledger: in one REPEATABLE READ snapshot,
 * count(*) minus the ledger's net inserts so far. From then on, rows = base + inserts - deletes
 * must hold in any snapshot; the verify step checks it, so a lost row cannot go unnoticed.
 * Lock: ACCESS SHARE (a plain read). Transaction: one read-only snapshot.
 * Done when: uuidmig.tables.base_rows is set.
 */
final class CountRowsStep implements MigrationStep {
    private final String table;

    CountRowsStep(String table) {
        this.table = table;
    }

    @Override
    public String id() {
        return StepIds.COUNT;
    }

    @Override
    public String target() {
        return table;
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        return Catalog.exists(ctx.conn(), "SELECT 1 FROM uuidmig.tables WHERE table_schema = ? AND table_name = ? AND base_rows IS NOT NULL",
            ctx.schema(), table);
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) {
        return List.of(PlannedStatement.once(countSql(ctx, table), "ACCESS SHARE", "with the ledger's sum, in one REPEATABLE READ snapshot"));
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        var c = ctx.conn();
        Catalog.inTransaction(c, true, () -> {
            long rows = count(ctx, table);
            long net = ledgerNet(c, ctx.schema(), table);
            try (PreparedStatement ps = c.prepareStatement(
                "UPDATE uuidmig.tables SET base_rows = ?, counted_at = now() WHERE table_schema = ? AND table_name = ?")) {
                ps.setLong(1, rows - net);
                ps.setString(2, ctx.schema());
                ps.setString(3, table);
                ps.executeUpdate();
            }
        });
    }

    private static String countSql(StepContext ctx, String table) {
        return "SELECT count(*) FROM " + Sql.qualified(ctx.schema(), table);
    }

    static long count(StepContext ctx, String table) throws SQLException {
        try (PreparedStatement ps = ctx.conn().prepareStatement(countSql(ctx, table));
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Inserted minus deleted rows the ledger has seen for the table, in the current snapshot. */
    static long ledgerNet(java.sql.Connection c, String schema, String table) throws SQLException {
        long[] ins = ledger(c, schema, table);
        return ins[0] - ins[1];
    }

    /** {inserted, deleted} for the table, in the current snapshot. */
    static long[] ledger(java.sql.Connection c, String schema, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT coalesce(sum(inserted), 0), coalesce(sum(deleted), 0) FROM uuidmig.row_ledger
             WHERE table_schema = ? AND table_name = ?""")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }
}
