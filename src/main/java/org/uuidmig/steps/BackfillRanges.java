package org.uuidmig.steps;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.uuidmig.config.ColumnRef;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.sql.MigrationSql;
import org.uuidmig.engine.SharedWork;
import org.uuidmig.engine.StateStore;
import org.uuidmig.engine.StepRunner;
import org.uuidmig.engine.StepContext;
import org.uuidmig.engine.StepIds;

/**
 * A large table's backfill split into ranges that several workers share (docs/how-it-works.md, "Backfill"): the
 * column's own worker and, while jobs leaves room, helpers the backfill dispatcher starts ({@link StepRunner}).
 * <ul>
 *   <li><b>Ranges.</b> With a primary key: key ranges (lo, hi], the first without lo, the last without hi, so together
 *   they cover every key, also keys inserted later beyond the last one sampled; their bounds are quantiles of a
 *   sample of the key. Without one: heap page ranges [lo, hi) over the pages the table had when it was split; the
 *   catch-up passes for rows that moved (and pages added since) run after them, on the column's own worker. Rows a
 *   range misses because the application wrote them meanwhile are the sync trigger's.</li>
 *   <li><b>State.</b> The ranges, and how far each has come, are in uuidmig.columns.backfill_ranges (jsonb), updated
 *   in each batch's own transaction with the column's backfill_rows, so a crash loses at most the batches in flight
 *   and a rerun goes on with the same ranges. A batch only touches rows whose new column is still wrong, so a
 *   redone batch is harmless.</li>
 *   <li><b>Sharing.</b> A worker takes the next range not taken; a helper that jobs no longer leaves room for (an
 *   operator's uuidmig set jobs, the throttle) gives its range back at its checkpoint before its next batch and
 *   ends; the column's own worker takes what is given back, and waits for the ranges in flight to end.</li>
 * </ul>
 */
final class BackfillRanges {
    static final String KEYSET = "keyset";
    static final String CTID = "ctid";
    /** Sampled keys per range wanted, for bounds that make ranges of about equal rows. */
    private static final int SAMPLE_PER_RANGE = 1000;

    private BackfillRanges() {
    }

    /** One range and how far its committed batches reached (null: none yet). */
    static final class Range implements SharedWork.Part {
        final int no;
        final List<String> lo;
        final List<String> hi;
        volatile List<String> at;
        volatile boolean done;

        Range(int no, List<String> lo, List<String> hi, List<String> at, boolean done) {
            this.no = no;
            this.lo = lo;
            this.hi = hi;
            this.at = at;
            this.done = done;
        }

        /** Where the next batch starts: after the checkpoint, or at the range's start. */
        List<String> from() {
            List<String> a = at;
            return a != null ? a : lo;
        }
    }

    /** A column's split: its kind ({@link #KEYSET} or {@link #CTID}) and its ranges. */
    record Split(String kind, List<Range> ranges) {
        boolean allDone() {
            return ranges.stream().allMatch(r -> r.done);
        }

        List<Range> pending() {
            return ranges.stream().filter(r -> !r.done).toList();
        }
    }

    /** The column's recorded split, or null when its backfill is not split. */
    static Split load(Connection c, String schema, ColumnRef col) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            SELECT backfill_ranges::text FROM uuidmig.columns WHERE table_schema = ? AND table_name = ? AND column_name = ?""")) {
            ps.setString(1, schema);
            ps.setString(2, col.table());
            ps.setString(3, col.column());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getString(1) == null) {
                    return null;
                }
                return fromJson(rs.getString(1));
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("uuidmig.columns.backfill_ranges of " + col + " is not uuidmig's: " + e.getMessage(), e);
        }
    }

    /** Records a new split of the column, before its first batch. */
    static void save(Connection c, String schema, ColumnRef col, Split split) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            UPDATE uuidmig.columns SET backfill_ranges = ?::jsonb, backfill_last_key = NULL, step = ?, updated_at = now()
             WHERE table_schema = ? AND table_name = ? AND column_name = ?""")) {
            ps.setString(1, toJson(split).toString());
            ps.setString(2, StepIds.BACKFILL);
            ps.setString(3, schema);
            ps.setString(4, col.table());
            ps.setString(5, col.column());
            ps.executeUpdate();
        }
    }

    /**
     * A range's checkpoint, in its batch's transaction: how far it came (done or not), and the batch's rows added to
     * the column's. Workers of one column update the same row: each holds its lock from this statement to its commit,
     * which is a round trip (the batch's own work runs before it).
     */
    static void checkpoint(Connection c, String schema, ColumnRef col, Range r, List<String> at, boolean done, long updated)
        throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
            UPDATE uuidmig.columns SET backfill_ranges = pg_catalog.jsonb_set(backfill_ranges, ARRAY['ranges', ?::text], ?::jsonb),
                   backfill_rows = backfill_rows + ?, step = ?, updated_at = now()
             WHERE table_schema = ? AND table_name = ? AND column_name = ?""")) {
            ps.setString(1, Integer.toString(r.no));
            ps.setString(2, range(r.lo, r.hi, at, done).toString());
            ps.setLong(3, updated);
            ps.setString(4, StepIds.BACKFILL);
            ps.setString(5, schema);
            ps.setString(6, col.table());
            ps.setString(7, col.column());
            ps.executeUpdate();
        }
    }

    /**
     * Key ranges for a table of about {@code rows} rows: quantiles of a sample of its key, in key order; fewer ranges when
     * the sample has fewer distinct keys, and none (null) when it has fewer than two.
     */
    static Split keyset(Connection c, String schema, PlannedColumn col, List<String> key, long rows, int ranges)
        throws SQLException {
        double percent = Math.min(100.0, 100.0 * ranges * SAMPLE_PER_RANGE / Math.max(rows, 1));
        List<List<String>> sample = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(MigrationSql.sampleKeys(schema, col, key))) {
            ps.setDouble(1, percent);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> k = new ArrayList<>();
                    for (int i = 1; i <= key.size(); i++) {
                        k.add(rs.getString(i));
                    }
                    sample.add(k);
                }
            }
        }
        List<List<String>> bounds = new ArrayList<>();
        for (int i = 1; i < ranges; i++) {
            List<String> b = sample.isEmpty() ? null : sample.get((int) ((long) i * sample.size() / ranges));
            if (b != null && !b.contains(null) && (bounds.isEmpty() || !bounds.get(bounds.size() - 1).equals(b))) {
                bounds.add(b);
            }
        }
        if (bounds.isEmpty()) {
            return null;
        }
        List<Range> out = new ArrayList<>();
        for (int i = 0; i <= bounds.size(); i++) {
            out.add(new Range(i, i == 0 ? null : bounds.get(i - 1), i == bounds.size() ? null : bounds.get(i), null, false));
        }
        return new Split(KEYSET, out);
    }

    /**
     * Page ranges over the table's {@code pages} as they are now. Pages added later hold rows inserted since (the sync
     * trigger's) or rows that moved there, which the catch-up passes after the ranges cover.
     */
    static Split ctid(long pages, int ranges) {
        int n = (int) Math.max(1, Math.min(ranges, pages));
        List<Range> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long lo = pages * i / n;
            long hi = pages * (i + 1) / n;
            out.add(new Range(i, List.of(Long.toString(lo)), List.of(Long.toString(hi)), null, false));
        }
        return new Split(CTID, out);
    }

    // --- the jsonb form: {"kind": "keyset", "ranges": [{"lo": [...] | null, "hi": [...] | null, "at": ..., "done": false}]}

    static ObjectNode toJson(Split s) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("kind", s.kind());
        ArrayNode a = o.putArray("ranges");
        for (Range r : s.ranges()) {
            a.add(range(r.lo, r.hi, r.at, r.done));
        }
        return o;
    }

    private static ObjectNode range(List<String> lo, List<String> hi, List<String> at, boolean done) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        key(o, "lo", lo);
        key(o, "hi", hi);
        key(o, "at", at);
        o.put("done", done);
        return o;
    }

    private static void key(ObjectNode o, String name, List<String> key) {
        if (key == null) {
            o.putNull(name);
        } else {
            ArrayNode a = o.putArray(name);
            key.forEach(a::add);
        }
    }

    static Split fromJson(String json) throws com.fasterxml.jackson.core.JsonProcessingException {
        JsonNode o = StateStore.JSON.readTree(json);
        List<Range> ranges = new ArrayList<>();
        int i = 0;
        for (JsonNode r : o.path("ranges")) {
            ranges.add(new Range(i++, key(r.get("lo")), key(r.get("hi")), key(r.get("at")), r.path("done").asBoolean()));
        }
        return new Split(o.path("kind").asText(), ranges);
    }

    private static List<String> key(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        n.forEach(v -> out.add(v.isNull() ? null : v.asText()));
        return out;
    }

    /** A helper that jobs has no room for any more: it gives its range back before its next batch, and ends. */
    static final class Yield extends RuntimeException {
        Yield(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The ranges of one column's backfill still to do, which its own worker and any helpers take one at a time.
     * Thread-safe; its own worker's {@link #work} returns once every range is done.
     */
    abstract static class Share implements SharedWork {
        private final String name;
        private final Deque<Range> todo;
        private int inFlight;
        private int workersSeen;

        Share(String name, List<Range> pending) {
            this.name = name;
            this.todo = new ArrayDeque<>(pending);
        }

        /** The column, table.column. */
        @Override
        public String name() {
            return name;
        }

        /** A worker of this share on {@code ctx}'s connection: runs one range at a time (a helper may throw {@link Yield}). */
        abstract RangeWorker worker(StepContext ctx, boolean helper) throws SQLException;

        interface RangeWorker {
            void run(Range r) throws SQLException;
        }

        /** Whether a helper would find a range to take now. */
        @Override
        public synchronized boolean wantsHelp() {
            return !todo.isEmpty();
        }

        /** The next range for a helper, or null when none is left to take. */
        @Override
        public synchronized Range claim() {
            Range r = todo.poll();
            if (r != null) {
                inFlight++;
            }
            return r;
        }

        /** The next range for the column's own worker; waits for ranges in flight; null once all are done. */
        private synchronized Range next() throws InterruptedException {
            while (todo.isEmpty() && inFlight > 0) {
                wait();
            }
            return claim();
        }

        /** A range claimed for a helper that could not start. */
        @Override
        public void giveBack(SharedWork.Part r) {
            ended((Range) r, false);
        }

        @Override
        public void help(StepContext ctx, SharedWork.Part first) throws SQLException {
            work(ctx, (Range) first, true);
        }

        private synchronized void ended(Range r, boolean finished) {
            inFlight--;
            if (!finished) {
                todo.addFirst(r); // given back (or failed): the next worker goes on from its checkpoint
            }
            notifyAll();
        }

        /** Workers that ran at least one range of this share. */
        synchronized int workers() {
            return workersSeen;
        }

        /**
         * Runs ranges on {@code ctx}'s connection: {@code first} (claimed for a helper by the dispatcher), then the next
         * ones. The column's own worker ({@code helper} false) returns when every range is done; a helper when none is
         * left to take, or when it yields.
         */
        void work(StepContext ctx, Range first, boolean helper) throws SQLException {
            RangeWorker w;
            try {
                w = worker(ctx, helper);
            } catch (SQLException | RuntimeException e) {
                if (first != null) {
                    ended(first, false);
                }
                throw e;
            }
            synchronized (this) {
                workersSeen++;
            }
            Range r = first;
            while (true) {
                if (r == null) {
                    try {
                        r = helper ? claim() : next();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new StepRunner.Stopped("backfill " + name + " stopped while waiting for its other workers");
                    }
                    if (r == null) {
                        return;
                    }
                }
                boolean finished = false;
                try {
                    w.run(r);
                    finished = true;
                } catch (Yield y) {
                    return; // its range goes back (finally), at its checkpoint
                } finally {
                    ended(r, finished);
                }
                r = null;
            }
        }
    }
}
