package org.uuidmig.estimate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.uuidmig.config.BackfillPolicy;
import org.uuidmig.db.SqlState;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.plan.UsersTable;
import org.uuidmig.sql.MigrationSql;

/**
 * The sample batch of {@code plan --estimate}, one per planned column: in one transaction that is always ROLLED BACK, it
 * finds the first batch's range as the backfill does, reads the range once as the checks do, rewrites its rows with an
 * UPDATE joined to the users table (see {@link MigrationSql#sampleBackfill}), notes the table locks it held, and times
 * each. Nothing it does is kept: no column is added (that would take ACCESS EXCLUSIVE), no row changes. What stays, as
 * after any rolled-back UPDATE, is the dead row versions (and their index entries) it wrote, until the next vacuum.
 * Lock: ROW EXCLUSIVE on the table (the application's reads and writes go on), ACCESS SHARE on the users table, and
 * the row locks of the batch's rows until the rollback, a few milliseconds; every wait is bounded by the session's
 * lock_timeout (--lock-timeout), and a sample that runs into it is given up, not retried.
 * Transaction: one, rolled back.
 */
public final class SampleBatch {
    private static final Logger LOG = LoggerFactory.getLogger(SampleBatch.class);
    private static final double DEFAULT_ROWS_PER_PAGE = 50;
    /** The second sample rewrites at most 1/MAX_SHARE of the table. */
    static final long MAX_SHARE = 20;

    private SampleBatch() {
    }

    /**
     * Samples one column: a first batch of --batch-size rows, twice (the first run reads cold pages and caches, so the
     * faster of the two sizes what follows); then, when --max-batch-time would let the migration's batches grow well
     * beyond that, a batch of the size they grow to (at least twice the first, at most 100,000 rows and a twentieth of
     * the table), whose per-row time is the one used: a small batch spends a larger share of its time on what every
     * batch costs once (the users table's hash, the plan). Each runs in its own transaction, rolled back.
     */
    public static Sample run(Connection c, String schema, UsersTable users, PlannedColumn col, BackfillPolicy policy,
                             int serverVersionNum) throws SQLException {
        int first = (int) Math.max(EstimateModel.MIN_BATCH, Math.min(EstimateModel.MAX_BATCH, policy.batchSize()));
        String set = setColumn(c, col);
        Sample cold = once(c, schema, users, col, first, serverVersionNum, set);
        if (!cold.sampled()) {
            return cold;
        }
        Sample warm = once(c, schema, users, col, first, serverVersionNum, set);
        Sample s = warm.sampled() && warm.updateSecondsPerRow() < cold.updateSecondsPerRow() ? warm : cold;
        s = s.plusDeadRows((s == warm ? cold : warm).deadRows());
        if (policy.maxBatchTime().isZero() || s.coveredRows() < first) {
            return s;
        }
        long grown = Math.round(policy.maxBatchTime().toNanos() / 1e9 / Math.max(s.updateSecondsPerRow(), 1e-9));
        // each sampled row leaves a dead version until the next vacuum: at most a twentieth of the table
        long cap = Math.max(first, Math.max(col.table().estimatedRows(), 0) / MAX_SHARE);
        int size = (int) Math.min(Math.min(EstimateModel.MAX_BATCH, Math.max(grown, 2L * first)), cap);
        if (size < first * 3L / 2) {
            return s;
        }
        Sample second = once(c, schema, users, col, size, serverVersionNum, set);
        return second.sampled() ? second.withFixedCostFrom(s).plusDeadRows(s.deadRows()) : s;
    }

    /** One sample batch of {@code rows} rows from the start of the table, rolled back. */
    private static Sample once(Connection c, String schema, UsersTable users, PlannedColumn col, int rows, int serverVersionNum,
                               String set) throws SQLException {
        String name = col.ref().toString();
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            List<String> bound = null;
            String range;
            long boundNanos = 0;
            List<String> key = col.table().keyColumns();
            List<String> types = col.table().keyTypes();
            long pages = 0;
            if (!key.isEmpty()) {
                long t0 = System.nanoTime();
                try (PreparedStatement ps = c.prepareStatement(MigrationSql.nextKeysetBound(schema, col, key, types, false))) {
                    ps.setInt(1, rows - 1);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            bound = new ArrayList<>();
                            for (int i = 1; i <= key.size(); i++) {
                                bound.add(rs.getString(i));
                            }
                        }
                    }
                }
                boundNanos = System.nanoTime() - t0;
                range = bound == null ? null : MigrationSql.sampleKeysetRange(key, types);
            } else {
                pages = Math.max(1, (long) Math.ceil(rows / rowsPerPage(c, col)));
                range = MigrationSql.sampleCtidRange(serverVersionNum);
            }
            // the read first: for a page range, the UPDATE moves the rows it rewrites out of the range
            long t0 = System.nanoTime();
            long covered;
            try (PreparedStatement ps = c.prepareStatement(MigrationSql.sampleRead(schema, col, users, range))) {
                bind(ps, bound, pages);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    covered = rs.getLong(1);
                }
            }
            long readNanos = System.nanoTime() - t0;
            t0 = System.nanoTime();
            int updated;
            try (PreparedStatement ps = c.prepareStatement(MigrationSql.sampleBackfill(schema, col, users, set, range))) {
                bind(ps, bound, pages);
                updated = ps.executeUpdate();
            }
            long updateNanos = System.nanoTime() - t0;
            List<String> locks = locks(c, schema, users);
            if (covered == 0) {
                return Sample.notSampled(name, Sample.Outcome.EMPTY, "no row in the table's first pages");
            }
            LOG.info("estimate: sample of {}: {} rows ({} rewritten) in {} ms, rolled back", name, covered, updated,
                String.format(java.util.Locale.ROOT, "%.1f", (updateNanos + boundNanos) / 1e6));
            return new Sample(name, Sample.Outcome.SAMPLED, null, covered, updated, updateNanos, boundNanos, readNanos, set,
                triggers(c, col, set), locks, updated, 0, 0);
        } catch (SQLException e) {
            if (SqlState.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                LOG.warn("estimate: sample of {} not run: {}", name, e.getMessage());
                return Sample.notSampled(name, Sample.Outcome.LOCK_TIMEOUT, "a lock it needed (a row of its first batch, or the "
                    + "table) was held by another session beyond --lock-timeout (" + firstLine(e.getMessage()) + ")");
            }
            if (SqlState.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
                return Sample.notSampled(name, Sample.Outcome.NOT_ALLOWED, "this role may not update the table ("
                    + firstLine(e.getMessage()) + "); migrate must run as a role that may");
            }
            throw e;
        } finally {
            c.rollback();
            c.setAutoCommit(autoCommit);
        }
    }

    private static void bind(PreparedStatement ps, List<String> bound, long pages) throws SQLException {
        if (bound != null) {
            for (int i = 0; i < bound.size(); i++) {
                ps.setString(i + 1, bound.get(i));
            }
        } else if (pages > 0) {
            ps.setLong(1, 0);
            ps.setLong(2, pages);
        }
    }

    /**
     * The column the sample sets to itself, so that it rewrites each row as the backfill does: like the shadow column,
     * one in no index (an index on it would change which updates can be HOT), no key of a constraint, no trigger's
     * column list (such a trigger would fire for the sample and not for the backfill), not generated and not an identity
     * ALWAYS column; fixed-width first. Without one, the planned column itself.
     */
    static String setColumn(Connection c, PlannedColumn col) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT a.attname FROM pg_catalog.pg_attribute a
                 WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' AND a.attidentity <> 'a'
                   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = a.attrelid AND a.attnum = ANY (i.indkey::int2[]))
                   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_index i ON i.indexrelid = d.objid
                                    WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
                                      AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum)
                   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conrelid = a.attrelid AND a.attnum = ANY (k.conkey)
                                      AND k.contype IN ('p', 'u', 'f', 'x'))
                   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t WHERE t.tgrelid = a.attrelid AND a.attnum = ANY (t.tgattr::int2[]))
                   AND pg_catalog.has_column_privilege(a.attrelid, a.attnum, 'UPDATE')
                 ORDER BY a.attlen < 0, a.attlen, a.attnum LIMIT 1""")) {
            ps.setLong(1, col.table().oid());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : col.ref().column();
            }
        }
    }

    /** The lock modes from weakest to strongest. */
    private static final List<String> MODES = List.of("AccessShareLock", "RowShareLock", "RowExclusiveLock",
        "ShareUpdateExclusiveLock", "ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock");

    /**
     * The strongest table lock this transaction holds on each table of the schema and on the users table, "RowExclusiveLock
     * on t", in table order.
     */
    private static List<String> locks(Connection c, String schema, UsersTable users) throws SQLException {
        java.util.Map<String, String> strongest = new java.util.TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT r.relname, l.mode FROM pg_catalog.pg_locks l
                  JOIN pg_catalog.pg_class r ON r.oid = l.relation JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace
                 WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND r.relkind IN ('r', 'p')
                   AND n.nspname IN (?, ?)""")) {
            ps.setString(1, schema);
            ps.setString(2, users.schema());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    strongest.merge(rs.getString(1), rs.getString(2), (a, b) -> MODES.indexOf(a) >= MODES.indexOf(b) ? a : b);
                }
            }
        }
        return strongest.entrySet().stream().map(e -> e.getValue() + " on " + e.getKey()).toList();
    }

    /** The table's enabled user triggers that an UPDATE of {@code set} fires (and that every backfill batch fires too). */
    private static List<String> triggers(Connection c, PlannedColumn col, String set) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT t.tgname FROM pg_catalog.pg_trigger t
                 WHERE t.tgrelid = ? AND NOT t.tgisinternal AND t.tgenabled <> 'D' AND (t.tgtype & 16) <> 0
                   AND (cardinality(t.tgattr::int2[]) = 0
                        OR (SELECT a.attnum FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.tgrelid AND a.attname = ?) = ANY (t.tgattr::int2[]))
                 ORDER BY t.tgname""")) {
            ps.setLong(1, col.table().oid());
            ps.setString(2, set);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static double rowsPerPage(Connection c, PlannedColumn col) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT CASE WHEN relpages > 0 AND reltuples > 0 THEN reltuples / relpages END FROM pg_catalog.pg_class WHERE oid = ?")) {
            ps.setLong(1, col.table().oid());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                double v = rs.getDouble(1);
                return rs.wasNull() || v <= 0 ? DEFAULT_ROWS_PER_PAGE : v;
            }
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
