package org.uuidmig.steps;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.uuidmig.catalog.Catalog;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.MigrationStep.PlannedStatement;
import org.uuidmig.engine.StepContext;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.sql.MigrationSql;
import org.uuidmig.sql.TempNames;

/**
 * The check triggers (one per column, {@link MigrationSql#checkFunction}): each written row is checked against
 * users at its transaction's commit, and the rows still wrong are recorded for the swap, which re-checks them
 * under its locks ({@link MigrationSql#recheck}, {@link MigrationSql#requireRechecked}). Together with the full
 * verify they make the proof cover every row as it is when the swap commits.
 *
 * They are armed after the backfill (by the foreign key step, and at the latest by verify), not at expand: checking
 * each of the backfill's own rows at commit would nearly double its time (measured: 1.9x), and the full verify, which
 * runs after they are armed, covers every row written before. No write escapes both: CREATE TRIGGER waits for every
 * transaction writing the table, so one that wrote before the trigger existed has committed before verify's snapshot.
 * Lock: SHARE ROW EXCLUSIVE on the table, briefly, under lock_timeout with retries. Both directions use them.
 */
final class CheckTriggers {
    private CheckTriggers() {
    }

    /** {table, trigger} for each column: for the swap's check that every one exists and fires ALWAYS. */
    static List<String[]> of(String table, List<PlannedColumn> columns) {
        List<String[]> out = new ArrayList<>();
        for (PlannedColumn c : columns) {
            out.add(new String[] {table, TempNames.checkTrigger(c.ref().column())});
        }
        return out;
    }

    /** The statements {@link #arm} sends from the state on the context's connection now. */
    static List<MigrationStep.PlannedStatement> statements(StepContext ctx, String table, List<PlannedColumn> columns) throws SQLException {
        List<MigrationStep.PlannedStatement> out = new ArrayList<>(functions(ctx, columns));
        out.addAll(triggers(ctx.conn(), ctx, table, columns));
        return out;
    }

    /** Each column's check function, created or replaced. */
    private static List<MigrationStep.PlannedStatement> functions(StepContext ctx, List<PlannedColumn> columns) {
        return columns.stream().map(c -> new MigrationStep.PlannedStatement(MigrationSql.checkFunction(ctx.schema(), c, ctx.users()), "none"))
            .toList();
    }

    /**
     * Nothing when every check trigger fires ALWAYS already (on c now); else each missing one created and every one made
     * to fire ALWAYS (also one the application disabled).
     */
    private static List<MigrationStep.PlannedStatement> triggers(Connection c, StepContext ctx, String table, List<PlannedColumn> columns)
        throws SQLException {
        List<MigrationStep.PlannedStatement> out = new ArrayList<>();
        if (armed(c, ctx.schema(), table, columns)) {
            return out;
        }
        for (PlannedColumn col : columns) {
            String trigger = TempNames.checkTrigger(col.ref().column());
            if (!Catalog.triggerExists(c, ctx.schema(), table, trigger)) {
                out.add(new MigrationStep.PlannedStatement(MigrationSql.createCheckTrigger(ctx.schema(), col), "SHARE ROW EXCLUSIVE"));
            }
            out.add(new MigrationStep.PlannedStatement(MigrationSql.enableAlways(ctx.schema(), table, trigger), "SHARE ROW EXCLUSIVE"));
        }
        return out;
    }

    /**
     * Creates (or replaces) each column's check function, then, in one transaction under the lock policy, creates each
     * missing check trigger and makes every one fire ALWAYS (also one the application disabled). Idempotent.
     */
    static void arm(StepContext ctx, String table, List<PlannedColumn> columns) throws SQLException {
        PlannedStatement.send(ctx.conn(), functions(ctx, columns));
        if (armed(ctx.conn(), ctx.schema(), table, columns)) {
            return;
        }
        ctx.blocking().inTransaction(ctx.conn(), "arm the check triggers on " + table,
            conn -> PlannedStatement.send(conn, triggers(conn, ctx, table, columns)));
    }

    private static boolean armed(Connection c, String schema, String table, List<PlannedColumn> columns) throws SQLException {
        for (PlannedColumn col : columns) {
            if (!Catalog.triggerFiresAlways(c, schema, table, TempNames.checkTrigger(col.ref().column()))) {
                return false;
            }
        }
        return true;
    }

    /** Before the swap's locks and again under them: the re-check of every recorded row of the tables. */
    static List<String> recheck(StepContext ctx, List<String> tables) {
        List<String> out = new ArrayList<>();
        for (String t : tables) {
            for (PlannedColumn c : ctx.columnsOf(t)) {
                out.add(MigrationSql.recheck(ctx.schema(), c, ctx.users()));
            }
        }
        return out;
    }
}
