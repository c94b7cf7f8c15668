package org.uuidmig.service;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.config.MigrationSettings.Phase;
import org.uuidmig.config.MigrationSettings;
import org.uuidmig.config.PlanSettings;
import org.uuidmig.config.RunCommand;
import org.uuidmig.db.Database;
import org.uuidmig.db.RunLock;
import org.uuidmig.engine.RunControl;
import org.uuidmig.engine.StateStore;
import org.uuidmig.engine.StepContext;
import org.uuidmig.engine.StepIds;
import org.uuidmig.engine.StepPlan;
import org.uuidmig.engine.StepRunner;
import org.uuidmig.flyway.FlywayRunner;
import org.uuidmig.flyway.HistoryTable;
import org.uuidmig.flyway.V2025_12_04_2215__migrate_user_references_to_uuid;
import org.uuidmig.health.HealthMonitor;
import org.uuidmig.metrics.RunMetrics;
import org.uuidmig.plan.ColumnState;
import org.uuidmig.plan.ForeignKey;
import org.uuidmig.plan.Plan;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.plan.UsersTable;
import org.uuidmig.report.CheckReport;
import org.uuidmig.report.DryRun;
import org.uuidmig.report.MigrationResult.Outcome;
import org.uuidmig.report.MigrationResult;
import org.uuidmig.report.RunProgress;
import org.uuidmig.steps.Steps;

/**
 * migrate: validate-pre, then the steps (through Flyway for the phases that finish the
 * migration), then a summary. Resumes from the state schema when a run was interrupted.
 */
public final class MigrationService extends StepsService {
    private final PlanSettings planSettings;

    public MigrationService(Database db, PlanSettings planSettings, MigrationSettings settings, PrintWriter out,
                            PrintWriter err, RunProgress.Mode progress) {
        super(RunCommand.MIGRATE, db, settings, out, err, progress);
        this.planSettings = planSettings;
    }

    /** Runs migrate: what it announces as it goes is printed, how it ended is returned. */
    @Override
    public MigrationResult run() {
        long t0 = System.nanoTime();
        String schema = planSettings.schema();
        try (Connection c = connect(); RunLock lock = lock(); RunProgress shown = progress(); RunMetrics metrics = metrics(schema)) {
            StateStore.requireOwn(c); // migrate writes the state: never into a schema someone else planted
            if (org.uuidmig.engine.RollbackMarker.startedFor(c, schema)) {
                throw new UuidmigException(ExitCode.CHECKS_FAILED, "a rollback is under way (table uuidmig.rollback exists): "
                    + "finish it with uuidmig rollback before migrating again. Nothing was changed");
            }
            List<String> elsewhere = StateStore.unfinishedElsewhere(c, schema);
            if (!elsewhere.isEmpty()) {
                throw new UuidmigException(ExitCode.CHECKS_FAILED, "uuidmig's state records an unfinished migration or rollback of "
                    + "schema " + String.join(", ", elsewhere) + ", not " + schema + "; one at a time per database: finish it "
                    + "(uuidmig migrate --schema " + elsewhere.get(0) + ") or roll it back first. Nothing was changed");
            }
            Plan plan = PlanService.read(c, planSettings);
            List<StateStore.ColumnRow> state = StateStore.columns(c, schema);
            boolean resuming = !state.isEmpty();
            if (resuming) {
                refuseAnotherPlan(c, plan, state);
            }

            CheckReport pre = ValidationService.pre(c, plan, db, scans());
            if (pre.hasFailures()) {
                return new MigrationResult(Outcome.REFUSED, null, null, plan.toConvert().size(), pre, List.of(), 0, null, List.of());
            }
            if (!resuming && plan.toConvert().isEmpty()) {
                return new MigrationResult(Outcome.NOTHING_TO_DO, plan.users().name(), plan.users().targetKey(), 0, null, List.of(), 0,
                    null, List.of());
            }
            if (!settings.run().dryRun()) {
                // an older uuidmig's history table in the application's schema moves to uuidmig_history first
                HistoryTable.relocate(c, schema, out::println);
            }
            if (resuming && state.stream().allMatch(r -> r.step().equals(StepIds.DONE)) && plan.toConvert().isEmpty()
                && FlywayRunner.applied(c, db.settings())) {
                return MigrationResult.of(Outcome.ALREADY_MIGRATED, state.size());
            }

            if (!resuming && settings.run().phase() == Phase.CONTRACT && !settings.run().dryRun()) {
                throw new UuidmigException(ExitCode.CHECKS_FAILED, "nothing to contract: no expand phase has run on this database; "
                    + "run uuidmig migrate --phase expand first (or plain uuidmig migrate). Nothing was changed");
            }
            if (settings.run().dryRun()) {
                return dryRun(c, plan, state);
            }
            if (settings.run().phase() == Phase.EXPAND) {
                // the window's schema must be free (or uuidmig's own) before anything changes, not only at expand's end
                org.uuidmig.steps.BlueGreenWindow.requireFree(c, schema, settings.run().window().viewSchemaFor(schema));
            }
            StateStore.ensure(c);
            List<PlannedColumn> originals = originals(c, plan, state);
            UsersTable users = StateStore.users(c, schema);
            // uuidmig.control: what an operator set before this run (a pause, a swap hold, overrides) applies from the start
            RunControl control = RunControl.open(c, schema, command().word(), settings.backfill(), controlLines());
            StepContext ctx = new StepContext(db, c, plan.schema(), users, originals, settings, plan.serverVersionNum(), shown, control);
            StepPlan steps = Steps.forPlan(originals, swappedTables(c, schema), settings.run().phase(), settings.run().swapPerTable(), settings.backfill().reindex());
            StepRunner runner = runner(ctx);
            if (resuming && settings.run().phase() == Phase.CONTRACT
                && state.stream().allMatch(r -> r.step().equals(StepIds.VERIFY))) {
                // the usual way, not an interruption: expand finished, and contract takes it from there
                out.println("Contracting schema " + schema + ": every column was expanded and verified");
            } else if (resuming) {
                out.println("Resuming an interrupted migration of schema " + schema + ": "
                    + String.join("; ", StateStore.describeProgress(c, schema)));
            }
            // the health signals are watched while the steps run, on a connection of the monitor's own
            try (HealthMonitor health = health(ctx, metrics)) {
                if (settings.run().phase() == Phase.EXPAND) {
                    runner.run(steps);
                } else {
                    runThroughFlyway(c, runner, steps);
                }
            }
            return summary(c, runner, t0, settings.run().phase() == Phase.EXPAND ? Outcome.EXPAND_COMPLETE : Outcome.COMPLETE);
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    private MigrationResult dryRun(Connection c, Plan plan, List<StateStore.ColumnRow> state) throws SQLException {
        List<PlannedColumn> originals = state.isEmpty() ? plan.toConvert()
            : state.stream().map(StateStore.ColumnRow::original).toList();
        UsersTable users = state.isEmpty() ? plan.users() : StateStore.users(c, plan.schema());
        StepContext ctx = new StepContext(db, c, plan.schema(), users, originals, settings, plan.serverVersionNum(), RunProgress.off());
        List<DryRun.Column> columns = new ArrayList<>();
        for (PlannedColumn col : originals) {
            ForeignKey fk = col.userForeignKey(users);
            columns.add(new DryRun.Column(col.ref().toString(), col.type(), col.notNull(), fk == null ? null : fk.name(),
                col.ref() + " " + col.type() + (col.notNull() ? " NOT NULL" : " NULL")
                + ", FK " + (fk == null ? "none (one is added, NO ACTION)" : fk.name() + " " + fk.actionsSql())
                + ", " + col.indexes().size() + " indexes, keyset on " + (col.table().keyColumns().isEmpty() ? "ctid (no primary key)"
                : String.join(", ", col.table().keyColumns()))));
        }
        StepPlan steps = Steps.forPlan(originals, swappedTables(c, plan.schema()), settings.run().phase(),
            settings.run().swapPerTable(), settings.backfill().reindex());
        return MigrationResult.dryRun(new DryRun("uuidmig migrate --dry-run: nothing is changed. Plan (" + originals.size() + " columns):",
            columns, StepRunner.dryRun(ctx, steps), "Flyway records version " + FlywayRunner.VERSION + " in " + HistoryTable.of(plan.schema())));
    }

    /** Tables whose columns the state records as swapped (the swap transaction records it atomically). */
    private static java.util.Set<String> swappedTables(Connection c, String schema) throws SQLException {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (StateStore.ColumnRow r : StateStore.columns(c, schema)) {
            if (StepIds.SWAPPED.contains(r.step())) {
                out.add(r.table());
            }
        }
        return out;
    }

    /** The columns as they were before the migration: recorded once, then read back on every run. */
    private List<PlannedColumn> originals(Connection c, Plan plan, List<StateStore.ColumnRow> state) throws SQLException {
        if (state.isEmpty()) {
            StateStore.recordUsers(c, plan.users());
            int pos = 0;
            for (PlannedColumn col : plan.toConvert()) {
                StateStore.recordColumn(c, plan.schema(), col, pos++);
            }
            state = StateStore.columns(c, plan.schema());
        } else {
            List<String> asked = plan.columns().stream().filter(col -> col.state() == ColumnState.INTEGER)
                .map(col -> col.ref().toString()).toList();
            List<String> recorded = state.stream().map(r -> r.original().ref().toString()).toList();
            if (!recorded.containsAll(asked)) {
                List<String> extra = new ArrayList<>(asked);
                extra.removeAll(recorded);
                throw new UuidmigException(ExitCode.CHECKS_FAILED, "a migration of " + recorded
                    + " is under way; finish it (or roll it back) before adding " + extra);
            }
        }
        return state.stream().map(StateStore.ColumnRow::original).toList();
    }

    private void runThroughFlyway(Connection c, StepRunner runner, StepPlan steps) throws SQLException {
        HistoryTable.ensureSchema(c);
        // history says done, but state says otherwise (e.g. cleanup interrupted): finish without a new row
        FlywayRunner.run(db.settings(), new V2025_12_04_2215__migrate_user_references_to_uuid(() -> runner.run(steps)),
            FlywayRunner::applied);
    }

    /**
     * State belongs to a plan as well as a schema: a rerun whose users table or keys differ from the ones the
     * unfinished migration recorded would resume a different migration than it asks for, so it is refused.
     * (Columns asked for beyond the recorded ones are refused in {@link #originals}.)
     */
    private static void refuseAnotherPlan(Connection c, Plan plan, List<StateStore.ColumnRow> state) throws SQLException {
        UsersTable recorded = StateStore.users(c, plan.schema());
        UsersTable asked = plan.users();
        if (recorded == null || state.stream().allMatch(r -> r.step().equals(StepIds.DONE))) {
            return;
        }
        if (!recorded.name().equals(asked.name()) || !recorded.sourceKey().equals(asked.sourceKey())
            || !recorded.targetKey().equals(asked.targetKey())) {
            throw new UuidmigException(ExitCode.CHECKS_FAILED, "the unfinished migration of schema " + plan.schema() + " was planned for "
                + recorded.name() + "(" + recorded.sourceKey() + ") -> " + recorded.name() + "(" + recorded.targetKey() + "), this run asks for "
                + asked.name() + "(" + asked.sourceKey() + ") -> " + asked.name() + "(" + asked.targetKey() + "): rerun with the recorded "
                + (plan.settings().planFile() == null ? "--users-table and keys" : "users table and keys (in the plan file "
                + plan.settings().planFile() + ")") + " to finish it, or roll it back first. Nothing was changed");
        }
    }

    private MigrationResult summary(Connection c, StepRunner runner, long t0, Outcome outcome) throws SQLException {
        String schema = planSettings.schema();
        Map<String, Long> millis = runner.millisByTarget();
        Map<String, StateStore.TableRow> tables = StateStore.tables(c, schema);
        List<MigrationResult.Column> columns = new ArrayList<>();
        for (StateStore.ColumnRow r : StateStore.columns(c, schema)) {
            StateStore.TableRow t = tables.get(r.table());
            long rows = t == null || t.verifiedRows() == null ? (t == null || t.baseRows() == null ? 0 : t.baseRows()) : t.verifiedRows();
            long ms = millis.getOrDefault(r.original().ref().toString(), 0L) + millis.getOrDefault(r.table(), 0L);
            columns.add(new MigrationResult.Column(r.original().ref().toString(), rows, r.backfillRows(), ms,
                r.step().equals(StepIds.DONE) ? "done" : "at " + r.step()));
        }
        return new MigrationResult(outcome, null, null, columns.size(), null, columns, (System.nanoTime() - t0) / 1e9, null,
            runner.stepsDone());
    }
}
