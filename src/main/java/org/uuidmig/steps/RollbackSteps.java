package org.uuidmig.steps;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.catalog.Catalog;
import org.uuidmig.engine.FaultInjection;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.StateStore;
import org.uuidmig.engine.StepContext;
import org.uuidmig.engine.StepIds;
import org.uuidmig.engine.StepPlan;
import org.uuidmig.engine.StepRunner;
import org.uuidmig.plan.IndexInfo;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.plan.UsersTable;
import org.uuidmig.report.DryRun;
import org.uuidmig.sql.TempNames;

/**
 * Step ids and step lists of {@code uuidmig rollback}. Before the swap it removes, in this
 * order, what migrate added: the triggers (so writes stop touching the shadow columns), the
 * index copies (concurrently), the new FKs, NOT NULL checks and shadow columns, what was added
 * to users(uuid), and, once Flyway has recorded the rollback, the schema uuidmig itself ({@link #dropState}).
 */
public final class RollbackSteps {
    public static final String TRIGGERS = "rollback_triggers";
    public static final String INDEX = "rollback_index";
    public static final String COLUMNS = "rollback_columns";
    public static final String USERS_KEY = "rollback_users_key";
    public static final String STATE = "rollback_state";
    public static final String EXPAND = "rollback_expand";
    public static final String SWAP = "rollback_swap";
    public static final String WINDOW = "rollback_window";

    private RollbackSteps() {
    }

    static Map<String, List<PlannedColumn>> byTable(List<PlannedColumn> columns) {
        Map<String, List<PlannedColumn>> out = new LinkedHashMap<>();
        for (PlannedColumn c : columns) {
            out.computeIfAbsent(c.ref().table(), k -> new ArrayList<>()).add(c);
        }
        return out;
    }

    /** Rollback of a migration that has not swapped any table: the columns are as recorded before it. */
    public static StepPlan beforeSwap(String schema, List<PlannedColumn> columns, UsersTable users) {
        Map<String, List<PlannedColumn>> byTable = byTable(columns);
        List<MigrationStep> steps = new ArrayList<>();
        steps.add(new CloseWindowStep(List.copyOf(byTable.keySet())));
        byTable.forEach((t, cols) -> steps.add(new DropSyncTriggersStep(t, cols)));
        for (PlannedColumn c : columns) {
            for (IndexInfo idx : c.indexes()) {
                steps.add(new DropIndexCopyStep(schema, TempNames.index(idx.name()), c.ref() + " " + idx.name()));
            }
        }
        byTable.forEach((t, cols) -> steps.add(new DropShadowColumnStep(t, cols)));
        steps.add(new RestoreUsersKeyStep(users));
        return StepPlan.sequential("rollback before the swap", steps);
    }

    /**
     * Rollback after the swap: the forward steps run backwards ({@link Reverse}): expand (integer
     * shadow column + sync trigger), count, backfill, index copies, NOT NULL checks, FKs to
     * users(id) where the column had one, verify, one swap back, then what migrate added to
     * users(uuid) is removed (its FKs are gone with the uuid columns).
     *
     * @param all      the columns as {@link Reverse#columns} gives them
     * @param swappedBack tables the reverse swap has recorded as done (uuidmig.columns.step = 'swap' after {@link Reverse#begin})
     * @param original users as recorded before the migration
     */
    public static StepPlan afterSwap(List<PlannedColumn> all, java.util.Set<String> swappedBack, UsersTable original) {
        // tables swapped back already get no step: their shadow columns and checks are gone by design
        List<PlannedColumn> reverse = all.stream().filter(c -> !swappedBack.contains(c.ref().table())).toList();
        Map<String, List<PlannedColumn>> byTable = byTable(reverse);
        StepPlan.Builder plan = new StepPlan.Builder();
        plan.then(EXPAND, byTable.entrySet().stream().map(e -> new ExpandStep(Direction.BACKWARD, e.getKey(), e.getValue())).toList());
        plan.then(StepIds.COUNT, byTable.keySet().stream().map(CountRowsStep::new).toList());
        List<MigrationStep> perTable = new ArrayList<>();
        for (PlannedColumn c : reverse) {
            perTable.add(new BackfillStep(c, true)); // no REINDEX follows a rollback's backfill
        }
        for (PlannedColumn c : reverse) {
            for (IndexInfo idx : c.indexes()) {
                perTable.add(new CreateIndexCopyStep(c, idx));
            }
        }
        plan.together(StepIds.BACKFILL, perTable);
        plan.then(StepIds.NOT_NULL, reverse.stream().filter(PlannedColumn::notNull).map(AddNotNullCheckStep::new).toList());
        plan.then(StepIds.FOREIGN_KEY, reverse.stream().filter(Direction.BACKWARD::addsForeignKey).map(AddForeignKeyStep::new).toList());
        plan.together(StepIds.VERIFY, byTable.entrySet().stream().map(e -> new VerifyStep(e.getKey(), e.getValue())).toList());
        if (!byTable.isEmpty()) {
            plan.then(SWAP, List.of(new SwapStep(Direction.BACKWARD, List.copyOf(byTable.keySet()))));
        }
        plan.then(USERS_KEY, List.of(new RestoreUsersKeyStep(original)));
        return plan.build();
    }

    /** The last statement of every rollback: the tool's schema, its state and functions. */
    public static final String DROP_STATE = "DROP SCHEMA IF EXISTS uuidmig CASCADE";

    /**
     * Drops schema uuidmig (state tables, functions), or, when it also records the migration of
     * other application schemas, only this schema's record. Refuses while any trigger still calls
     * one of its functions, so CASCADE can never take an application object with it.
     * Lock: none on application tables. Done when: the schema (or this schema's record) is gone.
     */
    public static void dropState(StepContext ctx) throws SQLException {
        dropState(ctx.conn(), ctx.schema(), "rollback");
        FaultInjection.stepDone(STATE);
    }

    /** The same for a command ({@code rollback}, {@code cleanup}), on a connection, for application schema {@code schema}. */
    public static void dropState(java.sql.Connection c, String schema, String command) throws SQLException {
        if (Catalog.exists(c, """
            SELECT 1 FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
              JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'uuidmig'""")) {
            throw new UuidmigException(ExitCode.UNEXPECTED, command + ": a trigger still calls a function in schema uuidmig; "
                + "not dropping the schema. Rerun uuidmig " + command);
        }
        List<MigrationStep.PlannedStatement> statements = stateStatements(c, schema);
        if (statements.size() == 1) {
            Catalog.exec(c, statements.get(0).sql());
            return;
        }
        Catalog.inTransaction(c, false, () -> {
            for (MigrationStep.PlannedStatement st : statements) {
                try (var ps = c.prepareStatement(st.sql())) {
                    if (st.sql().endsWith("?")) {
                        ps.setString(1, schema);
                    }
                    ps.execute();
                }
            }
        });
    }

    /**
     * What drops the state (on c now): the schema uuidmig (state tables, functions) with one statement; or, when it
     * also records other schemas' migrations, only this schema's record (with the rollback's marker and forward copy,
     * and the functions, which no trigger uses any more: checked first), in one transaction, so the schema uuidmig and
     * the other schemas' record stay. The schema is bound as a parameter.
     */
    static List<MigrationStep.PlannedStatement> stateStatements(java.sql.Connection c, String schema) throws SQLException {
        String lock = "none on application tables";
        if (StateStore.otherSchemas(c, schema).isEmpty()) {
            return List.of(new MigrationStep.PlannedStatement(DROP_STATE, lock));
        }
        List<MigrationStep.PlannedStatement> out = new ArrayList<>();
        for (String table : List.of("columns", "tables", "users_table", "created_objects", "row_ledger", "recheck",
            "window_writes", "control", "probe", "health")) {
            if (Catalog.exists(c, "SELECT 1 WHERE to_regclass(?) IS NOT NULL", StateStore.SCHEMA + "." + table)) {
                // created_objects is missing from state made by a uuidmig before it
                out.add(new MigrationStep.PlannedStatement("DELETE FROM " + org.uuidmig.db.Sql.qualified(StateStore.SCHEMA, table)
                    + " WHERE table_schema = ?", lock));
            }
        }
        out.add(new MigrationStep.PlannedStatement("DROP TABLE IF EXISTS uuidmig.rollback, uuidmig.forward_columns, uuidmig.forward_tables", lock));
        out.add(new MigrationStep.PlannedStatement("DROP FUNCTION IF EXISTS uuidmig.ledger_insert(), uuidmig.ledger_delete()", lock));
        return out;
    }

    /** The steps and the final schema drop for --dry-run, numbered from 1. */
    public static List<DryRun.Step> dryRun(StepContext ctx, StepPlan plan) throws SQLException {
        List<DryRun.Step> out = new ArrayList<>(StepRunner.dryRun(ctx, plan));
        out.add(new DryRun.Step(out.size() + 1, STATE, "", stateStatements(ctx.conn(), ctx.schema()).stream()
            .map(s -> new DryRun.Statement(s.lock(), s.sql(), s.note())).toList()));
        return out;
    }
}
