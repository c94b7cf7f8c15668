package org.uuidmig.steps;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.uuidmig.catalog.Catalog;
import org.uuidmig.db.Sql;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.StepContext;
import org.uuidmig.engine.StepIds;
import org.uuidmig.plan.IndexInfo;
import org.uuidmig.plan.PlannedColumn;

/**
 * After a table's backfill, rebuilds the indexes the backfill bloated: every backfilled row is
 * a non-HOT update (the table's pages are full), so each index that does not involve the user
 * column got a second entry per row, and its pages split and stay half empty after VACUUM
 * (the benchmark measured those indexes at about twice their size). Indexes that involve the
 * column are dropped at the swap and their copies are built fresh, so they are left alone, as
 * are invalid indexes, exclusion-constraint indexes (which cannot be rebuilt concurrently) and
 * uuidmig's own. An invalid {@code <index>_ccnew} / {@code _ccold} left by an interrupted
 * REINDEX is dropped first. One REINDEX runs at a time, even with --jobs (concurrent
 * concurrent-index builds can deadlock each other on PostgreSQL before 14).
 * Lock: SHARE UPDATE EXCLUSIVE on the table (reads and writes go on), under the wait timeout.
 * Transaction: none (CONCURRENTLY). Done when: uuidmig.tables.reindexed_at is set.
 * --no-reindex leaves it out.
 */
final class ReindexStep implements MigrationStep {
    private static final Logger LOG = LoggerFactory.getLogger(ReindexStep.class);
    /**
     * One concurrent index build at a time per uuidmig process (REINDEX here, the copies in {@link CreateIndexCopyStep}):
     * on PostgreSQL before 14, concurrent builds on different tables wait for each other's snapshots and can deadlock.
     */
    static final ReentrantLock ONE_AT_A_TIME = new ReentrantLock();

    private final String table;

    ReindexStep(String table) {
        this.table = table;
    }

    @Override
    public String id() {
        return StepIds.REINDEX;
    }

    @Override
    public String target() {
        return table;
    }

    /** Runs on the worker that backfilled the table, right after it, while another table's backfill goes on. */
    @Override
    public String parallelGroup() {
        return table;
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        return Catalog.exists(ctx.conn(), "SELECT 1 FROM uuidmig.tables WHERE table_schema = ? AND table_name = ? AND reindexed_at IS NOT NULL",
            ctx.schema(), table);
    }

    /** The indexes to rebuild, in name order: the table's valid plain indexes that do not involve a planned column. */
    private List<String> indexes(StepContext ctx) throws SQLException {
        Set<String> involved = ctx.columnsOf(table).stream().flatMap(c -> c.indexes().stream()).map(IndexInfo::name)
            .collect(Collectors.toSet());
        return targets(ctx.conn(), ctx.schema(), table).stream().filter(i -> !involved.contains(i)).toList();
    }

    /** What rebuilds one index: the drop of what an interrupted REINDEX of it left (found on c now), then the REINDEX. */
    private static List<PlannedStatement> reindex(Connection c, String schema, String index) throws SQLException {
        List<PlannedStatement> out = new ArrayList<>();
        for (String l : leftovers(c, schema, index)) {
            out.add(PlannedStatement.once("DROP INDEX CONCURRENTLY IF EXISTS " + Sql.qualified(schema, l), "SHARE UPDATE EXCLUSIVE",
                "left invalid by an interrupted REINDEX CONCURRENTLY"));
        }
        out.add(PlannedStatement.once("REINDEX INDEX CONCURRENTLY " + Sql.qualified(schema, index), "SHARE UPDATE EXCLUSIVE",
            "rebuilds what the backfill's updates bloated; one at a time"));
        return out;
    }

    @Override
    public List<PlannedStatement> statements(StepContext ctx) throws SQLException {
        List<PlannedStatement> out = new ArrayList<>();
        for (String index : indexes(ctx)) {
            out.addAll(reindex(ctx.conn(), ctx.schema(), index));
        }
        return out;
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        ONE_AT_A_TIME.lock();
        try {
            for (String index : indexes(ctx)) {
                long t0 = System.nanoTime();
                ctx.blocking().autocommit(ctx.conn(), "reindex " + index, ctx.settings().lock().waitTimeout(),
                    c -> {
                        List<PlannedStatement> statements = reindex(c, ctx.schema(), index);
                        if (statements.size() > 1) {
                            LOG.info("reindex {}: dropping what an interrupted REINDEX CONCURRENTLY of it left", index);
                        }
                        PlannedStatement.send(c, statements);
                    });
                LOG.info("reindex {}: {} ms", index, (System.nanoTime() - t0) / 1_000_000);
            }
        } finally {
            ONE_AT_A_TIME.unlock();
        }
        try (PreparedStatement ps = ctx.conn().prepareStatement(
            "UPDATE uuidmig.tables SET reindexed_at = now() WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, ctx.schema());
            ps.setString(2, table);
            ps.executeUpdate();
        }
    }

    /** Valid plain indexes of the table, except exclusion-constraint indexes and uuidmig's own. */
    private static List<String> targets(Connection c, String schema, String table) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT i.relname FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
             WHERE x.indrelid = ?::regclass AND x.indisvalid AND x.indisready AND i.relkind = 'i'
               AND i.relname NOT LIKE '%\\_uuidmig\\_%'
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = x.indexrelid AND k.contype = 'x')
             ORDER BY i.relname""")) {
            ps.setString(1, Sql.qualified(schema, table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** The invalid {@code <index>_ccnew[N]} / {@code _ccold[N]} an interrupted REINDEX CONCURRENTLY of it leaves behind. */
    private static List<String> leftovers(Connection c, String schema, String index) throws SQLException {
        List<String> leftovers = new ArrayList<>();
        java.util.regex.Pattern mine = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(index) + "_cc(new|old)[0-9]*");
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT i.relname FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
              JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace
             WHERE n.nspname = ? AND NOT x.indisvalid AND starts_with(i.relname, ?)""")) {
            ps.setString(1, schema);
            ps.setString(2, index);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (mine.matcher(rs.getString(1)).matches()) {
                        leftovers.add(rs.getString(1));
                    }
                }
            }
        }
        return leftovers;
    }
}
