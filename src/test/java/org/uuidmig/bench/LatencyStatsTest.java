package org.uuidmig.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The benchmark's statistics: nearest-rank percentiles, thresholds, outcomes, windows. */
class LatencyStatsTest {

    /** p50/p99/max of 1..100 ms are 50, 99 and 100 ms; over-200-ms and over-1-s counts and outcomes are counted. */
    @Test
    void percentilesAndCounts() {
        List<LatencyStats.Tx> txs = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            txs.add(new LatencyStats.Tx(i, i * 1000L, "read", LatencyStats.Outcome.OK, 0, null));
        }
        txs.set(0, new LatencyStats.Tx(1, 1_500_000, "post", LatencyStats.Outcome.FAILED, 0, "40P01"));
        txs.set(1, new LatencyStats.Tx(2, 300_000, "post", LatencyStats.Outcome.SWITCHED, 0, null));
        LatencyStats s = LatencyStats.of(txs);
        assertEquals(100, s.count());
        assertEquals(52_000, s.p50Us());
        assertEquals(300_000, s.p99Us());
        assertEquals(1_500_000, s.maxUs());
        assertEquals(2, s.over200ms());
        assertEquals(1, s.over1s());
        assertEquals(1, s.failed());
        assertEquals(1, s.switched());
        assertEquals(10, LatencyStats.window(txs, 11, 20).size());
        assertEquals(txs.get(0), LatencyStats.Tx.parse(txs.get(0).csv()));
    }

    /** The transaction mix adds up to the documented weights. */
    @Test
    void mix() {
        int[] n = new int[Workload.Kind.values().length];
        for (int r = 0; r < 100; r++) {
            n[Workload.pick(r).ordinal()]++;
        }
        assertEquals(List.of(25, 10, 15, 8, 5, 37), java.util.Arrays.stream(n).boxed().toList());
    }
}
