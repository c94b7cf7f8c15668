package org.uuidmig.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.uuidmig.catalog.Catalog;
import org.uuidmig.config.Durations;

/**
 * uuidmig.control: an operator's control of a live migrate or rollback, one row per application schema, created
 * with the rest of the state ({@link StateStore#ensure}). A running migrate or rollback reads its schema's row at
 * most once a second ({@link RunControl}); {@code uuidmig pause}, {@code resume}, {@code set}, {@code hold-swap} and
 * {@code release-swap} write it, and so can a DBA with plain SQL from anywhere (docs/control.md). No row means the
 * defaults: not paused, swap not held, and the run's own --jobs, --max-batch-time and --batch-delay.
 * <p>
 * Columns: {@code paused}, {@code hold_swap}; {@code jobs}, {@code max_batch_time}, {@code batch_delay} (NULL: the
 * run's option; the CHECK constraints hold the options' ranges, so SQL cannot set what the option refuses);
 * {@code changed_at}, {@code changed_by}. Every change a command makes, and every change a run applies, is a row of
 * uuidmig.events with step {@value #EVENT_STEP} and the application schema as its target.
 */
public final class ControlTable {
    /** uuidmig.events.step of the control events. */
    public static final String EVENT_STEP = "control";

    private ControlTable() {
    }

    /** What can be controlled, with its column. */
    public enum Field {
        PAUSED("paused"), HOLD_SWAP("hold_swap"), JOBS("jobs"), MAX_BATCH_TIME("max-batch-time"), BATCH_DELAY("batch-delay");

        private final String word;

        Field(String word) {
            this.word = word;
        }

        /** As the commands and messages name it: "paused", "jobs", "max-batch-time". */
        public String word() {
            return word;
        }
    }

    /**
     * One schema's control.
     *
     * @param paused       no new backfill batch or step starts
     * @param holdSwap     the swap (and the swap back of a rollback) waits
     * @param jobs         override of --jobs, or null
     * @param maxBatchTime override of --max-batch-time, or null
     * @param batchDelay   override of --batch-delay, or null
     * @param changedAt    when the row last changed (null without a row)
     * @param changedBy    the role that changed it (null without a row)
     */
    public record State(boolean paused, boolean holdSwap, Integer jobs, Duration maxBatchTime, Duration batchDelay,
                        OffsetDateTime changedAt, String changedBy) {
        /** A schema without a row. */
        public static final State NONE = new State(false, false, null, null, null, null, null);

        /** Whether it asks for anything: a pause, a hold or an override. */
        public boolean asksAnything() {
            return paused || holdSwap || jobs != null || maxBatchTime != null || batchDelay != null;
        }

        /** The value of a field (null: no override). */
        public Object get(Field f) {
            return switch (f) {
                case PAUSED -> paused;
                case HOLD_SWAP -> holdSwap;
                case JOBS -> jobs;
                case MAX_BATCH_TIME -> maxBatchTime;
                case BATCH_DELAY -> batchDelay;
            };
        }

        /** This state with the fields of {@code change} set (a null value clears an override). */
        State with(Map<Field, Object> change) {
            State s = this;
            for (Map.Entry<Field, Object> e : change.entrySet()) {
                Object v = e.getValue();
                s = switch (e.getKey()) {
                    case PAUSED -> new State((Boolean) v, s.holdSwap, s.jobs, s.maxBatchTime, s.batchDelay, s.changedAt, s.changedBy);
                    case HOLD_SWAP -> new State(s.paused, (Boolean) v, s.jobs, s.maxBatchTime, s.batchDelay, s.changedAt, s.changedBy);
                    case JOBS -> new State(s.paused, s.holdSwap, (Integer) v, s.maxBatchTime, s.batchDelay, s.changedAt, s.changedBy);
                    case MAX_BATCH_TIME -> new State(s.paused, s.holdSwap, s.jobs, (Duration) v, s.batchDelay, s.changedAt, s.changedBy);
                    case BATCH_DELAY -> new State(s.paused, s.holdSwap, s.jobs, s.maxBatchTime, (Duration) v, s.changedAt, s.changedBy);
                };
            }
            return s;
        }

        /** "jobs=1", "max-batch-time=50ms", ...: the overrides set. */
        public List<String> overrides() {
            List<String> out = new ArrayList<>();
            for (Field f : List.of(Field.JOBS, Field.MAX_BATCH_TIME, Field.BATCH_DELAY)) {
                if (get(f) != null) {
                    out.add(f.word() + "=" + show(get(f)));
                }
            }
            return out;
        }
    }

    /** A value as the commands print it: "50ms", "2", "true". */
    public static String show(Object v) {
        return v instanceof Duration d ? Durations.describe(d) : String.valueOf(v);
    }

    /** The schema's control; {@link State#NONE} without the table (no state yet, or state made before it) or without a row. */
    public static State read(Connection c, String schema) throws SQLException {
        if (!Catalog.exists(c, "SELECT 1 WHERE to_regclass('uuidmig.control') IS NOT NULL")) {
            return State.NONE;
        }
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE table_schema = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? state(rs) : State.NONE;
            }
        }
    }

    private static final String SELECT = """
        SELECT paused, hold_swap, jobs,
               (pg_catalog.date_part('epoch', max_batch_time) * 1000000)::bigint,
               (pg_catalog.date_part('epoch', batch_delay) * 1000000)::bigint,
               changed_at, changed_by
          FROM uuidmig.control""";

    private static State state(ResultSet rs) throws SQLException {
        return new State(rs.getBoolean(1), rs.getBoolean(2), (Integer) rs.getObject(3), micros((Long) rs.getObject(4)),
            micros((Long) rs.getObject(5)), rs.getObject(6, OffsetDateTime.class), rs.getString(7));
    }

    private static Duration micros(Long us) {
        return us == null ? null : Duration.ofNanos(us * 1000);
    }

    /** An interval parameter: "0.000400 seconds", or null. */
    private static String interval(Duration d) {
        // in seconds with six decimals: PostgreSQL 12 and 13 refuse a microseconds field beyond 2^31 ("interval field value
        // out of range: 3600000000 microseconds", an hour)
        return d == null ? null : java.math.BigDecimal.valueOf(d.toNanos() / 1000, 6).toPlainString() + " seconds";
    }

    /** What {@link #change} did: the row before and after, and one line per field it changed. */
    public record Changed(State before, State after, List<String> changes) {
    }

    /**
     * Sets the fields of {@code change} in the schema's row (made if missing), in one transaction that locks the row,
     * so that two operators' changes do not overwrite each other; records every field that changed as a control event
     * ("set by operator: paused (role R, uuidmig pause)"). A field that already had the value asked for is not a change.
     *
     * @param change the fields to set; a null value clears an override (the run's option applies again)
     * @param via    how it was asked, for the event ("uuidmig pause")
     */
    public static Changed change(Connection c, String schema, Map<Field, Object> change, String via) throws SQLException {
        return Catalog.valueInTransaction(c, false, () -> {
            try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO uuidmig.control (table_schema) VALUES (?) ON CONFLICT (table_schema) DO NOTHING")) {
                ps.setString(1, schema);
                ps.executeUpdate();
            }
            State before;
            try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE table_schema = ? FOR UPDATE")) {
                ps.setString(1, schema);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    before = state(rs);
                }
            }
            State wanted = before.with(change);
            Map<Field, Object> changed = new LinkedHashMap<>();
            for (Field f : change.keySet()) {
                if (!Objects.equals(before.get(f), wanted.get(f))) {
                    changed.put(f, wanted.get(f));
                }
            }
            if (changed.isEmpty()) {
                return new Changed(before, before, List.of());
            }
            State after;
            try (PreparedStatement ps = c.prepareStatement("""
                UPDATE uuidmig.control SET paused = ?, hold_swap = ?, jobs = ?, max_batch_time = ?::interval,
                       batch_delay = ?::interval, changed_at = pg_catalog.now(), changed_by = current_user
                 WHERE table_schema = ?
                RETURNING paused, hold_swap, jobs, (pg_catalog.date_part('epoch', max_batch_time) * 1000000)::bigint,
                       (pg_catalog.date_part('epoch', batch_delay) * 1000000)::bigint, changed_at, changed_by""")) {
                ps.setBoolean(1, wanted.paused());
                ps.setBoolean(2, wanted.holdSwap());
                ps.setObject(3, wanted.jobs(), java.sql.Types.INTEGER);
                ps.setString(4, interval(wanted.maxBatchTime()));
                ps.setString(5, interval(wanted.batchDelay()));
                ps.setString(6, schema);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    after = state(rs);
                }
            }
            List<String> lines = new ArrayList<>();
            for (Map.Entry<Field, Object> e : changed.entrySet()) {
                String line = requested(e.getKey(), before.get(e.getKey()), e.getValue());
                lines.add(line);
                StateStore.event(c, EVENT_STEP, schema, "set by operator: " + line + " (role " + after.changedBy() + ", " + via + ")", null);
            }
            return new Changed(before, after, lines);
        });
    }

    /** "paused", "resumed", "swap held", "swap released", "jobs 2 -> 1", "max-batch-time 50ms -> the run's --max-batch-time". */
    private static String requested(Field f, Object before, Object after) {
        return switch (f) {
            case PAUSED -> Boolean.TRUE.equals(after) ? "paused" : "resumed";
            case HOLD_SWAP -> Boolean.TRUE.equals(after) ? "swap held" : "swap released";
            default -> f.word() + " " + (before == null ? "(the run's --" + f.word() + ")" : show(before)) + " -> "
                + (after == null ? "the run's --" + f.word() : show(after));
        };
    }

    /** A control event: when, and what. */
    public record Event(OffsetDateTime at, String message) {
    }

    /** The last {@code limit} control events of the schema, oldest first (none without state). */
    public static List<Event> events(Connection c, String schema, int limit) throws SQLException {
        List<Event> out = new ArrayList<>();
        if (!Catalog.exists(c, "SELECT 1 WHERE to_regclass('uuidmig.events') IS NOT NULL")) {
            return out;
        }
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT at, message FROM (SELECT id, at, message FROM uuidmig.events WHERE step = ? AND target = ?
                                      ORDER BY id DESC LIMIT ?) e ORDER BY id""")) {
            ps.setString(1, EVENT_STEP);
            ps.setString(2, schema);
            ps.setInt(3, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Event(rs.getObject(1, OffsetDateTime.class), rs.getString(2)));
                }
            }
        }
        return out;
    }
}
