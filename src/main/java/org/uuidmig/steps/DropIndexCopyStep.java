package org.uuidmig.steps;

import java.sql.SQLException;
import java.util.List;

import org.uuidmig.catalog.Catalog;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.StepContext;
import org.uuidmig.sql.MigrationSql;

/**
 * Rollback: drops one index the migration built (a copy on a shadow column, or the unique index
 * on users(uuid) when it was never attached as a constraint) with DROP INDEX CONCURRENTLY, so
 * reads and writes go on. An invalid copy from an interrupted build goes the same way.
 * Lock: SHARE UPDATE EXCLUSIVE, under the long wait timeout (it waits for older transactions).
 * Transaction: none (CONCURRENTLY cannot run in one).
 * Done when: the index does not exist.
 */
final class DropIndexCopyStep implements MigrationStep {
    private final String schema;
    private final String index;
    private final String target;

    DropIndexCopyStep(String schema, String index, String target) {
        this.schema = schema;
        this.index = index;
        this.target = target;
    }

    @Override
    public String id() {
        return RollbackSteps.INDEX;
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        return Catalog.indexValid(ctx.conn(), schema, index) == null;
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) {
        return List.of(new PlannedStatement(MigrationSql.dropIndexConcurrently(schema, index), "SHARE UPDATE EXCLUSIVE"));
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        ctx.blocking().autocommit(ctx.conn(), "drop index " + index, ctx.settings().lock().waitTimeout(),
            c -> PlannedStatement.send(c, statements(ctx)));
    }
}
