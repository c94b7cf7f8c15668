package org.uuidmig.estimate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.uuidmig.config.BackfillPolicy;
import org.uuidmig.engine.StepRunner;
import org.uuidmig.report.Bytes;
import org.uuidmig.report.ProgressText;
import org.uuidmig.steps.Steps;

/**
 * The arithmetic of {@code uuidmig plan --estimate}: from the catalog's sizes, the server's settings and the rolled-back
 * sample batch of each column, how long the migration takes, how much disk it needs and how much WAL it writes, each
 * with the assumptions it rests on. Pure (no database), so that every rule is unit-tested; the constants were measured
 * on the benchmark machine (docs/performance.md, "Estimates").
 */
public final class EstimateModel {
    /** JVM start, validate-pre, Flyway, expand, the FKs' brief ADDs and the swap: measured at 1 to 1.5 s. */
    static final double FIXED_SECONDS = 1.2;
    /** Per backfill batch beyond its UPDATE: the checkpoint row, the commit's WAL flush, round trips. */
    static final double BATCH_OVERHEAD_SECONDS = 0.003;
    /** CREATE INDEX CONCURRENTLY and REINDEX CONCURRENTLY, bytes of finished index per second (benchmark machine). */
    static final double BUILD_BYTES_PER_SECOND = 40.0 * 1024 * 1024;
    /**
     * How much slower each backfill runs beside the others, per other job: on the 2-core benchmark machine --jobs 2 made
     * the backfills 1.33x as fast as --jobs 1 together, so each ran 1.5x slower than alone.
     */
    static final double JOB_CONTENTION = 0.5;
    /**
     * How much faster the migration's scans (count, VALIDATE, verify: sequential scans, one hash of the users table)
     * read a row than the sample's read of its range through the key index: 2 to 3x on the benchmark machine.
     */
    static final double SCAN_SPEEDUP = 2.0;
    /** The backfill's VACUUMs, bytes of heap and index read per second (benchmark machine: 0.4 to 1.8 GB/s, cached). */
    static final double VACUUM_BYTES_PER_SECOND = 512.0 * 1024 * 1024;
    /** A heap UPDATE's WAL record beyond the new row image: record and block headers, xl_heap_update. */
    static final int HEAP_RECORD_BYTES = 70;
    /** A btree insert's WAL record beyond the index entry. */
    static final int INDEX_RECORD_BYTES = 64;
    /** What the backfill's VACUUMs log per dead row version (prune and index bulk-delete records). */
    static final int VACUUM_BYTES_PER_ROW = 8;
    /** The new column: a uuid is 16 bytes with alignment 1; as a multiple of 8 it keeps each row's 8-byte alignment. */
    static final int UUID_BYTES = 16;
    /** Rows the backfill rewrites between two of its VACUUMs: max(10,000, a tenth of the table) (BackfillStep). */
    static final long MIN_VACUUM_EVERY = 10_000;
    /** The bounds of a backfill batch (BackfillStep). */
    static final int MIN_BATCH = 100;
    static final int MAX_BATCH = 100_000;

    private EstimateModel() {
    }

    /**
     * One planned column, with its table and its sample.
     *
     * @param column  table.column
     * @param table   its table
     * @param notNull the column is NOT NULL (a CHECK is validated: one more scan)
     * @param sample  its sample batch
     */
    public record ColumnInput(String column, String table, boolean notNull, Sample sample) {
    }

    public static Estimate estimate(ServerFacts server, List<TableFacts> tables, List<ColumnInput> columns, BackfillPolicy policy) {
        Map<String, TableFacts> byName = new LinkedHashMap<>();
        tables.forEach(t -> byName.put(t.name(), t));
        Rates fallback = Rates.median(columns);

        // ---- per column: the backfill
        List<Estimate.Column> perColumn = new ArrayList<>();
        Map<String, Double> backfillByTable = new LinkedHashMap<>();
        Map<String, Double> readPerRowByTable = new LinkedHashMap<>();
        Map<String, Integer> passesByTable = new LinkedHashMap<>();
        Map<String, Integer> notNullByTable = new LinkedHashMap<>();
        Map<String, Long> batchRowsByTable = new LinkedHashMap<>();
        long tableCount = columns.stream().map(ColumnInput::table).distinct().count();
        // a table of at least --split-rows rows has its backfill split into ranges that free workers share
        Map<String, Integer> splitRanges = new LinkedHashMap<>();
        columns.stream().map(ColumnInput::table).distinct().forEach(name -> {
            int ranges = policy.rangesFor(Math.max(byName.get(name).rows(), 0));
            if (ranges > 1) {
                splitRanges.put(name, ranges);
            }
        });
        long workersAtOnce = Math.min(policy.jobs(), tableCount + splitRanges.values().stream().mapToLong(r -> r - 1).sum());
        double contention = 1 + JOB_CONTENTION * (workersAtOnce - 1);
        long rowImageBytes = 0;
        long indexEntryBytes = 0;
        long vacuumBytes = 0;
        long fullPageBytes = 0;
        boolean anyUnmeasured = false;
        for (ColumnInput c : columns) {
            TableFacts t = byName.get(c.table());
            Rates r = c.sample().sampled() ? Rates.of(c.sample()) : fallback;
            anyUnmeasured |= !c.sample().sampled() && c.sample().outcome() != Sample.Outcome.EMPTY;
            long rows = Math.max(t.rows(), 0);
            long updated = r == null ? rows : Math.round(rows * r.updatedShare());
            Double seconds = null;
            long batches = 0;
            long vacuums = updated / Math.max(MIN_VACUUM_EVERY, rows / 10);
            if (rows == 0) {
                seconds = 0.0;
                backfillByTable.merge(c.table(), seconds, Double::sum);
            } else if (r != null) {
                // batches start at --batch-size and at most double each time until they take --max-batch-time (BackfillStep)
                long first = clamp(policy.batchSize());
                long perBatch = policy.maxBatchTime().isZero() ? first
                    : clamp(Math.round(Math.max(policy.maxBatchTime().toNanos() / 1e9 - r.fixed(), r.writePerRow())
                        / Math.max(r.writePerRow(), 1e-9)));
                // and the backfill vacuums after the batch that brings the rows rewritten since the last one to the threshold
                long every = Math.max(MIN_VACUUM_EVERY, rows / 10);
                batches = 0;
                vacuums = 0;
                double since = 0;
                for (long done = 0, size = first; done < rows; batches++) {
                    done += size;
                    since += size * r.updatedShare();
                    if (since >= every) {
                        vacuums++;
                        since = 0;
                    }
                    size = policy.maxBatchTime().isZero() ? first : Math.min(perBatch, Math.max(size, Math.min(2 * size, perBatch)));
                }
                // each VACUUM reads the pages rewritten since the last one (about a fifth of the heap), and every index page
                // unless a REINDEX follows (then the backfill's VACUUMs skip the indexes: BackfillStep)
                double vacuumSeconds = vacuums * (0.2 * t.heapBytes() + (policy.reindex() ? 0 : 1.5 * indexBytes(t)))
                    / VACUUM_BYTES_PER_SECOND;
                seconds = (rows * r.writePerRow() + batches * (r.fixed() + BATCH_OVERHEAD_SECONDS) + vacuumSeconds) * contention
                    + batches * policy.batchDelay().toNanos() / 1e9;
                batchRowsByTable.merge(c.table(), perBatch, Math::max);
                backfillByTable.merge(c.table(), seconds, Double::sum);
                readPerRowByTable.merge(c.table(), r.readPerRow(), Math::max);
            } else {
                backfillByTable.putIfAbsent(c.table(), null);
            }
            passesByTable.merge(c.table(), 1, Integer::sum);
            notNullByTable.merge(c.table(), c.notNull() ? 1 : 0, Integer::sum);

            // WAL of this column's pass over the table
            long rowImages = Math.round(updated * (HEAP_RECORD_BYTES + t.heapBytesPerRow() + UUID_BYTES));
            long entries = 0;
            for (TableFacts.IndexFacts i : t.indexes()) {
                entries += updated * (long) (INDEX_RECORD_BYTES + i.entryBytes());
            }
            long vacuumRecords = updated * (long) VACUUM_BYTES_PER_ROW;
            long fpi = 0;
            if (server.fullPageWrites()) {
                long pageOnce = t.heapBytes() + t.indexes().stream().mapToLong(TableFacts.IndexFacts::bytes).sum();
                // a page's first change after a checkpoint is logged whole: every page of the table and its indexes once,
                // then again after each checkpoint the pass lives through, for the index pages the inserts hit at random
                double checkpoints = (rowImages + entries + vacuumRecords + pageOnce) / (double) Math.max(server.checkpointDistanceBytes(), 1)
                    + (seconds == null ? 0 : seconds / Math.max(server.checkpointTimeoutSeconds(), 1));
                fpi = pageOnce;
                for (TableFacts.IndexFacts i : t.indexes()) {
                    if (!i.keyOrdered()) {
                        long pages = i.bytes() / server.blockSize();
                        fpi += Math.min(updated, Math.round(pages * checkpoints)) * (long) server.blockSize();
                    }
                }
            }
            rowImageBytes += rowImages + (server.walLevel().equals("logical") ? updated * 24L : 0);
            indexEntryBytes += entries;
            vacuumBytes += vacuumRecords;
            fullPageBytes += fpi;
            perColumn.add(new Estimate.Column(c.column(), rows, t.rowsCounted(), updated, c.sample(), seconds, batches, vacuums,
                rowImages + entries + vacuumRecords + fpi));
        }

        // ---- index builds: the reindex after each backfill, and the copies on the new column; one at a time
        Map<String, List<Double>> buildsByTable = new LinkedHashMap<>();
        long reindexBytes = 0;
        long copyBytes = 0;
        for (TableFacts t : tables) {
            List<Double> builds = new ArrayList<>();
            for (TableFacts.IndexFacts i : t.indexes()) {
                if (!i.planned() && i.reindexed() && policy.reindex()) {
                    reindexBytes += i.bytes();
                    builds.add(i.bytes() / BUILD_BYTES_PER_SECOND);
                }
            }
            for (TableFacts.IndexFacts i : t.indexes()) {
                if (i.planned()) {
                    copyBytes += i.copyBytes();
                    builds.add(i.copyBytes() / BUILD_BYTES_PER_SECOND);
                }
            }
            buildsByTable.put(t.name(), builds);
        }

        // ---- time: the backfill block on --jobs workers (largest table first), index builds one at a time, then scans
        Double totalSeconds = null;
        double countSeconds = 0;
        double checkSeconds = 0;
        double buildSeconds = buildsByTable.values().stream().flatMap(List::stream).mapToDouble(Double::doubleValue).sum();
        Double blockSeconds = null;
        boolean timeKnown = !backfillByTable.containsValue(null);
        if (timeKnown) {
            for (TableFacts t : tables) {
                double read = readPerRowByTable.getOrDefault(t.name(), fallback == null ? 0 : fallback.readPerRow()) * Math.max(t.rows(), 0)
                    / SCAN_SPEEDUP;
                countSeconds += read;
                // NOT NULL checks and FKs one after another; verify, table beside table on --jobs workers
                checkSeconds += read * (passesByTable.getOrDefault(t.name(), 0) + notNullByTable.getOrDefault(t.name(), 0)
                    + 1.0 / Math.min(Math.max(1, policy.jobs()), tableCount));
            }
            blockSeconds = schedule(order(columns, byName), backfillByTable, buildsByTable, policy.jobs(), splitRanges);
            totalSeconds = FIXED_SECONDS + countSeconds + blockSeconds + checkSeconds;
        }
        List<String> timeAssumptions = new ArrayList<>();
        long sampledCount = columns.stream().filter(c -> c.sample().sampled()).count();
        timeAssumptions.add("backfill: each column's rows times the per-row time of its sample batch (" + sampledCount + " of "
            + columns.size() + " columns sampled: an UPDATE rewriting the rows of one batch, as large as --max-batch-time lets "
            + "the migration's batches grow, joined to the users table as the real batch is, rolled back; a smaller batch gives "
            + "what each batch costs whatever its size), in batches growing from --batch-size " + policy.batchSize() + ", plus " + Math.round(BATCH_OVERHEAD_SECONDS * 1000) + " ms per batch for its "
            + "checkpoint and commit, and the VACUUM after every tenth of a table (its rewritten pages" + (policy.reindex() ? ""
            : " and its indexes") + " read at " + Bytes.human((long) VACUUM_BYTES_PER_SECOND) + "/s"
            + (policy.reindex() ? "; it skips the indexes, which the REINDEX after the backfill rebuilds" : "") + ")");
        timeAssumptions.add("--jobs " + policy.jobs() + ": " + (policy.jobs() == 1 ? "one table at a time"
            : policy.jobs() + " tables backfilled at once, largest first, each " + String.format(java.util.Locale.ROOT, "%.1f", contention)
            + "x slower than its sample alone (on the 2-core benchmark machine --jobs 2 made the backfills 1.33x as fast as "
            + "--jobs 1, not 2x; a server with idle cores to spare does better)"));
        if (policy.jobs() > 1) {
            timeAssumptions.add(splitRanges.isEmpty()
                ? "--split-rows " + policy.splitRows() + ": no table is that large, so none is split"
                : "--split-rows " + policy.splitRows() + ": " + String.join(", ", splitRanges.entrySet().stream()
                    .map(e -> e.getKey() + " in " + e.getValue() + " ranges").toList()) + "; once no table waits for a worker, "
                    + "free workers share a split table's ranges, counted as work shared evenly (the best case: a range is not "
                    + "cut again once started)");
        }
        timeAssumptions.add("batches sized to --max-batch-time " + describe(policy.maxBatchTime())
            + (policy.batchDelay().isZero() ? ", no --batch-delay" : ", --batch-delay " + describe(policy.batchDelay()) + " after each"));
        timeAssumptions.add("index builds (" + (policy.reindex() ? "REINDEX of the indexes the backfill bloated and " : "")
            + "the copies on the uuid column) one at a time, at " + Bytes.human((long) BUILD_BYTES_PER_SECOND) + "/s of finished index "
            + "(measured on the benchmark machine, not on this server), beside the other jobs' backfills");
        timeAssumptions.add("scans (count, NOT NULL checks, FK validation, verify): one read of each table per scan, "
            + String.format(java.util.Locale.ROOT, "%.0f", SCAN_SPEEDUP) + "x as fast as the sample's read of its range (a sequential "
            + "scan against a range read through the key index, measured on the benchmark machine); a table that is not in memory reads slower");
        timeAssumptions.add("no application load: under load the backfill competes for CPU and WAL (the benchmark: about 1.1x slower "
            + "at 100 tx/s); pauses (uuidmig pause), a held swap and lock retries are not counted");
        timeAssumptions.add("the options' speed throughout, as with --no-throttle: throttled (the default), a run starts at level 2 "
            + "(for at least 20 s unless no other session is busy), and slows down further while a health signal is over its bound; under the benchmark's "
            + "load that made it 12x the one-transaction time instead of 1.2x (docs/performance.md, \"Calibrating the throttle\")");
        if (anyUnmeasured) {
            timeAssumptions.add("columns not sampled are timed at the median speed of the sampled ones");
        }
        if (!timeKnown) {
            timeAssumptions.add("unknown: no column could be sampled");
        }
        Estimate.Time time = new Estimate.Time(totalSeconds, FIXED_SECONDS, countSeconds, blockSeconds, buildSeconds, checkSeconds,
            timeAssumptions);

        // ---- disk
        Estimate.Disk disk = disk(server, tables, passesByTable, batchRowsByTable, policy.reindex());

        // ---- WAL
        long buildWal = copyBytes + reindexBytes;
        long hintWal = 0;
        if (server.logsHints() && server.fullPageWrites()) {
            hintWal = tables.stream().mapToLong(TableFacts::heapBytes).sum();
        }
        long walTotal = rowImageBytes + indexEntryBytes + vacuumBytes + fullPageBytes + buildWal + hintWal;
        List<String> walAssumptions = new ArrayList<>();
        walAssumptions.add("server: wal_level " + server.walLevel() + ", full_page_writes " + (server.fullPageWrites() ? "on" : "off")
            + ", wal_compression " + server.walCompression() + ", data_checksums " + (server.dataChecksums() ? "on" : "off")
            + ", wal_log_hints " + (server.walLogHints() ? "on" : "off") + ", max_wal_size " + Bytes.human(server.maxWalSizeBytes())
            + ", checkpoint_timeout " + ProgressText.duration(server.checkpointTimeoutSeconds()));
        walAssumptions.add("row images: per backfilled row a new row version (" + HEAP_RECORD_BYTES + " bytes of record plus the row) and an "
            + "entry in every index of its table (" + INDEX_RECORD_BYTES + " bytes plus the entry)"
            + (server.walLevel().equals("logical") ? "; wal_level logical adds the old row's key to each" : ""));
        walAssumptions.add(server.fullPageWrites()
            ? "full-page images: every page of the planned tables and their indexes once (as if a checkpoint came just before), and "
                + "again after each checkpoint the backfill lives through (every " + Bytes.human(server.checkpointDistanceBytes())
                + " of WAL or checkpoint_timeout) for index pages it hits at random" + (server.compressesFullPages()
                ? "; counted uncompressed, so wal_compression makes this an upper bound" : "")
            : "full_page_writes off: no full-page images");
        walAssumptions.add("index builds: every page of each new index (the copies" + (policy.reindex() ? " and the reindexed indexes" : "") + ")");
        if (hintWal > 0) {
            walAssumptions.add("hint bits: data_checksums or wal_log_hints log each heap page once more when a scan first sets them");
        }
        walAssumptions.add("a standby receives all of it; archiving keeps all of it until the next base backup");
        Estimate.Wal wal = new Estimate.Wal(walTotal, rowImageBytes + indexEntryBytes + vacuumBytes, fullPageBytes, buildWal, hintWal,
            server, walAssumptions);

        long deadRows = 0;
        long deadBytes = 0;
        for (ColumnInput c : columns) {
            TableFacts t = byName.get(c.table());
            long n = c.sample().deadRows();
            deadRows += n;
            deadBytes += Math.round(n * (t.heapBytesPerRow() + t.indexes().stream().mapToInt(TableFacts.IndexFacts::entryBytes).sum()));
        }
        return new Estimate(time, disk, wal, perColumn, deadRows, deadBytes);
    }

    /**
     * The extra disk: also what validate-pre's estimated_extra_disk reports (its peak), so the two commands agree.
     *
     * @param passes    per table, its planned columns (each one backfill pass)
     * @param batchRows per table, the rows of its backfill's batches, when known (the first VACUUM comes after the batch
     *                  that crosses the threshold, so at least one batch of dead rows piles up)
     * @param reindex   the reindex step runs (not --no-reindex)
     */
    public static Estimate.Disk disk(ServerFacts server, List<TableFacts> tables, Map<String, Integer> passes,
                                     Map<String, Long> batchRows, boolean reindex) {
        long newColumns = 0;
        long deadRows = 0;
        long indexBloat = 0;
        long copyBytes = 0;
        long plannedIndexBytes = 0;
        long largestReindex = 0;
        long reindexBytes = 0;
        List<Long> unplannedBloat = new ArrayList<>();
        for (TableFacts t : tables) {
            int k = passes.getOrDefault(t.name(), 0);
            long rows = Math.max(t.rows(), 0);
            newColumns += rows * k * (UUID_BYTES + headerGrowth(t, k));
            long beforeVacuum = Math.max(Math.max(MIN_VACUUM_EVERY, rows / 10), batchRows.getOrDefault(t.name(), 0L));
            deadRows += Math.round(Math.min(rows, beforeVacuum) * t.heapBytesPerRow());
            indexBloat += indexBytes(t);
            long unplanned = 0;
            for (TableFacts.IndexFacts i : t.indexes()) {
                if (i.planned()) {
                    copyBytes += i.copyBytes();
                    plannedIndexBytes += i.bytes();
                } else {
                    unplanned += i.bytes();
                    if (i.reindexed()) {
                        reindexBytes += i.bytes();
                        largestReindex = Math.max(largestReindex, i.bytes());
                    }
                }
            }
            unplannedBloat.add(unplanned);
        }
        if (!reindex) {
            largestReindex = 0;
        }
        // the bloat of the indexes on the planned columns stays until the swap drops them, beside their copies: that is the
        // peak; the others' only until the reindex right after their table's backfill: at most the largest table's at once
        long concurrentBloat = reindex ? unplannedBloat.stream().mapToLong(Long::longValue).max().orElse(0)
            : indexBloat - plannedIndexBytes;
        long peak = newColumns + deadRows + plannedIndexBytes + concurrentBloat + copyBytes + largestReindex;
        long after = newColumns + deadRows + copyBytes - plannedIndexBytes + (reindex ? 0 : reindexBytes);
        List<String> diskAssumptions = new ArrayList<>();
        diskAssumptions.add("new columns: " + UUID_BYTES + " bytes per row and column (a uuid needs no padding; a row whose null bitmap "
            + "grows a byte across an 8-byte boundary takes 8 more)");
        diskAssumptions.add("dead rows: every backfilled row is rewritten as a new version elsewhere (not HOT: the pages are full); "
            + "the backfill vacuums after every tenth of a table (at least " + ProgressText.count(MIN_VACUUM_EVERY)
            + " rows, after the batch that crosses it), so about that much of each table stays as extra heap, which VACUUM makes "
            + "reusable but does not give back");
        diskAssumptions.add("index bloat: each index of a planned table gets a second entry per row during its backfill (up to twice "
            + "its size); those on the planned columns stay so until the swap drops them, the others until "
            + (reindex ? "the reindex right after their table's backfill (so only the largest table's counts), "
            + "which rebuilds them one at a time (the largest, " + Bytes.human(largestReindex) + ", exists twice meanwhile)"
            : "--no-reindex: they stay about twice their size"));
        diskAssumptions.add("index copies: each index on a planned column rebuilt on the uuid column, its current size scaled by the "
            + "entry width (an integer key's entry, 20 bytes with its line pointer, becomes 28; an integer and an 8-byte column, 28, "
            + "become 36)");
        diskAssumptions.add("peak: all of that at once, an upper bound; after: what stays after the swap and a VACUUM");
        if (server.horizonHolder() != null) {
            long heap = tables.stream().mapToLong(TableFacts::heapBytes).sum();
            diskAssumptions.add("WARNING, now: " + server.horizonHolder() + " keeps VACUUM from freeing anything on this server "
                + "while it stays open (its xid is in the snapshot of every session, uuidmig's included): the backfill's dead row "
                + "versions then stay, a whole copy of each table, " + Bytes.human(Math.max(0, heap - deadRows)) + " more at the "
                + "peak and after (measured: the heap grew 2.3x the estimate); end it, or wait for it, before migrating");
        }
        diskAssumptions.add("not included: WAL files, which pg_wal holds up to max_wal_size (" + Bytes.human(server.maxWalSizeBytes())
            + ") between checkpoints, or longer while archiving or a replication slot lags");
        return new Estimate.Disk(peak, after, newColumns, deadRows, indexBloat, copyBytes, largestReindex, plannedIndexBytes,
            diskAssumptions);
    }

    /** The backfill order: largest table first (Steps.forPlan), each table once. */
    private static List<String> order(List<ColumnInput> columns, Map<String, TableFacts> tables) {
        return columns.stream().map(ColumnInput::table).distinct()
            .sorted((a, b) -> Long.compare(tables.get(b).rows(), tables.get(a).rows())).toList();
    }

    /**
     * The backfill block as StepRunner runs it: each table's backfills, then its index builds, on one of {@code jobs}
     * workers, the next table going to the first worker free; index builds one at a time across workers, in the order
     * they are asked for. A table in {@code splitRanges} has its backfill split into that many ranges: once no table
     * waits for a worker, a free worker helps the split backfill with the most work left per worker, up to one worker
     * per range, and goes back to the pool when it ends. The work of a split backfill is shared evenly (a fluid: a
     * range half done when a helper arrives is not cut again in the engine, so this is the best case). A small event
     * simulation; returns when the last worker is done.
     */
    static double schedule(List<String> order, Map<String, Double> backfill, Map<String, List<Double>> builds, int jobs,
                           Map<String, Integer> splitRanges) {
        final class Running {
            final String table;
            double left;
            int workers = 1;

            Running(String table) {
                this.table = table;
                this.left = backfill.getOrDefault(table, 0.0);
            }
        }
        java.util.ArrayDeque<String> queue = new java.util.ArrayDeque<>(order);
        List<Running> running = new ArrayList<>();
        // the times the workers busy with their table's index builds are free again
        java.util.PriorityQueue<Double> building = new java.util.PriorityQueue<>();
        int free = Math.max(1, jobs);
        double now = 0;
        double buildFree = 0;
        double end = 0;
        while (true) {
            while (free > 0 && !queue.isEmpty()) {
                running.add(new Running(queue.poll()));
                free--;
            }
            while (free > 0) {
                Running help = null;
                for (Running r : running) {
                    if (r.workers < splitRanges.getOrDefault(r.table, 1) && r.left > 0
                        && (help == null || r.left / r.workers > help.left / help.workers)) {
                        help = r;
                    }
                }
                if (help == null) {
                    break;
                }
                help.workers++;
                free--;
            }
            if (running.isEmpty() && building.isEmpty()) {
                return end;
            }
            double next = building.isEmpty() ? Double.MAX_VALUE : building.peek();
            for (Running r : running) {
                next = Math.min(next, now + r.left / r.workers);
            }
            for (Running r : running) {
                r.left -= (next - now) * r.workers;
            }
            now = next;
            for (java.util.Iterator<Running> it = running.iterator(); it.hasNext(); ) {
                Running r = it.next();
                if (r.left <= 1e-9) {
                    it.remove();
                    free += r.workers - 1; // the helpers; the table's own worker builds its indexes
                    double start = Math.max(now, buildFree);
                    buildFree = start + builds.getOrDefault(r.table, List.of()).stream().mapToDouble(Double::doubleValue).sum();
                    building.add(buildFree);
                }
            }
            while (!building.isEmpty() && building.peek() <= now) {
                building.poll();
                free++;
                end = Math.max(end, now);
            }
        }
    }

    /** 8 when adding {@code added} columns makes the row header (23 bytes + null bitmap, aligned to 8) grow, else 0. */
    static int headerGrowth(TableFacts t, int added) {
        if (!t.anyNullable() || added == 0) {
            return 0;
        }
        return align8(23 + (t.attributes() + added + 7) / 8) - align8(23 + (t.attributes() + 7) / 8);
    }

    static int align8(int n) {
        return (n + 7) & ~7;
    }

    private static long indexBytes(TableFacts t) {
        return t.indexes().stream().mapToLong(TableFacts.IndexFacts::bytes).sum();
    }

    private static long clamp(long rows) {
        return Math.max(MIN_BATCH, Math.min(MAX_BATCH, rows));
    }

    private static String describe(java.time.Duration d) {
        return org.uuidmig.config.Durations.describe(d);
    }

    /** The per-row times of a sample (or the median of several). */
    record Rates(double writePerRow, double updatePerRow, double readPerRow, double updatedShare, double fixed) {
        static Rates of(Sample s) {
            return new Rates(s.writeSecondsPerRow(), s.updateSecondsPerRow(), s.readSecondsPerRow(), s.updatedShare(), s.fixedSeconds());
        }

        /** The median of each rate over the sampled columns, or null when none was sampled. */
        static Rates median(List<ColumnInput> columns) {
            List<Sample> sampled = columns.stream().map(ColumnInput::sample).filter(Sample::sampled).toList();
            if (sampled.isEmpty()) {
                return null;
            }
            return new Rates(median(sampled.stream().mapToDouble(Sample::writeSecondsPerRow).toArray()),
                median(sampled.stream().mapToDouble(Sample::updateSecondsPerRow).toArray()),
                median(sampled.stream().mapToDouble(Sample::readSecondsPerRow).toArray()), 1.0,
                median(sampled.stream().mapToDouble(Sample::fixedSeconds).toArray()));
        }

        private static double median(double[] v) {
            java.util.Arrays.sort(v);
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }
    }
}
