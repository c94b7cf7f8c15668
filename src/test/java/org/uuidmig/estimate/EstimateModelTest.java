package org.uuidmig.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.uuidmig.config.BackfillPolicy;

/** The estimate's arithmetic, rule by rule, on hand-made tables and samples. */
class EstimateModelTest {
    private static final ServerFacts SERVER = new ServerFacts(150000, 8192, "replica", true, "off", false, false,
        1024L * 1024 * 1024, 300, 0.9, null);
    private static final BackfillPolicy ONE_JOB = new BackfillPolicy(1000, Duration.ZERO, Duration.ofMillis(200), 1, true);

    /** 100,000 rows in 10 MB of heap; a primary key (16-byte entries, 2 MB) and an index on the user column (20 bytes, 2 MB). */
    private static TableFacts table(String name, long rows) {
        return new TableFacts(name, rows, false, rows * 100, 5, true, true, List.of(
            new TableFacts.IndexFacts(name + "_pkey", rows * 20, null, true, true, 16, 16),
            new TableFacts.IndexFacts("ix_" + name + "_user", rows * 20, "user_id", false, false, 20, 28)));
    }

    /** A sample of 10,000 rows, all rewritten, in 50 ms (5 µs a row), bound 0, read 10 ms. */
    private static Sample sample(String column) {
        return new Sample(column, Sample.Outcome.SAMPLED, null, 10_000, 10_000, 50_000_000, 0, 10_000_000, "note", List.of(),
            List.of("RowExclusiveLock on t"), 11_000, 0, 0);
    }

    @Test
    void twoBatchSizesSplitABatchsCostIntoFixedAndPerRow() {
        Sample small = new Sample("t.c", Sample.Outcome.SAMPLED, null, 1_000, 1_000, 9_000_000, 1_000_000, 0, "c", List.of(), List.of(), 1_000, 0, 0);
        Sample large = new Sample("t.c", Sample.Outcome.SAMPLED, null, 10_000, 10_000, 50_000_000, 5_000_000, 0, "c", List.of(), List.of(),
            10_000, 0, 0).withFixedCostFrom(small);
        assertEquals(0.005, large.fixedSeconds(), 1e-12, "10 ms for 1,000 rows and 55 ms for 10,000: 5 ms a batch");
        assertEquals(5e-6, large.writeSecondsPerRow(), 1e-12, "and 5 µs a row");
        Sample noisy = new Sample("t.c", Sample.Outcome.SAMPLED, null, 1_000, 1_000, 1_000_000, 0, 0, "c", List.of(), List.of(), 1_000, 0, 0);
        assertEquals(0, large.withFixedCostFrom(noisy).fixedNanos(), "never below 0");
    }

    @Test
    void indexEntryWidthsFollowAlignment() {
        int[] int4 = {4, 4};
        int[] int8 = {8, 8};
        assertEquals(20, EstimateFacts.entryBytes(List.of(int4), List.of()), "line pointer 4 + header 8 + 4, aligned to 8");
        assertEquals(28, EstimateFacts.entryBytes(List.of(int4), List.of(0)), "the same entry on a uuid");
        assertEquals(28, EstimateFacts.entryBytes(List.of(int4, int8), List.of()), "the 8-byte column is aligned after the integer");
        assertEquals(36, EstimateFacts.entryBytes(List.of(int4, int8), List.of(0)));
        assertEquals(36, EstimateFacts.entryBytes(List.of(int8, int4), List.of(1)));
    }

    @Test
    void theRowHeaderGrowsOnlyWhenTheNullBitmapCrossesAnEightByteBoundary() {
        assertEquals(8, EstimateModel.headerGrowth(new TableFacts("t", 1, false, 1, 8, true, true, List.of()), 1), "8 -> 9 columns");
        assertEquals(0, EstimateModel.headerGrowth(new TableFacts("t", 1, false, 1, 9, true, true, List.of()), 1), "9 -> 10 columns");
        assertEquals(0, EstimateModel.headerGrowth(new TableFacts("t", 1, false, 1, 8, false, true, List.of()), 1), "no NULL: no bitmap");
    }

    @Test
    void scheduleRunsTablesOnJobsWorkersAndIndexBuildsOneAtATime() {
        Map<String, Double> backfill = Map.of("a", 10.0, "b", 6.0, "c", 4.0);
        Map<String, List<Double>> builds = Map.of("a", List.of(1.0), "b", List.of(1.0), "c", List.of(1.0));
        assertEquals(23.0, EstimateModel.schedule(List.of("a", "b", "c"), backfill, builds, 1, Map.of()), 1e-9);
        // two workers: a on 1 (0..10, build 10..11); b on 2 (0..6, build 6..7); c on 2 (7..11, build waits for a's: 11..12)
        assertEquals(12.0, EstimateModel.schedule(List.of("a", "b", "c"), backfill, builds, 2, Map.of()), 1e-9);
    }

    @Test
    void freeWorkersShareASplitBackfillOnceNoTableWaits() {
        Map<String, List<Double>> none = Map.of("a", List.of(), "b", List.of());
        // one table in 4 ranges, two workers: both on it from the start
        assertEquals(5.0, EstimateModel.schedule(List.of("a"), Map.of("a", 10.0), none, 2, Map.of("a", 4)), 1e-9);
        assertEquals(10.0, EstimateModel.schedule(List.of("a"), Map.of("a", 10.0), none, 2, Map.of()), 1e-9, "not split: one worker");
        // b waits for no one: a on worker 1, b on worker 2 (0..2), then worker 2 helps a: 8 left at 2, two workers, done at 6
        assertEquals(6.0, EstimateModel.schedule(List.of("a", "b"), Map.of("a", 10.0, "b", 2.0), none, 2, Map.of("a", 4)), 1e-9);
        // at most one worker per range: 3 workers on a table of 2 ranges finish it at 5, the third idles
        assertEquals(5.0, EstimateModel.schedule(List.of("a"), Map.of("a", 10.0), none, 3, Map.of("a", 2)), 1e-9);
        // the helper goes back when a's backfill ends; a's worker builds its index (1) while the helper is free
        assertEquals(6.0, EstimateModel.schedule(List.of("a"), Map.of("a", 10.0), Map.of("a", List.of(1.0)), 2, Map.of("a", 4)), 1e-9);
    }

    @Test
    void theEstimateSplitsTheTablesTheRunWouldSplit() {
        EstimateModel.ColumnInput col = new EstimateModel.ColumnInput("t.user_id", "t", true, sample("t.user_id"));
        BackfillPolicy unsplit = new BackfillPolicy(1000, Duration.ZERO, Duration.ofMillis(200), 2, false, 0);
        BackfillPolicy split = new BackfillPolicy(1000, Duration.ZERO, Duration.ofMillis(200), 2, false, 500_000);
        Estimate one = EstimateModel.estimate(SERVER, List.of(table("t", 1_000_000)), List.of(col), unsplit);
        Estimate two = EstimateModel.estimate(SERVER, List.of(table("t", 1_000_000)), List.of(col), split);
        // the block is t's backfill, then its index copy; split, both jobs work on t's backfill: half the work each, each
        // 1.5x slower beside the other (JOB_CONTENTION)
        double unsplitBackfill = one.time().backfillSeconds() - one.time().indexSeconds();
        assertEquals(unsplitBackfill * 0.75, two.time().backfillSeconds() - two.time().indexSeconds(), unsplitBackfill * 1e-6);
        assertTrue(two.time().assumptions().stream().anyMatch(a -> a.contains("t in 8 ranges")), two.time().assumptions().toString());
        assertTrue(one.time().assumptions().stream().anyMatch(a -> a.contains("--split-rows 0: no table is that large")),
            one.time().assumptions().toString());
    }

    @Test
    void timeGrowsWithTheRowsAndTheSampleSpeed() {
        Estimate small = EstimateModel.estimate(SERVER, List.of(table("t", 100_000)), List.of(new EstimateModel.ColumnInput("t.user_id",
            "t", true, sample("t.user_id"))), ONE_JOB);
        Estimate large = EstimateModel.estimate(SERVER, List.of(table("t", 1_000_000)), List.of(new EstimateModel.ColumnInput("t.user_id",
            "t", true, sample("t.user_id"))), ONE_JOB);
        Estimate.Column c = small.columns().get(0);
        // 100,000 rows at 5 µs = 0.5 s; batches of 1,000, 2,000 ... 32,000, then 40,000 (200 ms): 7 batches at 3 ms; a vacuum
        // after the batch that reaches 10,000 rows since the last: after the fourth (15,000) and each later one, 4 in all,
        // each reading 0.2 * 10 MB at 512 MiB/s (the REINDEX after the backfill rebuilds the indexes, so the VACUUMs skip
        // them); without the REINDEX each also reads 1.5 * 4 MB of index
        assertEquals(7, c.batches());
        assertEquals(4, c.vacuums());
        assertEquals(0.5 + 7 * 0.003 + 4 * (0.2 * 10_000_000) / (512.0 * 1024 * 1024), c.backfillSeconds(), 1e-9);
        BackfillPolicy noReindex = new BackfillPolicy(1000, Duration.ZERO, Duration.ofMillis(200), 1, false);
        Estimate.Column cleaning = EstimateModel.estimate(SERVER, List.of(table("t", 100_000)), List.of(new EstimateModel.ColumnInput(
            "t.user_id", "t", true, sample("t.user_id"))), noReindex).columns().get(0);
        assertEquals(0.5 + 7 * 0.003 + 4 * (0.2 * 10_000_000 + 1.5 * 4_000_000) / (512.0 * 1024 * 1024), cleaning.backfillSeconds(),
            1e-9);
        assertTrue(large.columns().get(0).backfillSeconds() > 9.5 * c.backfillSeconds(), "ten times the rows, about ten times the backfill");
        assertTrue(large.time().seconds() > small.time().seconds());
        // the scans: count, verify, one FK and one NOT NULL check, each 100,000 rows at 1 µs a row in the sample, twice as fast
        assertEquals(0.05, small.time().countSeconds(), 1e-9);
        assertEquals(0.15, small.time().checkSeconds(), 1e-9);
        assertEquals(11_000, small.sampleDeadRows());
    }

    @Test
    void diskCountsTheNewColumnTheDeadRowsTheBloatAndTheCopies() {
        Estimate e = EstimateModel.estimate(SERVER, List.of(table("t", 100_000)), List.of(new EstimateModel.ColumnInput("t.user_id",
            "t", true, sample("t.user_id"))), ONE_JOB);
        Estimate.Disk d = e.disk();
        assertEquals(1_600_000, d.newColumnBytes(), "16 bytes a row");
        assertEquals(4_000_000, d.deadRowBytes(), "a batch of 40,000 rows comes before the first vacuum (more than a tenth)");
        assertEquals(4_000_000, d.indexBloatBytes(), "each index once more");
        assertEquals(2_800_000, d.indexCopyBytes(), "2 MB scaled from 20- to 28-byte entries");
        assertEquals(2_000_000, d.reindexBytes(), "the primary key, rebuilt beside itself");
        assertEquals(2_000_000, d.droppedIndexBytes());
        assertEquals(1_600_000 + 4_000_000 + 4_000_000 + 2_800_000 + 2_000_000, d.peakBytes());
        assertEquals(1_600_000 + 4_000_000 + 2_800_000 - 2_000_000, d.afterBytes());
        Estimate.Disk noReindex = EstimateModel.disk(SERVER, List.of(table("t", 100_000)), Map.of("t", 1), Map.of(), false);
        assertEquals(0, noReindex.reindexBytes());
        assertEquals(1_600_000 + 1_000_000 + 2_800_000 - 2_000_000 + 2_000_000, noReindex.afterBytes(),
            "without the reindex the primary key stays bloated; without a batch size, a tenth of the table is dead before the vacuum");
    }

    @Test
    void walHasRowImagesFullPagesAndIndexBuildsAndFollowsFullPageWrites() {
        List<EstimateModel.ColumnInput> in = List.of(new EstimateModel.ColumnInput("t.user_id", "t", true, sample("t.user_id")));
        Estimate on = EstimateModel.estimate(SERVER, List.of(table("t", 100_000)), in, ONE_JOB);
        // per row: 70 + 100 + 16 (heap) + 64 + 16 + 64 + 20 (two index entries) + 8 (vacuum) = 358 bytes
        assertEquals(100_000L * 358, on.wal().rowBytes());
        assertEquals(2_800_000 + 2_000_000, on.wal().indexBuildBytes(), "the copy and the reindexed primary key");
        assertTrue(on.wal().fullPageBytes() >= 10_000_000 + 4_000_000, "every heap and index page at least once");
        ServerFacts off = new ServerFacts(150000, 8192, "replica", false, "off", false, false, 1024L * 1024 * 1024, 300, 0.9, null);
        Estimate noFpw = EstimateModel.estimate(off, List.of(table("t", 100_000)), in, ONE_JOB);
        assertEquals(0, noFpw.wal().fullPageBytes());
        assertTrue(noFpw.wal().assumptions().stream().anyMatch(a -> a.contains("full_page_writes off")), noFpw.wal().assumptions().toString());
        assertTrue(on.wal().assumptions().get(0).contains("wal_level replica, full_page_writes on"), on.wal().assumptions().get(0));
    }

    @Test
    void anOldTransactionAnywhereOnTheServerIsWarnedAbout() {
        ServerFacts held = new ServerFacts(150000, 8192, "replica", true, "off", false, false, 1024L * 1024 * 1024, 300, 0.9,
            "a transaction open for 00:03:00 in database other (pid 7, idle in transaction)");
        Estimate.Disk d = EstimateModel.disk(held, List.of(table("t", 100_000)), Map.of("t", 1), Map.of(), true);
        assertTrue(d.assumptions().stream().anyMatch(a -> a.startsWith("WARNING, now: a transaction open for 00:03:00 in database other")
            && a.contains("8.6 MiB more")), d.assumptions().toString());
        assertTrue(EstimateModel.disk(SERVER, List.of(table("t", 100_000)), Map.of("t", 1), Map.of(), true).assumptions().stream()
            .noneMatch(a -> a.startsWith("WARNING")));
    }

    @Test
    void aColumnThatCouldNotBeSampledIsTimedAtTheOthersSpeedAndSaysSo() {
        Sample locked = Sample.notSampled("u.user_id", Sample.Outcome.LOCK_TIMEOUT, "a row was locked");
        Estimate e = EstimateModel.estimate(SERVER, List.of(table("t", 100_000), table("u", 100_000)), List.of(
            new EstimateModel.ColumnInput("t.user_id", "t", true, sample("t.user_id")),
            new EstimateModel.ColumnInput("u.user_id", "u", true, locked)), ONE_JOB);
        assertEquals(e.columns().get(0).backfillSeconds(), e.columns().get(1).backfillSeconds(), 1e-9);
        assertTrue(e.time().assumptions().stream().anyMatch(a -> a.contains("median speed")), e.time().assumptions().toString());
        assertTrue(e.time().assumptions().stream().anyMatch(a -> a.startsWith("the options' speed throughout, as with --no-throttle: "
            + "throttled (the default), a run starts at level 2")), "the estimate says it does not model the throttle: " + e.time().assumptions());
        assertTrue(Estimate.line(e.columns().get(1)).contains("not sampled: a row was locked"), Estimate.line(e.columns().get(1)));

        Estimate none = EstimateModel.estimate(SERVER, List.of(table("u", 100_000)), List.of(
            new EstimateModel.ColumnInput("u.user_id", "u", true, locked)), ONE_JOB);
        assertNull(none.time().seconds(), "no sample, no time");
        assertTrue(none.disk().peakBytes() > 0, "the disk needs no sample");
    }

    @Test
    void moreJobsShortenTheBlockButEachBackfillRunsSlower() {
        List<TableFacts> tables = List.of(table("t", 100_000), table("u", 100_000));
        List<EstimateModel.ColumnInput> in = List.of(new EstimateModel.ColumnInput("t.user_id", "t", false, sample("t.user_id")),
            new EstimateModel.ColumnInput("u.user_id", "u", false, sample("u.user_id")));
        Estimate one = EstimateModel.estimate(SERVER, tables, in, ONE_JOB);
        Estimate two = EstimateModel.estimate(SERVER, tables, in, new BackfillPolicy(1000, Duration.ZERO, Duration.ofMillis(200), 2, true));
        assertEquals(1.5 * one.columns().get(0).backfillSeconds(), two.columns().get(0).backfillSeconds(), 1e-9);
        assertTrue(two.time().backfillSeconds() < one.time().backfillSeconds());
    }
}
