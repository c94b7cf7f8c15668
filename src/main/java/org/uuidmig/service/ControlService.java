package org.uuidmig.service;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.config.Durations;
import org.uuidmig.db.Database;
import org.uuidmig.db.RunLock;
import org.uuidmig.engine.ControlTable;
import org.uuidmig.engine.StateStore;
import org.uuidmig.report.StatusReport;

/**
 * pause, resume, set, hold-swap, release-swap: write the schema's row of uuidmig.control (docs/control.md), which a
 * running migrate or rollback reads about once a second and the next run reads at its start. The state schema is made
 * if it is missing, under the rules of every command that writes it: it must be uuidmig's own
 * ({@link StateStore#requireOwn}, exit 1 otherwise).
 */
public final class ControlService {
    private static final Logger LOG = LoggerFactory.getLogger(ControlService.class);
    /** How many control events status and the control commands show. */
    static final int EVENTS_SHOWN = 10;

    private ControlService() {
    }

    /**
     * What a control command did.
     *
     * @param database "host:port/database"
     * @param schema   the application schema whose control it changed
     * @param changes  one line per field that changed ("pause", "jobs 2 -> 1"); empty when everything already was as asked
     * @param control  the control as it is now, with the run active on the database and the last control events
     */
    public record Outcome(String database, String schema, List<String> changes, StatusReport.Control control) {
    }

    /**
     * Sets the fields of {@code change} (a null value clears an override) in the row of the connection's schema.
     *
     * @param command the command's name ("pause"), for its session's application_name and the event
     */
    public static Outcome change(Database db, String command, Map<ControlTable.Field, Object> change) {
        String schema = db.settings().schema();
        try (Connection c = db.connectToPrimary(command)) {
            StateStore.ensure(c);
            ControlTable.Changed changed = ControlTable.change(c, schema, change, "uuidmig " + command);
            changed.changes().forEach(line -> LOG.info("control of schema {}: set by operator: {}", schema, line));
            return new Outcome(ValidationService.where(db), schema, changed.changes(), view(c, schema));
        } catch (SQLException e) {
            throw new UuidmigException(ExitCode.UNEXPECTED, "cannot change uuidmig.control: " + e.getMessage()
                + (e.getSQLState() == null ? "" : " [SQLSTATE " + e.getSQLState() + "]"), e);
        }
    }

    /** The schema's control as status shows it: the row (defaults without one), the active run, the last control events. */
    static StatusReport.Control view(Connection c, String schema) throws SQLException {
        ControlTable.State s = ControlTable.read(c, schema);
        List<StatusReport.Event> events = ControlTable.events(c, schema, EVENTS_SHOWN).stream()
            .map(e -> new StatusReport.Event(e.at().toString(), e.message())).toList();
        return new StatusReport.Control(s.paused(), s.holdSwap(), s.jobs(), show(s.maxBatchTime()), show(s.batchDelay()),
            s.changedAt() == null ? null : s.changedAt().toString(), s.changedBy(), RunLock.activeRun(c), events);
    }

    private static String show(Duration d) {
        return d == null ? null : Durations.describe(d);
    }
}
