package org.uuidmig.steps;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.uuidmig.catalog.Catalog;
import org.uuidmig.db.Sql;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.StepContext;
import org.uuidmig.engine.StepIds;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.sql.TempNames;

/**
 * Clean-up after every swap: drops the tool's functions (sync functions left by an earlier
 * interrupted run, the ledger functions) and marks every column done. The state tables in
 * schema uuidmig stay as the record validate-post, status and rollback read.
 * Lock: none on application tables. Transaction: auto-commit, statements IF EXISTS.
 * Done when: every column is marked done and no function of the tool remains.
 */
final class CleanupStep implements MigrationStep {
    @Override
    public String id() {
        return StepIds.CLEANUP;
    }

    @Override
    public String target() {
        return "";
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        return !Catalog.exists(ctx.conn(), "SELECT 1 FROM uuidmig.columns WHERE step <> ? AND table_schema = ?", StepIds.DONE, ctx.schema())
            && !Catalog.exists(ctx.conn(), """
                SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'uuidmig'""");
    }

    /** Every column of the schema marked done (the schema is bound as a parameter). */
    private static final String DONE = "UPDATE uuidmig.columns SET step = '" + StepIds.DONE + "', updated_at = now() WHERE table_schema = ?";

    private static List<String> sql(StepContext ctx) {
        List<String> out = new ArrayList<>();
        for (PlannedColumn c : ctx.columns()) {
            out.add("DROP FUNCTION IF EXISTS " + Sql.qualified("uuidmig", TempNames.syncFunction(ctx.schema(), c.ref().table(), c.ref().column())) + "()");
            // left by an earlier uuidmig, which named it without the hash (a trigger still using it makes this fail: no CASCADE)
            out.add("DROP FUNCTION IF EXISTS " + Sql.qualified("uuidmig", TempNames.legacySyncFunction(c.ref().table(), c.ref().column())) + "()");
        }
        out.add("DROP FUNCTION IF EXISTS uuidmig.ledger_insert()");
        out.add("DROP FUNCTION IF EXISTS uuidmig.ledger_delete()");
        return out;
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) {
        List<PlannedStatement> out = new ArrayList<>();
        out.add(PlannedStatement.once(SwapStep.ledgerTotals(ctx.schema()), "none on application tables",
            "in case uuidmig stopped right after a swap committed"));
        for (String s : sql(ctx)) {
            out.add(new PlannedStatement(s, "none on application tables"));
        }
        out.add(new PlannedStatement(DONE, "none on application tables"));
        return out;
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        SwapStep.recordLedgerTotals(ctx.conn(), ctx.schema()); // in case uuidmig stopped right after a swap committed
        for (String s : sql(ctx)) {
            Catalog.exec(ctx.conn(), s);
        }
        try (var ps = ctx.conn().prepareStatement(DONE)) {
            ps.setString(1, ctx.schema());
            ps.executeUpdate();
        }
    }
}
