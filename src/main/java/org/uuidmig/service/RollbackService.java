package org.uuidmig.service;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.check.NameClashes;
import org.uuidmig.config.MigrationSettings;
import org.uuidmig.config.RunCommand;
import org.uuidmig.db.Database;
import org.uuidmig.db.RunLock;
import org.uuidmig.engine.RollbackMarker;
import org.uuidmig.engine.RunControl;
import org.uuidmig.engine.StateStore;
import org.uuidmig.engine.StepContext;
import org.uuidmig.engine.StepIds;
import org.uuidmig.engine.StepPlan;
import org.uuidmig.engine.StepRunner;
import org.uuidmig.flyway.FlywayRunner;
import org.uuidmig.flyway.HistoryTable;
import org.uuidmig.flyway.V2025_12_04_2216__rollback_user_references_to_integer;
import org.uuidmig.health.HealthMonitor;
import org.uuidmig.metrics.RunMetrics;
import org.uuidmig.plan.ForeignKey;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.plan.UsersTable;
import org.uuidmig.report.DryRun;
import org.uuidmig.report.MigrationResult;
import org.uuidmig.report.RollbackResult.Outcome;
import org.uuidmig.report.RollbackResult;
import org.uuidmig.report.RunProgress;
import org.uuidmig.steps.Reverse;
import org.uuidmig.steps.RollbackSteps;

/**
 * rollback: undoes migrate from what it recorded in schema uuidmig, inside its own Flyway
 * migration (version 2025.12.04.2216). Before the swap it removes everything migrate added;
 * the last step drops schema uuidmig. Every step is idempotent, so a rerun resumes.
 */
public final class RollbackService extends StepsService {
    private static final Logger LOG = LoggerFactory.getLogger(RollbackService.class);

    private final String schema;

    public RollbackService(Database db, String schema, MigrationSettings settings, PrintWriter out, PrintWriter err,
                           RunProgress.Mode progress) {
        super(RunCommand.ROLLBACK, db, settings, out, err, progress);
        this.schema = schema;
    }

    /** Runs rollback: what it announces as it goes is printed, how it ended is returned. */
    @Override
    public RollbackResult run() {
        long t0 = System.nanoTime();
        try (Connection c = connect(); RunLock lock = lock(); RunProgress shown = progress(); RunMetrics metrics = metrics(schema)) {
            StateStore.requireOwn(c); // rollback writes the state: never into a schema someone else planted
            if (!settings.run().dryRun()) {
                // an older uuidmig's history table in the application's schema moves to uuidmig_history first
                HistoryTable.relocate(c, schema, out::println);
            }
            // the state of this schema only: a database may hold the record of other schemas' migrations too
            List<StateStore.ColumnRow> state = StateStore.columns(c, schema);
            if (state.isEmpty()) {
                return nothingRecorded(c);
            }
            List<String> elsewhere = StateStore.unfinishedElsewhere(c, schema);
            if (!elsewhere.isEmpty()) {
                throw new UuidmigException(ExitCode.CHECKS_FAILED, "uuidmig's state records an unfinished migration or rollback of "
                    + "schema " + String.join(", ", elsewhere) + " as well; one at a time per database: finish that one first. "
                    + "Nothing was changed");
            }
            List<PlannedColumn> originals = state.stream().map(StateStore.ColumnRow::original).toList();
            UsersTable users = StateStore.users(c, schema);
            String appSchema = schema;
            long swappedCount = state.stream().filter(r -> StepIds.SWAPPED.contains(r.step())).count();
            boolean reverse = RollbackMarker.startedFor(c, schema) || swappedCount == state.size();
            if (!reverse && swappedCount > 0) {
                throw new UuidmigException(ExitCode.CHECKS_FAILED, "some tables are swapped and some are not (an interrupted "
                    + "migrate --swap per_table): finish the migration with uuidmig migrate, then roll it back. Nothing was changed");
            }
            int serverVersion = serverVersionNum(c);
            List<PlannedColumn> columns = reverse ? Reverse.columns(originals, users) : originals;
            StepContext ctx = new StepContext(db, c, appSchema, reverse ? Reverse.users(users) : users, columns, settings,
                serverVersion, shown);
            java.util.Set<String> swappedBack = new java.util.HashSet<>();
            if (RollbackMarker.startedFor(c, schema)) {
                state.stream().filter(r -> r.step().equals(StepIds.SWAP)).forEach(r -> swappedBack.add(r.table()));
            }
            if (reverse) {
                refuseNameClashes(c, columns, state, swappedBack);
            }
            // before the swap, only the columns whose expand has run have objects of uuidmig (names of columns still
            // before expand may be held by someone else's objects, which rollback must not drop)
            List<PlannedColumn> expanded = state.stream().filter(r -> !NameClashes.beforeExpand(r.step()))
                .map(StateStore.ColumnRow::original).toList();
            StepPlan steps = reverse ? RollbackSteps.afterSwap(columns, swappedBack, users) : RollbackSteps.beforeSwap(appSchema, expanded, users);
            if (settings.run().dryRun()) {
                List<DryRun.Column> planned = new java.util.ArrayList<>();
                for (PlannedColumn col : originals) {
                    ForeignKey fk = col.userForeignKey(users);
                    planned.add(new DryRun.Column(col.ref().toString(), col.type(), col.notNull(), fk == null ? null : fk.name(),
                        col.ref() + " back to " + col.type() + (col.notNull() ? " NOT NULL" : " NULL")
                        + ", FK " + (fk == null ? "none" : fk.name() + " " + fk.actionsSql()) + ", " + col.indexes().size() + " indexes"));
                }
                DryRun plan = new DryRun("uuidmig rollback --dry-run: nothing is changed. " + (reverse
                    ? "The columns are uuid (swapped): rollback rebuilds the integer columns online and swaps them back ("
                    : "The migration has not swapped any column: rollback removes everything it added (") + originals.size() + " columns):",
                    planned, RollbackSteps.dryRun(ctx, steps), "Flyway records version " + FlywayRunner.nextRollbackVersion(c, schema)
                    + " (" + FlywayRunner.ROLLBACK_DESCRIPTION + ") in " + HistoryTable.of(schema)
                    + ", after deleting a failed row of " + FlywayRunner.VERSION + " if any");
                return new RollbackResult(Outcome.DRY_RUN, schema, List.of(), 0, plan, List.of(), List.of());
            }
            if (reverse) {
                out.println((RollbackMarker.startedFor(c, schema) ? "Resuming the rollback of" : "Rolling back")
                    + " a swapped migration of schema " + schema + ": rebuilding the integer columns online, then swapping them back");
                RollbackMarker.begin(c, schema);
            } else {
                out.println("Rolling back a migration of schema " + schema + " that has not swapped any column: removing what it added ("
                    + String.join("; ", StateStore.describeProgress(c, schema)) + ")");
            }
            // uuidmig.control: a pause, a swap hold or overrides set before this run apply from the start
            StepRunner runner = runner(ctx.withControl(RunControl.open(c, schema, command().word(), settings.backfill(), controlLines())));
            // the health signals are watched while the steps run; the monitor stops (and deletes its row) before the state goes
            try (HealthMonitor health = health(ctx, metrics)) {
                runThroughFlyway(c, () -> runner.run(steps));
            }
            // after Flyway has recorded the rollback: while schema uuidmig exists, a rerun knows what to finish
            List<String> others = StateStore.otherSchemas(c, schema);
            List<MigrationResult.Column> summary = summary(c, runner, reverse);
            RollbackSteps.dropState(ctx);
            return new RollbackResult(Outcome.COMPLETE, schema, others, (System.nanoTime() - t0) / 1e9, null, summary,
                runner.stepsDone());
        } catch (SQLException e) {
            throw translate(e);
        }
    }

    /**
     * Rollback after the swap creates, per column, the same temporary names as migrate (shadow column, sync trigger,
     * ledger triggers, index copies, NOT NULL check, FK): before a column's reverse expand has run, each must be free,
     * or the rollback would adopt and overwrite someone else's object (see {@link NameClashes}). Refuses with exit 1
     * before anything changes, naming each clash.
     */
    private void refuseNameClashes(Connection c, List<PlannedColumn> columns, List<StateStore.ColumnRow> state,
                                   java.util.Set<String> swappedBack) throws SQLException {
        boolean started = RollbackMarker.startedFor(c, schema);
        List<NameClashes.Target> targets = new java.util.ArrayList<>();
        for (PlannedColumn col : columns) {
            if (swappedBack.contains(col.ref().table())) {
                continue;
            }
            String step = state.stream().filter(r -> r.table().equals(col.ref().table()) && r.column().equals(col.ref().column()))
                .map(StateStore.ColumnRow::step).findFirst().orElse(null);
            boolean fk = !col.foreignKeys().isEmpty();
            targets.add(new NameClashes.Target(col, !started || NameClashes.beforeExpand(step), fk,
                fk ? col.foreignKeys().get(0).name() : null));
        }
        List<String> clashes = NameClashes.find(c, schema, targets);
        if (!clashes.isEmpty()) {
            throw new UuidmigException(ExitCode.CHECKS_FAILED, "rollback refused: names it would create already exist: "
                + String.join("; ", clashes) + ". They are not uuidmig's (it records what it creates): rename or drop them, "
                + "then rerun uuidmig rollback. Nothing was changed");
        }
    }

    /**
     * Per column, before the state is dropped: its table's rows (verified, else counted) and the rows the rollback's
     * backfill wrote (after the swap; none before it, where the rollback only removes what migrate added), and the time
     * this run spent on the column and its table.
     */
    private List<MigrationResult.Column> summary(Connection c, StepRunner runner, boolean reverse) throws SQLException {
        java.util.Map<String, StateStore.TableRow> tables = StateStore.tables(c, schema);
        java.util.Map<String, Long> millis = runner.millisByTarget();
        List<MigrationResult.Column> columns = new java.util.ArrayList<>();
        for (StateStore.ColumnRow r : StateStore.columns(c, schema)) {
            StateStore.TableRow t = tables.get(r.table());
            long rows = t == null || t.verifiedRows() == null ? (t == null || t.baseRows() == null ? 0 : t.baseRows()) : t.verifiedRows();
            String ref = r.original().ref().toString();
            columns.add(new MigrationResult.Column(ref, rows, reverse ? r.backfillRows() : 0,
                millis.getOrDefault(ref, 0L) + millis.getOrDefault(r.table(), 0L), "rolled back"));
        }
        return columns;
    }

    /** When migrate created its state (the earliest column record), or null without state. */
    private java.time.OffsetDateTime stateCreated(Connection c) throws SQLException {
        if (!StateStore.exists(c)) {
            return null;
        }
        try (var ps = c.prepareStatement("SELECT min(started_at) FROM uuidmig.columns WHERE table_schema = ?")) {
            ps.setString(1, schema);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getObject(1, java.time.OffsetDateTime.class) : null;
            }
        }
    }

    private static int serverVersionNum(Connection c) throws SQLException {
        try (var st = c.createStatement(); var rs = st.executeQuery("SHOW server_version_num")) {
            rs.next();
            return Integer.parseInt(rs.getString(1));
        }
    }

    /** No state: either nothing was ever migrated, or a rollback finished its work but not its Flyway row. */
    private RollbackResult nothingRecorded(Connection state) throws SQLException {
        List<String> others = StateStore.otherSchemas(state, schema);
        if (settings.run().dryRun()) {
            return RollbackResult.of(Outcome.DRY_RUN, schema, others);
        }
        try (Connection c = connect()) {
            if (FlywayRunner.rollbackFailed(c, db.settings())) {
                out.println("Finishing an interrupted rollback: its work is done; recording it in " + HistoryTable.of(schema));
                runThroughFlyway(c, () -> { });
                return RollbackResult.of(Outcome.RECORDED, schema, others);
            }
        } catch (SQLException e) {
            throw translate(e);
        } catch (FlywayException e) {
            LOG.debug("no Flyway history to finish", e);
        }
        return RollbackResult.of(Outcome.NOTHING_RECORDED, schema, others);
    }

    private void runThroughFlyway(Connection c, V2025_12_04_2216__rollback_user_references_to_integer.Work work)
        throws SQLException {
        HistoryTable.ensureSchema(c);
        int deleted = FlywayRunner.deleteFailedForwardRow(c, schema);
        if (deleted > 0) {
            LOG.info("deleted the failed Flyway row of {} left by an interrupted migrate", FlywayRunner.VERSION);
        }
        String version = FlywayRunner.nextRollbackVersion(c, schema);
        // recorded already: this rollback stopped before dropping schema uuidmig
        FlywayRunner.run(db.settings(), new V2025_12_04_2216__rollback_user_references_to_integer(version, work),
            flyway -> FlywayRunner.rollbackRecordedSince(c, schema, stateCreated(c)));
    }
}
