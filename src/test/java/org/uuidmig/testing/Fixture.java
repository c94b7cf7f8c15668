package org.uuidmig.testing;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Facts about the servicecatalog fixture that tests assert against. */
public final class Fixture {
    /** The nine planned columns, table -> column. */
    public static final Map<String, String> COLUMNS = new LinkedHashMap<>();

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

    private Fixture() {
    }

    /**
     * For each planned table, the digest its rows must have after the migration: every row as
     * now, with the integer replaced by users.uuid of it (NULL stays NULL).
     */
    public static Map<String, String> expectedDigests(TestDb db) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : COLUMNS.entrySet()) {
            String t = e.getKey();
            String c = e.getValue();
            out.put(t, db.queryString("SELECT coalesce(md5(string_agg(r, '|' ORDER BY r)), 'empty') FROM (SELECT (to_jsonb(t) - '" + c
                + "' || jsonb_build_object('" + c + "', u.uuid))::text r FROM public." + t + " t LEFT JOIN public.users u ON u.id = t." + c + ") x"));
        }
        return out;
    }

    public static Map<String, String> digests(TestDb db) throws SQLException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String t : COLUMNS.keySet()) {
            out.put(t, CatalogSnapshot.tableDigest(db, "public." + t));
        }
        return out;
    }

    /** The catalog a correct migration leaves, derived from the catalog before it. */
    public static List<String> expectedCatalogAfter(List<String> before) {
        List<String> out = new java.util.ArrayList<>();
        for (String line : before) {
            String l = line;
            for (var e : COLUMNS.entrySet()) {
                l = l.replace("column " + e.getKey() + "." + e.getValue() + " integer", "column " + e.getKey() + "." + e.getValue() + " uuid");
                if (l.startsWith("constraint " + e.getKey() + ".") && l.contains("FOREIGN KEY (" + e.getValue() + ") REFERENCES users(id)")) {
                    l = l.replace("REFERENCES users(id)", "REFERENCES users(uuid)");
                }
            }
            out.add(l);
        }
        out.add("constraint service_request_notes.service_request_notes_created_by_fkey FOREIGN KEY (created_by) REFERENCES users(uuid)");
        java.util.Collections.sort(out);
        return out;
    }
}
