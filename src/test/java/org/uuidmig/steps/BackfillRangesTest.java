package org.uuidmig.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.uuidmig.config.BackfillPolicy;
import org.uuidmig.engine.StepContext;

/** How a backfill is split, recorded and shared: every page covered once, state that survives a rerun, ranges given back. */
class BackfillRangesTest {
    @Test
    void onlyTablesFromSplitRowsOnAreSplitAndIntoAtMost64Ranges() {
        BackfillPolicy at500k = new BackfillPolicy(1000, Duration.ZERO, Duration.ofMillis(200), 2, true, 500_000);
        assertEquals(1, at500k.rangesFor(499_999));
        assertEquals(4, at500k.rangesFor(500_000));
        assertEquals(16, at500k.rangesFor(2_000_000));
        assertEquals(BackfillPolicy.MAX_RANGES, at500k.rangesFor(1_000_000_000));
        assertEquals(1, new BackfillPolicy(1000, Duration.ZERO, Duration.ofMillis(200), 2, true, 0).rangesFor(1_000_000_000),
            "--split-rows 0 never splits");
    }

    @Test
    void pageRangesCoverEveryPageOnce() {
        for (long pages : new long[] {2, 7, 100, 1001}) {
            BackfillRanges.Split s = BackfillRanges.ctid(pages, 16);
            long next = 0;
            for (BackfillRanges.Range r : s.ranges()) {
                assertEquals(next, Long.parseLong(r.lo.get(0)), "ranges are adjacent, from page 0");
                next = Long.parseLong(r.hi.get(0));
                assertTrue(next > Long.parseLong(r.lo.get(0)), "no empty range");
            }
            assertEquals(pages, next, "up to the last page");
            assertEquals(Math.min(16, pages), s.ranges().size());
        }
    }

    @Test
    void theRecordRoundTrips() throws Exception {
        List<BackfillRanges.Range> ranges = List.of(new BackfillRanges.Range(0, null, List.of("10", "a"), List.of("5", "b"), false),
            new BackfillRanges.Range(1, List.of("10", "a"), null, null, true));
        String json = BackfillRanges.toJson(new BackfillRanges.Split(BackfillRanges.KEYSET, ranges)).toString();
        BackfillRanges.Split back = BackfillRanges.fromJson(json);
        assertEquals(BackfillRanges.KEYSET, back.kind());
        assertEquals(2, back.ranges().size());
        assertNull(back.ranges().get(0).lo);
        assertEquals(List.of("10", "a"), back.ranges().get(0).hi);
        assertEquals(List.of("5", "b"), back.ranges().get(0).from(), "a range goes on from its checkpoint");
        assertFalse(back.ranges().get(0).done);
        assertEquals(List.of("10", "a"), back.ranges().get(1).from(), "or from its start");
        assertTrue(back.ranges().get(1).done);
        assertEquals(1, back.pending().size());
    }

    /** Ranges run by the column's own worker and a helper that yields after its first: each range runs to its end once. */
    @Test
    void aRangeGivenBackIsFinishedByTheColumnsOwnWorker() throws Exception {
        List<BackfillRanges.Range> ranges = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ranges.add(new BackfillRanges.Range(i, null, null, null, false));
        }
        List<String> log = new CopyOnWriteArrayList<>();
        BackfillRanges.Share share = new BackfillRanges.Share("t.c", ranges) {
            @Override
            RangeWorker worker(StepContext ctx, boolean helper) {
                return r -> {
                    if (helper && r.no != 0) {
                        throw new BackfillRanges.Yield("beyond jobs"); // jobs was lowered: gives this range back
                    }
                    log.add((helper ? "helper " : "own ") + r.no);
                    r.done = true;
                };
            }
        };
        BackfillRanges.Range first = share.claim();
        Thread helper = new Thread(() -> {
            try {
                share.work(null, first, true);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        helper.start();
        helper.join();
        assertTrue(share.wantsHelp(), "the helper gave its second range back");
        share.work(null, null, false);
        assertFalse(share.wantsHelp());
        assertEquals(2, share.workers());
        assertTrue(ranges.stream().allMatch(r -> r.done));
        assertEquals(6, log.size(), log.toString());
        assertEquals("helper 0", log.get(0));
        assertEquals(List.of("own 1", "own 2", "own 3", "own 4", "own 5"), log.subList(1, 6), "each range once");
    }
}
