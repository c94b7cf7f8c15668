package org.uuidmig.steps;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 * The last step of {@code migrate --phase expand}: opens the blue-green window ({@link BlueGreenWindow}). Makes each
 * sync function work both ways and its trigger fire also when only the new column is updated, then creates schema
 * {@code <schema>_uuid} (recorded as uuidmig's) with one view per table, granted as the table is.
 * Lock: SHARE ROW EXCLUSIVE on each table, briefly (the trigger), under lock_timeout with retries; the views take
 * ACCESS SHARE. Done when: the recorded schema exists with a view per table and every sync trigger fires on both
 * columns.
 */
final class OpenWindowStep implements MigrationStep {
    private final Map<String, List<PlannedColumn>> byTable;

    OpenWindowStep(Map<String, List<PlannedColumn>> byTable) {
        this.byTable = byTable;
    }

    @Override
    public String id() {
        return StepIds.WINDOW;
    }

    @Override
    public String target() {
        return String.join(", ", byTable.keySet());
    }

    private static String viewSchema(StepContext ctx) {
        return ctx.settings().run().window().viewSchemaFor(ctx.schema());
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        Connection c = ctx.conn();
        StateStore.CreatedObject rec = BlueGreenWindow.recorded(c, ctx.schema());
        if (rec == null || !rec.oid().equals(BlueGreenWindow.schemaOid(c, rec.name()))) {
            return false;
        }
        for (Map.Entry<String, List<PlannedColumn>> e : byTable.entrySet()) {
            if (!Catalog.exists(c, "SELECT 1 WHERE to_regclass(?) IS NOT NULL", Sql.qualified(rec.name(), e.getKey()))) {
                return false;
            }
            for (PlannedColumn col : e.getValue()) {
                if (!bothWays(c, ctx.schema(), col)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether the column's sync trigger fires on updates of both columns. */
    private static boolean bothWays(Connection c, String schema, PlannedColumn col) throws SQLException {
        return Catalog.exists(c, """
            SELECT 1 FROM pg_catalog.pg_trigger g WHERE g.tgrelid = ?::pg_catalog.regclass AND g.tgname = ?
               AND pg_catalog.array_length(g.tgattr, 1) = 2""",
            Sql.qualified(schema, col.ref().table()), TempNames.syncTrigger(col.ref().column()));
    }

    /** The table's sync functions, made to work both ways (created or replaced, before the trigger's transaction). */
    private static List<PlannedStatement> functions(StepContext ctx, List<PlannedColumn> cols) {
        return cols.stream().map(c -> new PlannedStatement(MigrationSql.syncFunctionBothWays(ctx.schema(), c, ctx.users()), "none"))
            .toList();
    }

    /** In one transaction per table: each sync trigger that does not fire on both columns yet (on c now), made again so. */
    private static List<PlannedStatement> triggers(Connection c, StepContext ctx, String t, List<PlannedColumn> cols) throws SQLException {
        List<PlannedStatement> out = new ArrayList<>();
        for (PlannedColumn col : cols) {
            if (bothWays(c, ctx.schema(), col)) {
                continue;
            }
            String trigger = TempNames.syncTrigger(col.ref().column());
            out.add(PlannedStatement.once(DropSyncTriggersStep.sql(ctx.schema(), t, trigger), "ACCESS EXCLUSIVE (catalog only)",
                "in one transaction with the trigger made again"));
            out.add(new PlannedStatement(MigrationSql.createSyncTriggerBothWays(ctx.schema(), col), "SHARE ROW EXCLUSIVE"));
            out.add(new PlannedStatement(MigrationSql.enableAlways(ctx.schema(), t, trigger), "SHARE ROW EXCLUSIVE"));
        }
        return out;
    }

    /**
     * In one transaction: the view schema unless it exists (then recorded as uuidmig's), each table's view made again
     * from the table's columns and privileges as the catalog on c has them now, and USAGE for every grantee.
     */
    private List<PlannedStatement> views(Connection c, StepContext ctx) throws SQLException {
        String vs = viewSchema(ctx);
        List<PlannedStatement> out = new ArrayList<>();
        if (BlueGreenWindow.schemaOid(c, vs) == null) {
            out.add(PlannedStatement.once("CREATE SCHEMA " + Sql.ident(vs), "none", "recorded in uuidmig.created_objects"));
        }
        Set<String> grantees = new LinkedHashSet<>();
        for (Map.Entry<String, List<PlannedColumn>> e : byTable.entrySet()) {
            String t = e.getKey();
            out.add(new PlannedStatement("DROP VIEW IF EXISTS " + Sql.qualified(vs, t), "ACCESS EXCLUSIVE on the view"));
            out.add(new PlannedStatement(BlueGreenWindow.viewSql(c, ctx.schema(), vs, t, e.getValue()), "ACCESS SHARE"));
            for (String g : BlueGreenWindow.grants(c, ctx.schema(), vs, t, grantees)) {
                out.add(new PlannedStatement(g, "none"));
            }
        }
        for (String g : grantees) {
            out.add(new PlannedStatement("GRANT USAGE ON SCHEMA " + Sql.ident(vs) + " TO " + g, "none"));
        }
        return out;
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) throws SQLException {
        List<PlannedStatement> out = new ArrayList<>();
        for (Map.Entry<String, List<PlannedColumn>> e : byTable.entrySet()) {
            out.addAll(functions(ctx, e.getValue()));
            out.addAll(triggers(ctx.conn(), ctx, e.getKey(), e.getValue()));
        }
        out.addAll(views(ctx.conn(), ctx));
        return out;
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        String vs = viewSchema(ctx);
        BlueGreenWindow.requireFree(ctx.conn(), ctx.schema(), vs);
        for (Map.Entry<String, List<PlannedColumn>> e : byTable.entrySet()) {
            String t = e.getKey();
            PlannedStatement.send(ctx.conn(), functions(ctx, e.getValue()));
            ctx.blocking().inTransaction(ctx.conn(), "sync both ways on " + t, conn -> PlannedStatement.send(conn, triggers(conn, ctx, t, e.getValue())));
        }
        ctx.blocking().inTransaction(ctx.conn(), "open the window in " + vs, conn -> {
            boolean create = BlueGreenWindow.schemaOid(conn, vs) == null;
            PlannedStatement.send(conn, views(conn, ctx));
            if (create) {
                StateStore.recordCreated(conn, ctx.schema(), StateStore.VIEW_SCHEMA, vs, BlueGreenWindow.schemaOid(conn, vs));
            }
        });
        StateStore.event(ctx.conn(), StepIds.WINDOW, vs, "blue-green window open: green connects with search_path = "
            + vs + ", " + ctx.schema(), null);
    }
}
