package org.uuidmig.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.config.PlanSettings;
import org.uuidmig.db.Database;
import org.uuidmig.db.Sql;
import org.uuidmig.engine.StateStore;
import org.uuidmig.engine.StepIds;
import org.uuidmig.flyway.FlywayRunner;
import org.uuidmig.plan.ColumnState;
import org.uuidmig.plan.Plan;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.report.StatusReport.Stage;
import org.uuidmig.report.StatusReport;
import org.uuidmig.sql.TempNames;

/**
 * status: reads, and changes nothing. uuidmig's state (uuidmig.columns, uuidmig.tables) says
 * which step each column has completed and how far its backfill is; without state, the
 * catalog says whether the columns are still integers or were converted some other way.
 * Flyway's history row and alembic_version are reported as they are, and so is the live control of the
 * schema's runs (uuidmig.control, the run active now, the last control events).
 */
public final class StatusService {
    private StatusService() {
    }

    public static StatusReport read(Database db, PlanSettings planSettings) {
        try (Connection c = db.connectToPrimary("status")) {
            return read(c, PlanService.read(c, planSettings), ValidationService.where(db));
        } catch (SQLException e) {
            throw new UuidmigException(ExitCode.UNEXPECTED, "cannot read the migration state: " + e.getMessage()
                + (e.getSQLState() == null ? "" : " [SQLSTATE " + e.getSQLState() + "]"), e);
        }
    }

    static StatusReport read(Connection c, Plan plan, String where) throws SQLException {
        // the state of this schema only: a database may hold the record of other schemas' migrations too
        List<StateStore.ColumnRow> state = StateStore.columns(c, plan.schema());
        StatusReport.FlywayRow flyway = flyway(c, plan.schema());
        String alembic = alembic(c, plan.schema());
        boolean flywaySuccess = flyway.recorded() && Boolean.TRUE.equals(flyway.success());

        List<StatusReport.Column> columns = new ArrayList<>();
        Stage stage;
        String summary;
        boolean withoutState = false;
        if (state.isEmpty()) {
            for (PlannedColumn col : plan.columns()) {
                String step = switch (col.state()) {
                    case INTEGER -> "not started";
                    case ALREADY_UUID -> "uuid, not by uuidmig";
                    default -> col.state().name().toLowerCase().replace('_', ' ');
                };
                columns.add(new StatusReport.Column(col.ref().table(), col.ref().column(),
                    type(c, plan.schema(), col.ref().table(), col.ref().column()), step, null, null, null, false,
                    syncTrigger(c, plan.schema(), col.ref().table(), col.ref().column())));
            }
            long uuid = plan.columns().stream().filter(col -> col.state() == ColumnState.ALREADY_UUID).count();
            long integer = plan.columns().stream().filter(col -> col.state() == ColumnState.INTEGER).count();
            RolledBack rolledBack = rolledBack(c, plan.schema());
            withoutState = (uuid > 0 || flywaySuccess) && !(rolledBack != null && integer == plan.columns().size());
            if (rolledBack != null && integer == plan.columns().size()) {
                // the rollback dropped uuidmig's state; Flyway's history in the schema keeps its record
                stage = Stage.ROLLED_BACK;
                summary = "rolled back: uuidmig rollback finished on " + rolledBack.on() + " (Flyway version " + rolledBack.version()
                    + "); all " + integer + " planned columns hold integers referencing " + plan.users().name() + "("
                    + plan.users().sourceKey() + ") again";
            } else if (!withoutState && integer == 0) {
                stage = Stage.UNKNOWN;
                summary = "none of the " + plan.columns().size() + " planned columns is an integer or uuid reference in schema "
                    + plan.schema() + " (see the column list): the wrong database or --schema, or a plan that needs "
                    + (plan.settings().planFile() == null ? "--column" : "other columns in the plan file " + plan.settings().planFile());
            } else if (!withoutState) {
                stage = Stage.NOT_STARTED;
                summary = "not started: " + integer + " of " + plan.columns().size() + " planned columns hold integers, and uuidmig "
                    + "has no state for schema " + plan.schema() + " in this database";
            } else if (uuid == plan.columns().size()) {
                stage = Stage.MIGRATED_WITHOUT_STATE;
                summary = "every planned column is uuid referencing " + plan.users().name() + "(" + plan.users().targetKey()
                    + "), but uuidmig has no state here: migrated by other means, or the " + StateStore.SCHEMA
                    + " schema was dropped (validate-post needs that state)";
            } else {
                stage = Stage.UNKNOWN;
                summary = uuid + " of " + plan.columns().size() + " planned columns are uuid, " + integer + " integer"
                    + (flywaySuccess ? ", Flyway records the migration as done" : "")
                    + ", and uuidmig has no state: changed by other means; run uuidmig validate-pre for details";
            }
        } else {
            Map<String, StateStore.TableRow> tables = StateStore.tables(c, plan.schema());
            long rows = 0;
            long base = 0;
            for (StateStore.ColumnRow r : state) {
                StateStore.TableRow t = tables.get(r.table());
                Long baseRows = t == null ? null : t.baseRows();
                Integer pct = r.backfillDone() ? Integer.valueOf(100)
                    : baseRows == null ? null
                    : baseRows == 0 ? Integer.valueOf(0)
                    : Integer.valueOf((int) Math.min(100, r.backfillRows() * 100 / baseRows));
                columns.add(new StatusReport.Column(r.table(), r.column(), type(c, r.schema(), r.table(), r.column()), r.step(),
                    r.backfillRows(), baseRows, pct, r.backfillDone(), syncTrigger(c, r.schema(), r.table(), r.column())));
                rows += r.backfillRows();
                base += baseRows == null ? 0 : baseRows;
            }
            long done = state.stream().filter(r -> r.step().equals(StepIds.DONE)).count();
            long swapped = state.stream().filter(r -> StepIds.SWAPPED.contains(r.step())).count();
            long verified = state.stream().filter(r -> r.step().equals(StepIds.VERIFY)).count();
            long backfilled = state.stream().filter(StateStore.ColumnRow::backfillDone).count();
            int n = state.size();
            if (done == n) {
                stage = Stage.DONE;
                summary = "done: all " + n + " columns are uuid references"
                    + (flywaySuccess ? "; Flyway records version " + FlywayRunner.VERSION + " as successful" : "");
            } else if (swapped == n) {
                stage = Stage.SWAPPED;
                summary = "swapped: all " + n + " columns are uuid; the clean-up has not finished (rerun uuidmig migrate)";
            } else if (verified == n) {
                stage = Stage.EXPANDED;
                summary = "expanded: all " + n + " columns backfilled and verified, kept in sync by triggers; "
                    + "uuidmig migrate --phase contract swaps them";
            } else {
                stage = Stage.IN_PROGRESS;
                summary = "in progress: " + backfilled + " of " + n + " columns backfilled ("
                    + String.format("%,d", rows) + " of " + String.format("%,d", base) + " rows counted before the backfill)"
                    + (swapped > 0 ? ", " + swapped + " swapped" : "") + "; rerun uuidmig migrate to continue";
            }
        }
        if (!state.isEmpty()) {
            summary += window(c, plan.schema());
        }
        StatusReport.Control control = ControlService.view(c, plan.schema());
        return new StatusReport(where, plan.schema(), stage.json(), summary, withoutState, columns, flyway, alembic, control,
            control.activeRun() == null ? null : health(c, plan.schema()));
    }

    /**
     * The schema's last health sample (uuidmig.health, written by the active run's health monitor about once a second and
     * deleted when it stops), or null when there is none.
     */
    static StatusReport.Health health(Connection c, String schema) throws SQLException {
        if (!tableExists(c, "uuidmig.health")) {
            return null;
        }
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT command, snapshot::text, pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() - sampled_at)::float8
              FROM uuidmig.health WHERE table_schema = ?""")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                com.fasterxml.jackson.databind.JsonNode doc;
                try {
                    doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(rs.getString(2));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new SQLException("uuidmig.health holds a sample status cannot read: " + e.getMessage(), e);
                }
                List<StatusReport.HealthSignal> signals = new ArrayList<>();
                for (com.fasterxml.jackson.databind.JsonNode n : doc.path("signals")) {
                    signals.add(new StatusReport.HealthSignal(n.path("signal").asText(), n.path("over").asBoolean(),
                        n.path("value").isNumber() ? n.path("value").asDouble() : null, n.path("bound").asDouble(),
                        n.path("detail").isTextual() ? n.path("detail").asText() : null,
                        n.path("unavailable").isTextual() ? n.path("unavailable").asText() : null, n.path("text").asText()));
                }
                return new StatusReport.Health(rs.getString(1), doc.path("sampledAt").asText(), Math.max(0, rs.getDouble(3)),
                    doc.path("overBound").asText("none"), signals);
            }
        }
    }

    /** "; blue-green window open since ... (writes per side)", or "" when none is open. */
    private static String window(Connection c, String schema) throws SQLException {
        StateStore.CreatedObject rec = org.uuidmig.steps.BlueGreenWindow.recorded(c, schema);
        if (rec == null) {
            return "";
        }
        String since = "?";
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT created_at::timestamp(0)::text FROM uuidmig.created_objects WHERE table_schema = ? AND kind = ?")) {
            ps.setString(1, schema);
            ps.setString(2, StateStore.VIEW_SCHEMA);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    since = rs.getString(1);
                }
            }
        }
        long[] w = org.uuidmig.steps.BlueGreenWindow.writes(c, schema);
        return "; blue-green window open since " + since + " (views in schema " + rec.name() + "; green connects with search_path = "
            + rec.name() + ", " + schema + "): " + w[0] + " writes through the integer columns (blue) and " + w[1]
            + " through the views (green) since";
    }

    /** Always with seconds: LocalDateTime.toString() leaves them out when they are 0. */
    private static final java.time.format.DateTimeFormatter SECONDS = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /** The latest successful rollback row in Flyway's history. */
    private record RolledBack(String version, String on) {
    }

    /**
     * The last successful rollback recorded in Flyway's history of {@code schema}, when it is newer than the last
     * successful migration there (a rollback drops schema uuidmig, so its history row is what remains of it); else null.
     */
    private static RolledBack rolledBack(Connection c, String schema) throws SQLException {
        String table = org.uuidmig.flyway.HistoryTable.find(c, schema).qualified();
        if (!tableExists(c, table)) {
            return null;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT version, description, installed_on FROM " + table
            + " WHERE success AND (version = ? OR description = ?) ORDER BY installed_rank DESC LIMIT 1")) {
            ps.setString(1, FlywayRunner.VERSION);
            ps.setString(2, FlywayRunner.ROLLBACK_DESCRIPTION);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && FlywayRunner.ROLLBACK_DESCRIPTION.equals(rs.getString(2))) {
                    LocalDateTime on = rs.getObject(3, LocalDateTime.class);
                    return new RolledBack(rs.getString(1), on == null ? "?" : on.format(SECONDS));
                }
            }
        }
        return null;
    }

    private static String type(Connection c, String schema, String table, String column) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = to_regclass(?) AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped""")) {
            ps.setString(1, Sql.qualified(schema, table));
            ps.setString(2, column);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static boolean syncTrigger(Connection c, String schema, String table, String column) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT 1 FROM pg_catalog.pg_trigger WHERE tgrelid = to_regclass(?) AND tgname = ? AND NOT tgisinternal")) {
            ps.setString(1, Sql.qualified(schema, table));
            ps.setString(2, TempNames.syncTrigger(column));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static boolean tableExists(Connection c, String qualified) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, qualified);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static StatusReport.FlywayRow flyway(Connection c, String schema) throws SQLException {
        String table = org.uuidmig.flyway.HistoryTable.find(c, schema).qualified();
        if (tableExists(c, table)) {
            try (PreparedStatement ps = c.prepareStatement("SELECT description, success, installed_on FROM " + table
                + " WHERE version = ? ORDER BY installed_rank DESC LIMIT 1")) {
                ps.setString(1, FlywayRunner.VERSION);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        LocalDateTime on = rs.getObject(3, LocalDateTime.class);
                        return new StatusReport.FlywayRow(table, FlywayRunner.VERSION, true, rs.getString(1), rs.getBoolean(2),
                            on == null ? null : on.toString());
                    }
                }
            }
        }
        return new StatusReport.FlywayRow(table, FlywayRunner.VERSION, false, null, null, null);
    }

    private static String alembic(Connection c, String schema) throws SQLException {
        String table = Sql.qualified(schema, "alembic_version");
        if (!tableExists(c, table)) {
            return null;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT string_agg(version_num, ',' ORDER BY version_num) FROM " + table);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1) == null ? "" : rs.getString(1);
        }
    }
}
