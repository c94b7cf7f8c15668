package org.uuidmig.estimate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.uuidmig.db.Sql;
import org.uuidmig.plan.IndexInfo;
import org.uuidmig.plan.Plan;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.plan.TableInfo;

/** Reads what the estimate needs from the catalog and the server's settings. Read-only. */
public final class EstimateFacts {
    /** Bytes of an index entry's header (IndexTupleData) and of its line pointer. */
    private static final int INDEX_TUPLE_HEADER = 8;
    private static final int LINE_POINTER = 4;
    /** A variable-width key with no statistics. */
    private static final int UNKNOWN_WIDTH = 16;

    private EstimateFacts() {
    }

    public static ServerFacts server(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT current_setting('server_version_num')::int, current_setting('block_size')::int, current_setting('wal_level'),
                       current_setting('full_page_writes')::bool, current_setting('wal_compression'),
                       current_setting('data_checksums')::bool, current_setting('wal_log_hints')::bool,
                       pg_catalog.pg_size_bytes(current_setting('max_wal_size')),
                       extract(epoch FROM current_setting('checkpoint_timeout')::interval)::bigint,
                       current_setting('checkpoint_completion_target')::float8""");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new ServerFacts(rs.getInt(1), rs.getInt(2), rs.getString(3), rs.getBoolean(4), rs.getString(5), rs.getBoolean(6),
                rs.getBoolean(7), rs.getLong(8), rs.getLong(9), rs.getDouble(10), horizonHolder(c));
        }
    }

    /**
     * What holds back VACUUM now, server-wide: a transaction that has been open for over a minute in any database (its
     * xid is in every snapshot, so uuidmig's own sessions' snapshots keep the dead rows too), a prepared transaction, or a
     * replication slot holding an xmin. Null when nothing does.
     */
    static String horizonHolder(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                (SELECT 'a transaction open for ' || date_trunc('second', now() - a.xact_start) || ' in database ' || quote_ident(a.datname)
                        || ' (pid ' || a.pid || coalesce(', ' || nullif(a.application_name, ''), '') || ', ' || a.state || ')'
                   FROM pg_catalog.pg_stat_activity a
                  WHERE a.pid <> pg_catalog.pg_backend_pid() AND a.xact_start < now() - interval '1 minute'
                    AND (a.backend_xid IS NOT NULL OR a.backend_xmin IS NOT NULL)
                  ORDER BY a.xact_start LIMIT 1)
                UNION ALL
                (SELECT 'the prepared transaction ' || quote_literal(p.gid) || ' (since ' || date_trunc('second', p.prepared) || ')'
                   FROM pg_catalog.pg_prepared_xacts p ORDER BY p.prepared LIMIT 1)
                UNION ALL
                (SELECT 'the replication slot ' || quote_ident(s.slot_name) || ' (its xmin)'
                   FROM pg_catalog.pg_replication_slots s WHERE s.xmin IS NOT NULL LIMIT 1)
                LIMIT 1""");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** The planned tables (of the columns still to convert), in plan order, each once. */
    public static List<TableFacts> tables(Connection c, Plan plan) throws SQLException {
        Map<String, List<PlannedColumn>> byTable = new LinkedHashMap<>();
        for (PlannedColumn col : plan.toConvert()) {
            byTable.computeIfAbsent(col.ref().table(), k -> new ArrayList<>()).add(col);
        }
        List<TableFacts> out = new ArrayList<>();
        for (List<PlannedColumn> cols : byTable.values()) {
            out.add(table(c, plan.schema(), cols));
        }
        return out;
    }

    private static TableFacts table(Connection c, String schema, List<PlannedColumn> cols) throws SQLException {
        TableInfo t = cols.get(0).table();
        long heap;
        int attributes;
        boolean nullable;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT pg_catalog.pg_relation_size(c.oid),
                       (SELECT coalesce(max(a.attnum), 0) FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0),
                       EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
                                  AND NOT a.attisdropped AND NOT a.attnotnull)
                  FROM pg_catalog.pg_class c WHERE c.oid = ?""")) {
            ps.setLong(1, t.oid());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                heap = rs.getLong(1);
                attributes = rs.getInt(2);
                nullable = rs.getBoolean(3);
            }
        }
        long rows = t.estimatedRows();
        boolean counted = false;
        if (rows <= 0 && heap > 0) {
            // never analysed (reltuples -1, or 0 with pages before PostgreSQL 14): count, one scan; a table the role may
            // not read is guessed at 100 bytes a row
            if (canSelect(c, t.oid())) {
                try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + Sql.qualified(schema, t.name()));
                     ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    rows = rs.getLong(1);
                    counted = true;
                }
            } else {
                rows = heap / 100;
            }
        }
        List<TableFacts.IndexFacts> indexes = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT ic.relname, pg_catalog.pg_relation_size(i.indexrelid), i.indisvalid AND i.indisready,
                       i.indkey[0] = (SELECT a.attnum FROM pg_catalog.pg_attribute a WHERE a.attrelid = i.indrelid AND a.attname = ?),
                       EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype = 'x'),
                       i.indexrelid
                  FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
                 WHERE i.indrelid = ? ORDER BY ic.relname""")) {
            ps.setString(1, t.keyColumns().isEmpty() ? null : t.keyColumns().get(0));
            ps.setLong(2, t.oid());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    PlannedColumn planned = null;
                    IndexInfo info = null;
                    for (PlannedColumn col : cols) {
                        for (IndexInfo i : col.indexes()) {
                            if (i.name().equals(name) && planned == null) {
                                planned = col;
                                info = i;
                            }
                        }
                    }
                    List<int[]> keys = keyWidths(c, schema, t.name(), rs.getLong(6));
                    int entry = entryBytes(keys, List.of());
                    int copy = info == null ? entry : entryBytes(keys, info.columnPositions());
                    boolean reindexed = planned == null && rs.getBoolean(3) && !rs.getBoolean(5) && !name.contains("_uuidmig_");
                    indexes.add(new TableFacts.IndexFacts(name, rs.getLong(2), planned == null ? null : planned.ref().column(),
                        rs.getBoolean(4), reindexed, entry, copy));
                }
            }
        }
        return new TableFacts(t.name(), rows, counted, heap, attributes, nullable, !t.keyColumns().isEmpty(), List.copyOf(indexes));
    }

    private static boolean canSelect(Connection c, long oid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.has_table_privilege(?::oid, 'SELECT')")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Each column of the index (key then INCLUDE): {length, alignment}; a variable width from pg_stats' avg_width. */
    private static List<int[]> keyWidths(Connection c, String schema, String table, long indexOid) throws SQLException {
        List<int[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT a.attlen, a.attalign,
                       (SELECT s.avg_width FROM pg_catalog.pg_stats s WHERE s.schemaname = ? AND s.tablename = ? AND s.attname = ta.attname)
                  FROM pg_catalog.pg_attribute a
                  JOIN pg_catalog.pg_index i ON i.indexrelid = a.attrelid
                  LEFT JOIN pg_catalog.pg_attribute ta ON ta.attrelid = i.indrelid AND ta.attnum = i.indkey[a.attnum - 1]
                 WHERE a.attrelid = ? AND a.attnum > 0 ORDER BY a.attnum""")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            ps.setLong(3, indexOid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int len = rs.getInt(1);
                    if (len < 0) {
                        Object avg = rs.getObject(3);
                        len = avg == null ? UNKNOWN_WIDTH : ((Number) avg).intValue();
                    }
                    out.add(new int[] {len, alignment(rs.getString(2).charAt(0))});
                }
            }
        }
        return out;
    }

    /**
     * Bytes of one index entry: line pointer, header, and the columns each at its alignment, the whole aligned to 8; the
     * columns at {@code uuidPositions} (0-based) as a uuid (16 bytes, alignment 1).
     */
    static int entryBytes(List<int[]> columns, List<Integer> uuidPositions) {
        int off = 0;
        for (int i = 0; i < columns.size(); i++) {
            int len = uuidPositions.contains(i) ? 16 : columns.get(i)[0];
            int align = uuidPositions.contains(i) ? 1 : columns.get(i)[1];
            off = (off + align - 1) / align * align + len;
        }
        return LINE_POINTER + EstimateModel.align8(INDEX_TUPLE_HEADER + off);
    }

    private static int alignment(char attalign) {
        return switch (attalign) {
            case 'd' -> 8;
            case 'i' -> 4;
            case 's' -> 2;
            default -> 1;
        };
    }
}
