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

    @Override
    public List<PlannedStatement> statements(StepContext ctx) {
        List<PlannedStatement> out = new ArrayList<>();
        String vs = viewSchema(ctx);
        byTable.forEach((t, cols) -> {
            for (PlannedColumn c : cols) {
                out.add(new PlannedStatement(MigrationSql.syncFunctionBothWays(ctx.schema(), c, ctx.users()), "none"));
                out.add(new PlannedStatement(DropSyncTriggersStep.sql(ctx.schema(), t, TempNames.syncTrigger(c.ref().column())),
                    "ACCESS EXCLUSIVE (catalog only), in one transaction with the next two"));
                out.add(new PlannedStatement(MigrationSql.createSyncTriggerBothWays(ctx.schema(), c), "SHARE ROW EXCLUSIVE"));
                out.add(new PlannedStatement(MigrationSql.enableAlways(ctx.schema(), t, TempNames.syncTrigger(c.ref().column())),
                    "SHARE ROW EXCLUSIVE"));
            }
        });
        out.add(new PlannedStatement("CREATE SCHEMA " + Sql.ident(vs) + "  -- recorded in uuidmig.created_objects", "none"));
        Set<String> grantees = new LinkedHashSet<>();
        for (Map.Entry<String, List<PlannedColumn>> e : byTable.entrySet()) {
            String t = e.getKey();
            out.add(new PlannedStatement("DROP VIEW IF EXISTS " + Sql.qualified(vs, t), "ACCESS EXCLUSIVE on the view"));
            try {
                // the same text run() sends, read from the catalog now (the table's columns and privileges)
                out.add(new PlannedStatement(BlueGreenWindow.viewSql(ctx.conn(), ctx.schema(), vs, t, e.getValue()), "ACCESS SHARE"));
                for (String g : BlueGreenWindow.grants(ctx.conn(), ctx.schema(), vs, t, grantees)) {
                    out.add(new PlannedStatement(g, "none"));
                }
            } catch (SQLException | RuntimeException ex) {
                out.add(new PlannedStatement("CREATE VIEW " + Sql.qualified(vs, t) + " AS SELECT <the columns of " + Sql.qualified(ctx.schema(), t)
                    + " as they will be after the swap> FROM " + Sql.qualified(ctx.schema(), t) + " x  -- (catalog not readable now: "
                    + ex.getMessage() + ")", "ACCESS SHARE"));
            }
        }
        for (String g : grantees) {
            out.add(new PlannedStatement("GRANT USAGE ON SCHEMA " + Sql.ident(vs) + " TO " + g, "none"));
        }
        return out;
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        String vs = viewSchema(ctx);
        BlueGreenWindow.requireFree(ctx.conn(), ctx.schema(), vs);
        for (Map.Entry<String, List<PlannedColumn>> e : byTable.entrySet()) {
            String t = e.getKey();
            for (PlannedColumn c : e.getValue()) {
                Catalog.exec(ctx.conn(), MigrationSql.syncFunctionBothWays(ctx.schema(), c, ctx.users()));
            }
            ctx.blocking().inTransaction(ctx.conn(), "sync both ways on " + t, conn -> {
                for (PlannedColumn c : e.getValue()) {
                    if (bothWays(conn, ctx.schema(), c)) {
                        continue;
                    }
                    Catalog.exec(conn, DropSyncTriggersStep.sql(ctx.schema(), t, TempNames.syncTrigger(c.ref().column())));
                    Catalog.exec(conn, MigrationSql.createSyncTriggerBothWays(ctx.schema(), c));
                    Catalog.exec(conn, MigrationSql.enableAlways(ctx.schema(), t, TempNames.syncTrigger(c.ref().column())));
                }
            });
        }
        ctx.blocking().inTransaction(ctx.conn(), "open the window in " + vs, conn -> {
            if (BlueGreenWindow.schemaOid(conn, vs) == null) {
                Catalog.exec(conn, "CREATE SCHEMA " + Sql.ident(vs));
                StateStore.recordCreated(conn, ctx.schema(), StateStore.VIEW_SCHEMA, vs, BlueGreenWindow.schemaOid(conn, vs));
            }
            Set<String> grantees = new LinkedHashSet<>();
            for (Map.Entry<String, List<PlannedColumn>> e : byTable.entrySet()) {
                Catalog.exec(conn, "DROP VIEW IF EXISTS " + Sql.qualified(vs, e.getKey()));
                Catalog.exec(conn, BlueGreenWindow.viewSql(conn, ctx.schema(), vs, e.getKey(), e.getValue()));
                for (String g : BlueGreenWindow.grants(conn, ctx.schema(), vs, e.getKey(), grantees)) {
                    Catalog.exec(conn, g);
                }
            }
            for (String g : grantees) {
                Catalog.exec(conn, "GRANT USAGE ON SCHEMA " + Sql.ident(vs) + " TO " + g);
            }
        });
        StateStore.event(ctx.conn(), StepIds.WINDOW, vs, "blue-green window open: green connects with search_path = "
            + vs + ", " + ctx.schema(), null);
    }
}
