package org.uuidmig.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the application believes about each user column: integer (before the swap) or uuid
 * (after it). Read from pg_attribute at start and again whenever a statement fails with a
 * type error, exactly like an application deployed alongside the swap would have to.
 */
final class ColumnTypes {
    /** table -> user column, the nine columns of the migration guide. */
    static final Map<String, String> COLUMNS = new LinkedHashMap<>();

    static {
        COLUMNS.put("chat_messages", "sender_id");
        COLUMNS.put("message_read_states", "user_id");
        COLUMNS.put("chat_read_monitors", "user_id");
        COLUMNS.put("user_sessions", "user_id");
        COLUMNS.put("service_requests", "requester_id");
        COLUMNS.put("user_roles", "user_id");
        COLUMNS.put("user_request_assigns", "user_id");
        COLUMNS.put("region_user_assigns", "user_id");
        COLUMNS.put("service_request_notes", "created_by");
    }

    private final Map<String, Boolean> uuid = new ConcurrentHashMap<>();

    /** The current belief, table -> true when the column is uuid. */
    Map<String, Boolean> snapshot() {
        return Map.copyOf(uuid);
    }

    /** Re-reads the column types (on c, committing if c is not in auto-commit); returns the fresh map. */
    synchronized Map<String, Boolean> refresh(Connection c) throws SQLException {
        Map<String, Boolean> fresh = read(c);
        uuid.putAll(fresh);
        if (!c.getAutoCommit()) {
            c.commit();
        }
        return fresh;
    }

    static Map<String, Boolean> read(Connection c) throws SQLException {
        Map<String, Boolean> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT c.relname, a.attname, a.atttypid = 'pg_catalog.uuid'::pg_catalog.regtype
              FROM pg_catalog.pg_attribute a
              JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped AND c.relname = ANY (?)""")) {
            ps.setArray(1, c.createArrayOf("text", COLUMNS.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(2).equals(COLUMNS.get(rs.getString(1)))) {
                        out.put(rs.getString(1), rs.getBoolean(3));
                    }
                }
            }
        }
        for (String t : COLUMNS.keySet()) {
            if (!out.containsKey(t)) {
                throw new SQLException("column public." + t + "." + COLUMNS.get(t) + " not found");
            }
        }
        return out;
    }

    /** True when one of the tables changed from what the transaction assumed. */
    static boolean changed(Map<String, Boolean> assumed, Map<String, Boolean> fresh, List<String> tables) {
        for (String t : tables) {
            if (!fresh.get(t).equals(assumed.get(t))) {
                return true;
            }
        }
        return false;
    }
}
