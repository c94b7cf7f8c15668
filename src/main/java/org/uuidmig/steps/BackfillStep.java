package org.uuidmig.steps;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.uuidmig.catalog.Catalog;
import org.uuidmig.engine.FaultInjection;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.RunControl;
import org.uuidmig.engine.StateStore;
import org.uuidmig.engine.StepContext;
import org.uuidmig.engine.StepIds;
import org.uuidmig.engine.StepRunner;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.report.BackfillProgress;
import org.uuidmig.report.RunProgress;
import org.uuidmig.sql.MigrationSql;

/**
 * Backfill: copies users.uuid of every existing integer into the new column, in short
 * transactions. Batches walk the primary key (keyset); a table without one is walked by heap
 * page ranges (ctid), followed by catch-up passes for rows that moved behind the cursor.
 * Each batch only touches rows whose value differs, so reruns and overlaps are harmless.
 * The batch size adapts to a target duration (--max-batch-time); before each batch the run's live
 * control may hold it (paused) or change that target and the delay after it (see {@link RunControl}); the table is vacuumed when
 * the dead row versions of about a tenth of it have piled up, so it does not double in size.
 * Lock: ROW EXCLUSIVE, plus row locks for one batch (under lock_timeout, retried).
 * Transaction: one per batch, with its checkpoint in uuidmig.columns.
 * A table of at least --split-rows rows has its backfill split into ranges that several workers share
 * ({@link BackfillRanges}): this step's worker, and helpers the dispatcher starts while jobs leaves room.
 * Each batch's transaction commits without waiting for its WAL flush ({@link CheapBatches}).
 * Done when: uuidmig.columns.backfill_done.
 */
final class BackfillStep implements MigrationStep {
    private static final Logger LOG = LoggerFactory.getLogger(BackfillStep.class);
    static final int MIN_BATCH = 100;
    static final int MAX_BATCH = 100_000;
    private static final String CTID_PREFIX = "ctid:";
    /** Passes over a table without a key: the first does the work, the next ones catch rows that moved. */
    private static final int MAX_PASSES = 4;

    private final PlannedColumn col;
    /**
     * Whether the backfill's VACUUMs also clean the table's indexes. Not when a REINDEX of the table follows the
     * backfill: it rebuilds every index that is not dropped at the swap, so the dead entries the VACUUMs would remove go
     * with the old index anyway. Without that index pass a VACUUM only prunes the heap (which is what frees the space the
     * backfill's next row versions reuse), and the benchmark measured the index passes at a sixth of the backfill's
     * work (docs/performance.md).
     */
    private final boolean indexCleanup;

    BackfillStep(PlannedColumn col, boolean indexCleanup) {
        this.col = col;
        this.indexCleanup = indexCleanup;
    }

    @Override
    public String id() {
        return StepIds.BACKFILL;
    }

    @Override
    public String target() {
        return col.ref().toString();
    }

    @Override
    public boolean isDone(StepContext ctx) throws SQLException {
        return Catalog.exists(ctx.conn(), """
            SELECT 1 FROM uuidmig.columns WHERE table_schema = ? AND table_name = ? AND column_name = ? AND backfill_done""",
            ctx.schema(), col.ref().table(), col.ref().column());
    }

    /** Backfills of different tables run side by side with --jobs; two columns of one table do not (same rows). */
    @Override
    public String parallelGroup() {
        return col.ref().table();
    }

    /** A table of at least --split-rows rows is split into ranges that helpers share (BackfillRanges). */
    @Override
    public boolean sharesWork() {
        return true;
    }

    private boolean keyset() {
        return !col.table().keyColumns().isEmpty();
    }

    /** The key's upper bound of the next batch, after a lower bound or from the start. */
    private String boundSql(StepContext ctx, boolean hasLower) {
        return MigrationSql.nextKeysetBound(ctx.schema(), col, col.table().keyColumns(), col.table().keyTypes(), hasLower);
    }

    /** The upper key of a split range's next batch, capped at the range's end. */
    private String cappedBoundSql(StepContext ctx, boolean hasLower) {
        return MigrationSql.nextKeysetBound(ctx.schema(), col, col.table().keyColumns(), col.table().keyTypes(), hasLower, true);
    }

    /** One batch over a key range: after a lower bound or from the start, up to an upper bound or to the end. */
    private String batchSql(StepContext ctx, boolean hasLower, boolean hasUpper) {
        return MigrationSql.backfillKeyset(ctx.schema(), col, ctx.users(), col.table().keyColumns(), col.table().keyTypes(),
            hasLower, hasUpper);
    }

    /** One batch over a range of heap pages (no key): a TID range scan from PostgreSQL 14, an array of TIDs before. */
    private String ctidSql(StepContext ctx) {
        return ctx.serverVersionNum() >= 140000 ? MigrationSql.backfillCtidRange(ctx.schema(), col, ctx.users())
            : MigrationSql.backfillCtidList(ctx.schema(), col, ctx.users());
    }

    private String vacuumSql(StepContext ctx) {
        return "VACUUM " + (indexCleanup ? "" : "(INDEX_CLEANUP OFF) ") + MigrationSql.table(ctx.schema(), col);
    }

    /**
     * The batches as templates, each sent with its bounds as parameters: from the start (the first batch, with no
     * lower bound) unless the state holds a checkpoint to resume after, then the loop of batches, the last of which has
     * no upper bound.
     */
    @Override
    public List<PlannedStatement> statements(StepContext ctx) throws SQLException {
        String batchLock = "ROW EXCLUSIVE + row locks of the batch";
        List<PlannedStatement> out = new ArrayList<>();
        if (keyset()) {
            if (checkpoint(ctx) == null) {
                out.add(PlannedStatement.once(boundSql(ctx, false), "ACCESS SHARE", "upper key of the first batch"));
                out.add(PlannedStatement.when(batchSql(ctx, false, false), batchLock, "when the whole table fits in one batch"));
                out.add(PlannedStatement.when(batchSql(ctx, false, true), batchLock, "the first batch, with its checkpoint"));
            }
            out.add(PlannedStatement.repeated(boundSql(ctx, true), "ACCESS SHARE", "upper key of the next batch"));
            out.add(PlannedStatement.repeated(batchSql(ctx, true, true), batchLock,
                "repeated per batch, one transaction each, with the checkpoint"));
            out.add(PlannedStatement.repeated(batchSql(ctx, true, false), batchLock, "the last batch, to the end of the table"));
        } else {
            out.add(PlannedStatement.repeated(ctidSql(ctx), batchLock,
                "no primary key: repeated per range of heap pages, then catch-up passes"));
        }
        if (ctx.settings().backfill().rangesFor(Math.max(col.table().estimatedRows(), 0)) > 1) {
            // about --split-rows rows or more (the count step decides): ranges that the jobs share
            if (keyset()) {
                out.add(PlannedStatement.once(MigrationSql.sampleKeys(ctx.schema(), col, col.table().keyColumns()), "ACCESS SHARE",
                    "a sample of the key, whose quantiles bound the ranges (--split-rows)"));
                out.add(PlannedStatement.when(cappedBoundSql(ctx, false), "ACCESS SHARE",
                    "upper key of the first range's first batch, capped at the range's end"));
                out.add(PlannedStatement.repeated(cappedBoundSql(ctx, true), "ACCESS SHARE",
                    "upper key of a range's next batch, capped at the range's end"));
            } else {
                out.add(PlannedStatement.once("SELECT pg_catalog.pg_relation_size("
                    + org.uuidmig.db.Sql.literal(MigrationSql.table(ctx.schema(), col))
                    + "::regclass) / pg_catalog.current_setting('block_size')::bigint", "ACCESS SHARE",
                    "the pages, cut into ranges (--split-rows)"));
            }
        }
        out.add(PlannedStatement.repeated(vacuumSql(ctx), "SHARE UPDATE EXCLUSIVE",
            indexCleanup ? "whenever about a tenth of the table has been rewritten"
                : "whenever about a tenth of the table has been rewritten; the heap only, as the REINDEX after the backfill "
                    + "rebuilds the indexes"));
        return out;
    }

    /** The key the recorded state resumes after, or null to start from the beginning. */
    private List<String> checkpoint(StepContext ctx) throws SQLException {
        return StateStore.columns(ctx.conn(), ctx.schema()).stream()
            .filter(r -> r.table().equals(col.ref().table()) && r.column().equals(col.ref().column()))
            .map(StateStore.ColumnRow::lastKey).filter(java.util.Objects::nonNull).findFirst().orElse(null);
    }

    @Override
    public void run(StepContext ctx) throws SQLException {
        StateStore.ColumnRow state = StateStore.columns(ctx.conn(), ctx.schema()).stream()
            .filter(r -> r.table().equals(col.ref().table()) && r.column().equals(col.ref().column()))
            .findFirst().orElseThrow(() -> new IllegalStateException("no state for " + col.ref()));
        long total = Math.max(baseRows(ctx), 1);
        try (BackfillProgress progress = ctx.progress().backfill(col.ref().toString(), total, state.backfillRows(),
            () -> pending(ctx))) {
            Totals totals = new Totals();
            Batcher batcher = new Batcher(ctx, progress, totals, false);
            List<String> lastKey = state.lastKey();
            BackfillRanges.Split split = BackfillRanges.load(ctx.conn(), ctx.schema(), col.ref());
            if (split == null && lastKey == null && !state.backfillDone()) {
                split = split(ctx, total); // a backfill that started unsplit goes on unsplit
            }
            String ranges = "";
            if (split != null) {
                int left = split.pending().size();
                int workers = runRanges(ctx, progress, totals, split);
                ranges = " over " + split.ranges().size() + " " + split.kind() + " ranges by " + workers + " worker"
                    + (workers == 1 ? "" : "s");
                if (left > 0) { // a record of the split, for status and post-mortems (and the tests)
                    StateStore.event(ctx.conn(), StepIds.BACKFILL, target(), "split into " + split.ranges().size() + " "
                        + split.kind() + " ranges, " + left + " of them left at the start of this run, run by " + workers
                        + " worker" + (workers == 1 ? "" : "s"), null);
                }
                if (!keyset() && (lastKey == null || !lastKey.get(0).startsWith(CTID_PREFIX))) {
                    lastKey = List.of(CTID_PREFIX + "0:2"); // the ranges were the first pass: then the catch-up passes
                }
            }
            if (keyset()) {
                if (split == null) {
                    runKeyset(ctx, batcher, lastKey);
                }
            } else {
                runCtid(ctx, batcher, lastKey);
            }
            markDone(ctx);
            LOG.info("backfill {}: {} rows updated in {} batches{}, {} vacuums", col.ref(), totals.updated.get(),
                totals.batches.get(), ranges, totals.vacuums.get());
            progress.finish();
        }
    }

    /**
     * Splits the backfill of a table of at least --split-rows rows into ranges, and records them; null when the table is
     * smaller (or its key sample too small to split).
     */
    private BackfillRanges.Split split(StepContext ctx, long rows) throws SQLException {
        int n = ctx.settings().backfill().rangesFor(rows);
        if (n < 2) {
            return null;
        }
        BackfillRanges.Split split;
        try {
            split = keyset() ? BackfillRanges.keyset(ctx.conn(), ctx.schema(), col, col.table().keyColumns(), rows, n)
                : BackfillRanges.ctid(pages(ctx), n);
        } catch (SQLException e) {
            // the split is an optimisation: a table whose key cannot be sampled is backfilled whole, as before
            LOG.info("backfill {}: not split ({}); one worker walks the whole table", col.ref(), e.getMessage());
            return null;
        }
        if (split == null || split.ranges().size() < 2) {
            return null;
        }
        BackfillRanges.save(ctx.conn(), ctx.schema(), col.ref(), split);
        LOG.info("backfill {}: {} rows, split into {} {} ranges that up to --jobs workers share", col.ref(), rows,
            split.ranges().size(), split.kind());
        return split;
    }

    /**
     * Runs the ranges not done yet: this worker and any helpers the dispatcher starts for them (offered through the run's
     * control while they last). Returns how many workers ran ranges.
     */
    private int runRanges(StepContext ctx, BackfillProgress progress, Totals totals, BackfillRanges.Split split)
        throws SQLException {
        List<BackfillRanges.Range> pending = split.pending();
        if (pending.isEmpty()) {
            return 0;
        }
        if (pending.size() < split.ranges().size()) {
            LOG.info("backfill {}: resuming {} of its {} ranges", col.ref(), pending.size(), split.ranges().size());
        }
        boolean ctid = BackfillRanges.CTID.equals(split.kind());
        BackfillRanges.Share share = new BackfillRanges.Share(col.ref().toString(), pending) {
            @Override
            RangeWorker worker(StepContext wc, boolean helper) throws SQLException {
                Batcher b = new Batcher(wc, progress, totals, helper);
                double rowsPerPage = ctid ? Math.max(1.0, rowsPerPage(wc)) : 0;
                return r -> {
                    if (ctid) {
                        runCtidRange(wc, b, r, rowsPerPage);
                    } else {
                        runKeysetRange(wc, b, r);
                    }
                };
            }
        };
        ctx.control().share(share);
        try {
            share.work(ctx, null, false);
        } finally {
            ctx.control().unshare(share);
        }
        return share.workers();
    }

    /**
     * Every column of the run whose backfill is still to do, with its rows (as counted) and those done, for the
     * run's overall bar: the first backfill to start reads it.
     */
    private static List<RunProgress.Pending> pending(StepContext ctx) throws SQLException {
        Map<String, StateStore.TableRow> tables = StateStore.tables(ctx.conn(), ctx.schema());
        List<RunProgress.Pending> out = new ArrayList<>();
        for (StateStore.ColumnRow r : StateStore.columns(ctx.conn(), ctx.schema())) {
            if (r.backfillDone()) {
                continue;
            }
            for (PlannedColumn c : ctx.columns()) {
                if (c.ref().table().equals(r.table()) && c.ref().column().equals(r.column())) {
                    StateStore.TableRow t = tables.get(r.table());
                    long rows = t != null && t.baseRows() != null ? t.baseRows() : Math.max(c.table().estimatedRows(), 0);
                    out.add(new RunProgress.Pending(c.ref().toString(), Math.max(rows, 1), r.backfillRows()));
                }
            }
        }
        return out;
    }

    private long baseRows(StepContext ctx) throws SQLException {
        try (PreparedStatement ps = ctx.conn().prepareStatement(
            "SELECT base_rows FROM uuidmig.tables WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, ctx.schema());
            ps.setString(2, col.ref().table());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getObject(1) != null ? rs.getLong(1) : Math.max(col.table().estimatedRows(), 0);
            }
        }
    }

    private void runKeyset(StepContext ctx, Batcher batcher, List<String> lastKey) throws SQLException {
        List<String> k = col.table().keyColumns();
        List<String> lower = lastKey;
        while (true) {
            List<String> upper = nextBound(ctx, k, lower, batcher.size);
            String sql = batchSql(ctx, lower != null, upper != null);
            List<String> lo = lower;
            batcher.batch(upper == null ? lower : upper, c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    int p = 1;
                    if (lo != null) {
                        for (String v : lo) {
                            ps.setString(p++, v);
                        }
                    }
                    if (upper != null) {
                        for (String v : upper) {
                            ps.setString(p++, v);
                        }
                    }
                    return ps.executeUpdate();
                }
            }, upper == null ? 0 : batcher.size);
            if (upper == null) {
                return;
            }
            lower = upper;
        }
    }

    private List<String> nextBound(StepContext ctx, List<String> k, List<String> lower, int size) throws SQLException {
        return nextBound(ctx, k, col.table().keyTypes(), lower, null, size);
    }

    /** One key range (lo, hi] of a split backfill, from its checkpoint: batches as {@link #runKeyset}'s, capped at hi. */
    private void runKeysetRange(StepContext ctx, Batcher batcher, BackfillRanges.Range r) throws SQLException {
        List<String> k = col.table().keyColumns();
        List<String> types = col.table().keyTypes();
        List<String> lower = r.from();
        while (true) {
            List<String> upper = nextBound(ctx, k, types, lower, r.hi, batcher.size);
            boolean last = upper == null;
            List<String> hi = last ? r.hi : upper;
            String sql = MigrationSql.backfillKeyset(ctx.schema(), col, ctx.users(), k, types, lower != null, hi != null);
            List<String> lo = lower;
            List<String> at = hi != null ? hi : lower;
            batcher.batch((c, n) -> BackfillRanges.checkpoint(c, ctx.schema(), col.ref(), r, at, last, n), c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    int p = 1;
                    for (List<String> bound : java.util.Arrays.asList(lo, hi)) {
                        if (bound != null) {
                            for (String v : bound) {
                                ps.setString(p++, v);
                            }
                        }
                    }
                    return ps.executeUpdate();
                }
            }, last ? 0 : batcher.size);
            r.at = at;
            if (last) {
                r.done = true;
                return;
            }
            lower = upper;
        }
    }

    /** One page range [lo, hi) of a split backfill without a key, from its checkpoint. */
    private void runCtidRange(StepContext ctx, Batcher batcher, BackfillRanges.Range r, double rowsPerPage) throws SQLException {
        String sql = ctx.serverVersionNum() >= 140000 ? MigrationSql.backfillCtidRange(ctx.schema(), col, ctx.users())
            : MigrationSql.backfillCtidList(ctx.schema(), col, ctx.users());
        long page = Long.parseLong(r.from().get(0));
        while (true) {
            long end = Long.parseLong(r.hi.get(0));
            long from = page;
            long to = Math.min(end, page + Math.max(1, (long) (batcher.size / rowsPerPage)));
            boolean last = to >= end;
            List<String> at = List.of(Long.toString(to));
            batcher.batch((c, n) -> BackfillRanges.checkpoint(c, ctx.schema(), col.ref(), r, at, last, n), c -> {
                if (to <= from) {
                    return 0; // an empty range (the table had fewer pages than ranges)
                }
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setLong(1, from);
                    ps.setLong(2, to);
                    return ps.executeUpdate();
                }
            }, (int) Math.min(Integer.MAX_VALUE, Math.max(0, to - from) * (long) rowsPerPage));
            r.at = at;
            page = to;
            if (last) {
                r.done = true;
                return;
            }
        }
    }

    /** The upper key of the next batch of {@code size} rows after lower, at most cap; null when fewer rows are left. */
    private List<String> nextBound(StepContext ctx, List<String> k, List<String> types, List<String> lower, List<String> cap,
                                   int size) throws SQLException {
        String sql = cap == null ? boundSql(ctx, lower != null) : cappedBoundSql(ctx, lower != null);
        try (PreparedStatement ps = ctx.conn().prepareStatement(sql)) {
            int p = 1;
            if (lower != null) {
                for (String v : lower) {
                    ps.setString(p++, v);
                }
            }
            if (cap != null) {
                for (String v : cap) {
                    ps.setString(p++, v);
                }
            }
            ps.setInt(p, size - 1);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                List<String> out = new ArrayList<>();
                for (int i = 1; i <= k.size(); i++) {
                    out.add(rs.getString(i));
                }
                return out;
            }
        }
    }

    /**
     * Walks heap pages [0, nblocks) in ranges; then repeats whole passes (at most three) while
     * the previous pass still found rows to fix: rows the application updated moved to pages
     * the cursor had already passed.
     */
    private void runCtid(StepContext ctx, Batcher batcher, List<String> lastKey) throws SQLException {
        long page = 0;
        int pass = 1;
        if (lastKey != null && !lastKey.isEmpty() && lastKey.get(0).startsWith(CTID_PREFIX)) {
            String[] p = lastKey.get(0).substring(CTID_PREFIX.length()).split(":");
            page = Long.parseLong(p[0]);
            pass = Integer.parseInt(p[1]);
        }
        String sql = ctidSql(ctx);
        double rowsPerPage = Math.max(1.0, rowsPerPage(ctx));
        for (; pass <= MAX_PASSES; pass++) {
            long updatedInPass = 0;
            long pages = pages(ctx);
            while (page < pages) {
                long from = page;
                long to = Math.min(pages, page + Math.max(1, (long) (batcher.size / rowsPerPage)));
                updatedInPass += batcher.batch(List.of(CTID_PREFIX + to + ":" + pass), c -> {
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        ps.setLong(1, from);
                        ps.setLong(2, to);
                        return ps.executeUpdate();
                    }
                }, (int) Math.min(Integer.MAX_VALUE, (to - from) * (long) rowsPerPage));
                page = to;
            }
            page = 0;
            if (updatedInPass == 0) {
                return; // a whole pass found nothing left to fix
            }
            LOG.debug("backfill {}: pass {} updated {} rows; one more pass for rows that moved", col.ref(), pass, updatedInPass);
        }
    }

    private double rowsPerPage(StepContext ctx) throws SQLException {
        try (PreparedStatement ps = ctx.conn().prepareStatement(
            "SELECT CASE WHEN relpages > 0 THEN reltuples / relpages ELSE 50 END FROM pg_catalog.pg_class WHERE oid = ?::regclass")) {
            ps.setString(1, MigrationSql.table(ctx.schema(), col));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getDouble(1);
            }
        }
    }

    private long pages(StepContext ctx) throws SQLException {
        try (PreparedStatement ps = ctx.conn().prepareStatement(
            "SELECT pg_catalog.pg_relation_size(?::regclass) / current_setting('block_size')::bigint")) {
            ps.setString(1, MigrationSql.table(ctx.schema(), col));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private void markDone(StepContext ctx) throws SQLException {
        try (PreparedStatement ps = ctx.conn().prepareStatement("""
            UPDATE uuidmig.columns SET backfill_done = true, step = ?, updated_at = now()
             WHERE table_schema = ? AND table_name = ? AND column_name = ?""")) {
            ps.setString(1, StepIds.BACKFILL);
            ps.setString(2, ctx.schema());
            ps.setString(3, col.ref().table());
            ps.setString(4, col.ref().column());
            ps.executeUpdate();
        }
    }

    /** A batch's statement: returns the rows it updated. */
    @FunctionalInterface
    interface BatchWork {
        int run(Connection c) throws SQLException;
    }

    /** A batch's checkpoint, written in its transaction after its work: where to resume, and the rows it updated. */
    @FunctionalInterface
    interface Checkpoint {
        void write(Connection c, long updated) throws SQLException;
    }

    /** The counts of one column's backfill, shared by its workers (a split backfill has several). */
    private static final class Totals {
        final AtomicLong updated = new AtomicLong();
        final AtomicLong batches = new AtomicLong();
        final AtomicLong vacuums = new AtomicLong();
        final AtomicLong sinceVacuum = new AtomicLong();
    }

    /** Runs one worker's batches with checkpoints, adapts their size, vacuums, reports progress. */
    private final class Batcher {
        private final StepContext ctx;
        private final BackfillProgress progress;
        private final Totals totals;
        private final long vacuumEvery;
        /** A helper of a split backfill gives its range back when jobs has no room for it, instead of waiting. */
        private final boolean helper;
        /** Run first in each batch's transaction: synchronous_commit off, and wal_compression where allowed. */
        private final String cheap;
        int size;

        Batcher(StepContext ctx, BackfillProgress progress, Totals totals, boolean helper) {
            this.ctx = ctx;
            this.progress = progress;
            this.totals = totals;
            this.helper = helper;
            this.size = Math.max(MIN_BATCH, Math.min(MAX_BATCH, ctx.settings().backfill().batchSize()));
            this.vacuumEvery = Math.max(10_000, Math.max(col.table().estimatedRows(), 0) / 10);
            this.cheap = CheapBatches.forConnection(ctx.conn(), ctx.serverVersionNum());
        }

        /** A batch with the column's checkpoint: the key to resume after, once this batch is committed. */
        int batch(List<String> checkpoint, BatchWork work, int scanned) throws SQLException {
            return batch((c, updated) -> {
                try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE uuidmig.columns SET backfill_last_key = ?, backfill_rows = backfill_rows + ?, step = ?, updated_at = now()
                     WHERE table_schema = ? AND table_name = ? AND column_name = ?""")) {
                    ps.setArray(1, checkpoint == null ? null : c.createArrayOf("text", checkpoint.toArray()));
                    ps.setLong(2, updated);
                    ps.setString(3, StepIds.BACKFILL);
                    ps.setString(4, ctx.schema());
                    ps.setString(5, col.ref().table());
                    ps.setString(6, col.ref().column());
                    ps.executeUpdate();
                }
            }, work, scanned);
        }

        /**
         * Runs one batch and its checkpoint in one transaction (retried on lock timeout).
         *
         * @param checkpoint writes where to resume once this batch is committed
         * @param scanned    rows the batch covered (for progress), 0 when unknown
         * @throws BackfillRanges.Yield (a helper) when jobs has no room for this worker any more: nothing was done
         */
        int batch(Checkpoint checkpoint, BatchWork work, int scanned) throws SQLException {
            if (Thread.currentThread().isInterrupted()) {
                throw new StepRunner.Stopped("backfill " + col.ref() + " stopped: another backfill failed");
            }
            // uuidmig.control: waits here while paused (or while this worker is beyond jobs); the knobs as they are now
            RunControl.Knobs knobs = ctx.control().beforeBatch(ctx.conn(), "backfill " + col.ref(), helper);
            if (knobs == null) {
                throw new BackfillRanges.Yield("backfill " + col.ref() + ": this helper is beyond jobs");
            }
            int[] updated = new int[1];
            long[] elapsed = new long[1];
            ctx.blocking().inTransaction(ctx.conn(), "backfill " + col.ref(), c -> {
                if (cheap != null) {
                    try (var st = c.createStatement()) {
                        st.execute(cheap); // SET LOCAL synchronous_commit = off (CheapBatches says why that is safe)
                    }
                }
                long t0 = System.nanoTime();
                updated[0] = work.run(c);
                elapsed[0] = System.nanoTime() - t0;
                checkpoint.write(c, updated[0]);
            });
            totals.batches.incrementAndGet();
            FaultInjection.batchDone();
            FaultInjection.batchCommitted(col.ref());
            totals.updated.addAndGet(updated[0]);
            progress.batch(updated[0], scanned);
            adapt(Duration.ofNanos(elapsed[0]), knobs.maxBatchTime());
            long since = totals.sinceVacuum.addAndGet(updated[0]);
            // one of the column's workers vacuums (the one that crosses the threshold), the others go on
            if (since >= vacuumEvery && totals.sinceVacuum.compareAndSet(since, 0)) {
                vacuum();
            }
            Duration delay = ctx.control().knobs().batchDelay();
            if (!delay.isZero()) {
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted", e);
                }
            }
            return updated[0];
        }

        /**
         * Sizes the next batch so that it takes about --max-batch-time (or its live override); 0 means fixed batches (of
         * --batch-size rows, or of the size reached when it was set to 0).
         */
        private void adapt(Duration elapsed, Duration maxBatchTime) {
            long target = maxBatchTime.toNanos();
            if (target == 0) {
                return;
            }
            double factor = (double) target / Math.max(elapsed.toNanos(), 1);
            factor = Math.max(0.5, Math.min(2.0, factor));
            size = (int) Math.max(MIN_BATCH, Math.min(MAX_BATCH, size * factor));
        }

        private void vacuum() {
            long t0 = System.nanoTime();
            try {
                Catalog.exec(ctx.conn(), vacuumSql(ctx));
                totals.vacuums.incrementAndGet();
                LOG.debug("vacuumed {} in {} ms", col.ref().table(), (System.nanoTime() - t0) / 1_000_000);
            } catch (SQLException e) {
                // opportunistic: autovacuum or an index build holds the lock; the next threshold tries again
                LOG.debug("vacuum of {} skipped: {}", col.ref().table(), e.getMessage());
            }
        }
    }
}
