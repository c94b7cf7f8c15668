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

    @Override
    public List<PlannedStatement> statements(StepContext ctx) {
        return List.of(new PlannedStatement(MigrationSql.createIndexCopy(ctx.schema(), col, idx), "SHARE UPDATE EXCLUSIVE"));
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        ReindexStep.ONE_AT_A_TIME.lock();
        try {
            build(ctx);
        } finally {
            ReindexStep.ONE_AT_A_TIME.unlock();
        }
        StateStore.setStep(ctx.conn(), ctx.schema(), col.ref().table(), col.ref().column(), StepIds.INDEX);
    }

    private void build(StepContext ctx) throws SQLException {
        String tmp = TempNames.index(idx.name());
        for (int attempt = 1; attempt <= 3; attempt++) {
            Boolean valid = Catalog.indexValid(ctx.conn(), ctx.schema(), tmp);
            if (Boolean.TRUE.equals(valid)) {
                break;
            }
            if (valid != null) {
                ctx.blocking().autocommit(ctx.conn(), "drop invalid index " + tmp, ctx.settings().lock().waitTimeout(),
                    c -> Catalog.exec(c, MigrationSql.dropIndexConcurrently(ctx.schema(), tmp)));
            }
            try {
                ctx.blocking().autocommit(ctx.conn(), "create index " + tmp, ctx.settings().lock().waitTimeout(),
                    c -> Catalog.exec(c, MigrationSql.createIndexCopy(ctx.schema(), col, idx)));
            } catch (SQLException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }
}
