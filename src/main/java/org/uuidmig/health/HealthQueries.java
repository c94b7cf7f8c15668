package org.uuidmig.health;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The statistics the health signals are read from, one query each, for the {@link HealthMonitor}: views and columns
 * that PostgreSQL 12 to 18 all have. What a role may not read is a {@link Hidden} error, which makes the signal
 * unavailable rather than wrong.
 */
final class HealthQueries {
    private static final Logger LOG = LoggerFactory.getLogger(HealthQueries.class);

    private HealthQueries() {
    }

    /** A view or column that cannot be read by this role. */
    static final class Hidden extends SQLException {
        Hidden(String message) {
            super(message);
        }
    }

    /** Whether the role may read every session's details: superuser or pg_read_all_stats. */
    static boolean privileged(Connection c) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
            SELECT r.rolsuper OR pg_catalog.pg_has_role(r.oid, 'pg_read_all_stats', 'USAGE')
              FROM pg_catalog.pg_roles r WHERE r.rolname = current_user""")) {
            return rs.next() && rs.getBoolean(1);
        } catch (SQLException e) {
            LOG.debug("health: privileges not known: {}", e.getMessage());
            return false;
        }
    }

    /** A session counts as busy when it is in a statement or a transaction, or changed state this recently. */
    static final int BUSY_SECONDS = 2;

    /**
     * The server's client sessions, in any database, other than this process's ({@code excluded}) and this one, that are
     * busy: in a statement or a transaction now, or done with one within the last {@value #BUSY_SECONDS} s. An
     * application of a few transactions a second always has one; an idle pool has none.
     */
    static int busySessions(Connection c, List<Integer> excluded) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT count(*) FROM pg_catalog.pg_stat_activity a
             WHERE a.backend_type = 'client backend' AND a.pid <> pg_catalog.pg_backend_pid() AND a.pid <> ALL (?)
               AND (a.state IS DISTINCT FROM 'idle'
                    OR a.state_change > pg_catalog.now() - pg_catalog.make_interval(secs => ?))""")) {
            ps.setArray(1, c.createArrayOf("int4", excluded.toArray()));
            ps.setInt(2, BUSY_SECONDS);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** The walsenders, slowest first; Hidden when every one belongs to a role whose sessions this one may not read. */
    static List<HealthSnapshot.Standby> standbys(Connection c) throws SQLException {
        List<HealthSnapshot.Standby> out = new ArrayList<>();
        boolean hidden = false;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
            SELECT r.application_name, pg_catalog.host(r.client_addr), r.state,
                   (pg_catalog.date_part('epoch', r.replay_lag) * 1000000)::bigint, a.datid IS NULL
              FROM pg_catalog.pg_stat_replication r LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = r.pid
             ORDER BY r.replay_lag DESC NULLS LAST, r.application_name""")) {
            while (rs.next()) {
                if (rs.getString(3) == null) {
                    hidden = true; // another role's walsender, without pg_read_all_stats
                    continue;
                }
                Long us = (Long) rs.getObject(4);
                out.add(new HealthSnapshot.Standby(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(5),
                    us == null ? null : Duration.ofNanos(us * 1000)));
            }
        }
        if (hidden && out.isEmpty()) {
            throw new Hidden("the standbys' state and lag need pg_read_all_stats or superuser");
        }
        return out;
    }

    /** The replication slots that retain WAL, most demanding first. */
    static List<HealthSnapshot.Slot> slots(Connection c) throws SQLException {
        List<HealthSnapshot.Slot> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
            SELECT slot_name, slot_type, active,
                   pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), restart_lsn)::bigint AS retained
              FROM pg_catalog.pg_replication_slots WHERE restart_lsn IS NOT NULL ORDER BY retained DESC, slot_name""")) {
            while (rs.next()) {
                out.add(new HealthSnapshot.Slot(rs.getString(1), rs.getString(2), rs.getBoolean(3), Math.max(0, rs.getLong(4))));
            }
        }
        return out;
    }

    /**
     * The autovacuums to prevent wraparound working on one of {@code tables} ("schema.table"); Hidden without the
     * privilege to read the autovacuum workers' queries.
     */
    static List<HealthSnapshot.Vacuum> wraparound(Connection c, Set<String> tables, boolean privileged) throws SQLException {
        if (!privileged) {
            throw new Hidden("the autovacuum workers' queries need pg_read_all_stats or superuser");
        }
        List<HealthSnapshot.Vacuum> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
            SELECT a.pid, n.nspname, c.relname
              FROM pg_catalog.pg_stat_activity a
              JOIN pg_catalog.pg_stat_progress_vacuum v ON v.pid = a.pid
              JOIN pg_catalog.pg_class c ON c.oid = v.relid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE a.backend_type = 'autovacuum worker' AND a.query LIKE '%to prevent wraparound%'
               AND v.datname = pg_catalog.current_database()""")) {
            while (rs.next()) {
                String table = rs.getString(2) + "." + rs.getString(3);
                if (tables.contains(table)) {
                    out.add(new HealthSnapshot.Vacuum(table, rs.getInt(1)));
                }
            }
        }
        return out;
    }

    /**
     * The oldest transactions of the database that hold back cleanup (a snapshot or a transaction id), from client
     * sessions other than {@code excluded} and the caller's, and prepared transactions; at most {@code limit}, oldest first.
     */
    static List<HealthSnapshot.Transaction> transactions(Connection c, List<Integer> excluded, int limit) throws SQLException {
        List<HealthSnapshot.Transaction> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT * FROM (
                SELECT a.pid, (pg_catalog.date_part('epoch', pg_catalog.now() - a.xact_start) * 1000000)::bigint AS us,
                       a.application_name, a.usename::text, a.state
                  FROM pg_catalog.pg_stat_activity a
                 WHERE a.datname = pg_catalog.current_database() AND a.backend_type = 'client backend'
                   AND a.pid <> pg_catalog.pg_backend_pid() AND a.pid <> ALL (?) AND a.xact_start IS NOT NULL
                   AND (a.backend_xmin IS NOT NULL OR a.backend_xid IS NOT NULL)
                UNION ALL
                SELECT NULL, (pg_catalog.date_part('epoch', pg_catalog.now() - p.prepared) * 1000000)::bigint, NULL,
                       p.owner::text, 'prepared ' || pg_catalog.quote_literal(p.gid)
                  FROM pg_catalog.pg_prepared_xacts p WHERE p.database = pg_catalog.current_database()) t
             ORDER BY us DESC LIMIT ?""")) {
            ps.setArray(1, c.createArrayOf("int4", excluded.toArray()));
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new HealthSnapshot.Transaction((Integer) rs.getObject(1), Duration.ofNanos(Math.max(0, rs.getLong(2)) * 1000),
                        rs.getString(3), rs.getString(4), rs.getString(5)));
                }
            }
        }
        return out;
    }
}
