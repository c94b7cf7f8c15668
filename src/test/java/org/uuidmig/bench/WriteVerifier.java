package org.uuidmig.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks, after the migration, every row the workload wrote: it must exist (or be gone, if the
 * workload deleted it) and reference the right user: users.uuid of the intended user when the
 * column is uuid, users.id when it is still integer (a rolled-back migration).
 */
final class WriteVerifier {
    static final String CSV_HEADER = "table,key,user_id,deleted";

    /**
     * How a recorded key finds its row: {column of the table, expression of the recorded key e.k}.
     * A unique id, or a unique marker timestamp the workload wrote (µs since the epoch).
     */
    static final Map<String, String[]> KEY_MATCH = new LinkedHashMap<>();

    static {
        String marker = "timestamptz 'epoch' + e.k * interval '1 microsecond'";
        KEY_MATCH.put("chat_messages", new String[] {"id", "e.k"});
        KEY_MATCH.put("message_read_states", new String[] {"message_id", "e.k"});
        KEY_MATCH.put("chat_read_monitors", new String[] {"last_read_at", marker});
        KEY_MATCH.put("user_sessions", new String[] {"id", "e.k"});
        KEY_MATCH.put("service_requests", new String[] {"id", "e.k"});
        KEY_MATCH.put("user_roles", new String[] {"id", "e.k"});
        KEY_MATCH.put("user_request_assigns", new String[] {"id", "e.k"});
        KEY_MATCH.put("region_user_assigns", new String[] {"assigned_at", marker});
        KEY_MATCH.put("service_request_notes", new String[] {"id", "e.k"});
    }

    /** Per table: rows checked, lost (missing), wrong (other user), resurrected (deleted but present). */
    record Result(String table, long checked, long lost, long wrong, long resurrected, String type) {
    }

    static void write(Path file, Iterable<Workload.Written> rows) throws IOException {
        List<String> out = new ArrayList<>();
        out.add(CSV_HEADER);
        for (Workload.Written w : rows) {
            out.add(w.table() + "," + w.key() + "," + (w.uid() == null ? "" : w.uid()) + "," + w.deleted());
        }
        Files.write(file, out);
    }

    static List<Result> verify(Connection c, Path file) throws IOException, SQLException {
        Map<String, List<String[]>> byTable = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("table,")) {
                continue;
            }
            String[] f = line.split(",", -1);
            byTable.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f);
        }
        Map<String, Boolean> uuid = ColumnTypes.read(c);
        List<Result> out = new ArrayList<>();
        for (String table : KEY_MATCH.keySet()) {
            List<String[]> rows = byTable.getOrDefault(table, List.of());
            Long[] keys = new Long[rows.size()];
            Integer[] users = new Integer[rows.size()];
            Boolean[] deleted = new Boolean[rows.size()];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = Long.parseLong(rows.get(i)[1]);
                users[i] = rows.get(i)[2].isEmpty() ? null : Integer.valueOf(rows.get(i)[2]);
                deleted[i] = Boolean.parseBoolean(rows.get(i)[3]);
            }
            String col = ColumnTypes.COLUMNS.get(table);
            String key = uuid.get(table) ? "uuid" : "id";
            String sql = "SELECT count(*) FILTER (WHERE NOT e.deleted AND x.present IS NULL),"
                + " count(*) FILTER (WHERE NOT e.deleted AND x.present AND x.val IS DISTINCT FROM u." + key + "),"
                + " count(*) FILTER (WHERE e.deleted AND x.present)"
                + " FROM unnest(?::bigint[], ?::int[], ?::boolean[]) AS e(k, uid, deleted)"
                + " LEFT JOIN public.users u ON u.id = e.uid"
                + " LEFT JOIN (SELECT x." + KEY_MATCH.get(table)[0] + " AS m, true AS present, x." + col + " AS val FROM public."
                + table + " x) x ON x.m = " + KEY_MATCH.get(table)[1];
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setArray(1, c.createArrayOf("bigint", keys));
                ps.setArray(2, c.createArrayOf("integer", users));
                ps.setArray(3, c.createArrayOf("boolean", deleted));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    out.add(new Result(table, keys.length, rs.getLong(1), rs.getLong(2), rs.getLong(3), uuid.get(table) ? "uuid" : "integer"));
                }
            }
        }
        return out;
    }

    static String text(List<Result> results) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-24s %8s %8s %6s %6s %12s%n", "written rows", "checked",
            "type", "lost", "wrong", "resurrected"));
        long checked = 0;
        long bad = 0;
        for (Result r : results) {
            sb.append(String.format(Locale.ROOT, "  %-24s %8d %8s %6d %6d %12d%n", r.table(), r.checked(), r.type(), r.lost(), r.wrong(),
                r.resurrected()));
            checked += r.checked();
            bad += r.lost() + r.wrong() + r.resurrected();
        }
        sb.append(String.format(Locale.ROOT, "  %-24s %8d %8s %6s %6s %12s -> %d wrong or lost%n", "total", checked, "", "", "", "", bad));
        return sb.toString();
    }

    static String env(String prefix, List<Result> results) {
        long checked = 0;
        long lost = 0;
        long wrong = 0;
        for (Result r : results) {
            checked += r.checked();
            lost += r.lost() + r.resurrected();
            wrong += r.wrong();
        }
        return prefix + "_CHECKED=" + checked + "\n" + prefix + "_LOST=" + lost + "\n" + prefix + "_WRONG=" + wrong + "\n"
            + prefix + "_COLUMN_TYPE=" + (results.stream().allMatch(r -> r.type().equals("uuid")) ? "uuid"
                : results.stream().allMatch(r -> r.type().equals("integer")) ? "integer" : "mixed") + "\n";
    }
}
