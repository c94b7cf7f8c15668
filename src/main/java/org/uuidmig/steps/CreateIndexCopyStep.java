package org.uuidmig.steps;

import java.sql.SQLException;
import java.util.List;

import org.uuidmig.catalog.Catalog;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.StateStore;
import org.uuidmig.engine.StepContext;
import org.uuidmig.engine.StepIds;
import org.uuidmig.plan.IndexInfo;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.sql.MigrationSql;
import org.uuidmig.sql.TempNames;

/**
 * Builds the copy of one index on the new column with CREATE [UNIQUE] INDEX CONCURRENTLY:
 * same columns, order, direction, predicate and INCLUDE list. An invalid copy left by an
 * interrupted build is dropped (concurrently) and built again.
 * Lock: SHARE UPDATE EXCLUSIVE (reads and writes continue), under the long wait timeout
 * because it waits for older transactions rather than blocking anyone.
 * Transaction: none (CONCURRENTLY cannot run in one). With --jobs it runs on the worker that
 * backfilled the table, one concurrent index build at a time.
 * Done when: the copy exists and indisvalid.
 */
final class CreateIndexCopyStep implements MigrationStep {
    private final PlannedColumn col;
    private final IndexInfo idx;

    CreateIndexCopyStep(PlannedColumn col, IndexInfo idx) {
        this.col = col;
        this.idx = idx;
    }

    @Override
    public String id() {
        return StepIds.INDEX;
    }

    @Override
    public String target() {
        return col.ref() + " " + idx.name();
    }

    /** Built on the worker that backfilled the table, right after it, while another table's backfill goes on. */
    @Override
    public String parallelGroup() {
        return col.ref().table();
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        return Boolean.TRUE.equals(Catalog.indexValid(ctx.conn(), ctx.schema(), TempNames.index(idx.name())));
    }

    /**
     * What builds the copy from the state on c now: nothing when a valid copy exists; else the copy, after dropping
     * an invalid one an interrupted build left.
     */
    private List<PlannedStatement> build(java.sql.Connection c, StepContext ctx) throws SQLException {
        String tmp = TempNames.index(idx.name());
        Boolean valid = Catalog.indexValid(c, ctx.schema(), tmp);
        if (Boolean.TRUE.equals(valid)) {
            return List.of();
        }
        List<PlannedStatement> out = new java.util.ArrayList<>();
        if (valid != null) {
            out.add(PlannedStatement.once(MigrationSql.dropIndexConcurrently(ctx.schema(), tmp), "SHARE UPDATE EXCLUSIVE",
                "left invalid by an interrupted build"));
        }
        out.add(PlannedStatement.once(MigrationSql.createIndexCopy(ctx.schema(), col, idx), "SHARE UPDATE EXCLUSIVE",
            "built again, up to three times in all, if the build fails"));
        return out;
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) throws SQLException {
        return build(ctx.conn(), ctx);
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        ReindexStep.ONE_AT_A_TIME.lock();
        try {
            for (int attempt = 1; attempt <= 3; attempt++) {
                List<PlannedStatement> statements = build(ctx.conn(), ctx);
                if (statements.isEmpty()) {
                    break;
                }
                for (int i = 0; i < statements.size(); i++) {
                    String sql = statements.get(i).sql();
                    boolean create = i == statements.size() - 1;
                    try {
                        ctx.blocking().autocommit(ctx.conn(), (create ? "create index " : "drop invalid index ") + TempNames.index(idx.name()),
                            ctx.settings().lock().waitTimeout(), c -> Catalog.exec(c, sql));
                    } catch (SQLException e) {
                        if (!create || attempt == 3) {
                            throw e;
                        }
                    }
                }
            }
        } finally {
            ReindexStep.ONE_AT_A_TIME.unlock();
        }
        StateStore.setStep(ctx.conn(), ctx.schema(), col.ref().table(), col.ref().column(), StepIds.INDEX);
    }
}
