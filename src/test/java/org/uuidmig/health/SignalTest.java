package org.uuidmig.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

/** How a signal reads in log lines (describe), in status (text), and a snapshot's reason for being held back. */
class SignalTest {
    @Test
    void overUnderNoValueAndUnavailable() {
        Signal lag = new Signal(SignalKind.REPLICA_LAG, 12.0, 10, true, "standby 'replica_1' at 10.0.0.7, streaming", null);
        assertEquals("replica lag 12 s > 10 s (standby 'replica_1' at 10.0.0.7, streaming)", lag.describe());
        assertEquals("replica lag: 12 s (standby 'replica_1' at 10.0.0.7, streaming); bound 10 s; OVER its bound", lag.text());

        Signal latency = new Signal(SignalKind.LATENCY, 1.24, 3, false, "1.2 ms vs 1 ms", null);
        assertEquals("probe latency 1.2x <= 3x baseline (1.2 ms vs 1 ms)", latency.describe());
        assertEquals("probe latency: 1.2x the baseline (1.2 ms vs 1 ms); bound 3x", latency.text());

        Signal slot = new Signal(SignalKind.SLOT_WAL, null, 1L << 30, false, "no replication slot", null);
        assertEquals("slot WAL: no replication slot", slot.describe());
        assertEquals("slot WAL: no replication slot; bound 1 GB", slot.text());

        Signal xact = new Signal(SignalKind.LONG_TRANSACTION, 725.0, 600, true, "pid 4242, psql, user app, idle in transaction", null);
        assertEquals("long transaction 12 min 5 s > 10 min (pid 4242, psql, user app, idle in transaction)", xact.describe());

        Signal vacuum = new Signal(SignalKind.WRAPAROUND_VACUUM, 1.0, 0, true, "public.chat_messages (pid 77)", null);
        assertEquals("autovacuum to prevent wraparound on public.chat_messages (pid 77)", vacuum.describe());
        assertEquals("wraparound vacuum: running on public.chat_messages (pid 77); bound: none on a migrated table; OVER its bound",
            vacuum.text());

        Signal hidden = new Signal(SignalKind.WRAPAROUND_VACUUM, null, 0, false, null, "the autovacuum workers' queries need pg_read_all_stats or superuser");
        assertEquals("wraparound vacuum: not available (the autovacuum workers' queries need pg_read_all_stats or superuser)", hidden.describe());

        HealthSnapshot s = new HealthSnapshot(Instant.EPOCH, Duration.ofMillis(1), Duration.ofMillis(1), List.of(), List.of(), List.of(),
            List.of(), List.of(latency, lag, slot, vacuum, xact), null);
        assertEquals(List.of(lag, vacuum, xact), s.over());
        assertEquals("replica lag 12 s > 10 s (standby 'replica_1' at 10.0.0.7, streaming); autovacuum to prevent wraparound on "
            + "public.chat_messages (pid 77); long transaction 12 min 5 s > 10 min (pid 4242, psql, user app, idle in transaction)",
            s.overReason());
    }

    @Test
    void durationsAndSizesForPeople() {
        assertEquals("0.4 ms", Signal.seconds(0.0004));
        assertEquals("350 ms", Signal.seconds(0.35));
        assertEquals("1.5 s", Signal.seconds(1.5));
        assertEquals("12 s", Signal.seconds(12.2));
        assertEquals("4 min 10 s", Signal.seconds(250));
        assertEquals("10 min", Signal.seconds(600));
        assertEquals("2 h 5 min", Signal.seconds(7500));
        assertEquals("512 bytes", Signal.show(SignalKind.SLOT_WAL, 512));
        assertEquals("1.5 kB", Signal.show(SignalKind.SLOT_WAL, 1536));
        assertEquals("58.2 MB", Signal.show(SignalKind.SLOT_WAL, 58.2 * (1 << 20)));
        assertEquals("3x", Signal.show(SignalKind.LATENCY, 3));
    }

    /** The latency signal's percentile, nearest rank: of ten probes the 90th is the second slowest, not the slowest. */
    @Test
    void thePercentileOfTheProbes() {
        List<Duration> ten = java.util.stream.IntStream.rangeClosed(1, 10).mapToObj(i -> Duration.ofMillis(11 - i)).toList();
        assertEquals(Duration.ofMillis(9), HealthMonitor.percentile(ten, 0.9));
        assertEquals(Duration.ofMillis(5), HealthMonitor.percentile(ten, 0.5));
        assertEquals(Duration.ofMillis(7), HealthMonitor.percentile(List.of(Duration.ofMillis(7)), 0.9), "one probe is its own percentile");
        assertEquals(Duration.ofMillis(3), HealthMonitor.percentile(List.of(Duration.ofMillis(3), Duration.ofMillis(1)), 0.9));
    }

    /** A latency over its factor but within --latency-floor reads "&gt;" its factor and is not over its bound. */
    @Test
    void aLatencyWithinTheFloorIsNotOver() {
        Signal s = new Signal(SignalKind.LATENCY, 3.4, 3, false, "p90 of 10 probes 1.7 ms vs 0.5 ms; 1.2 ms slower is within --latency-floor 2 ms", null);
        assertEquals("probe latency 3.4x > 3x baseline (p90 of 10 probes 1.7 ms vs 0.5 ms; 1.2 ms slower is within --latency-floor 2 ms)",
            s.describe());
        assertEquals(List.of(), new HealthSnapshot(java.time.Instant.EPOCH, Duration.ofNanos(500_000), Duration.ofNanos(1_700_000),
            List.of(), List.of(), List.of(), List.of(), List.of(s), null).over());
    }

    @Test
    void theMedianOfTheProbes() {
        assertEquals(Duration.ofMillis(2), HealthMonitor.median(List.of(Duration.ofMillis(9), Duration.ofMillis(1), Duration.ofMillis(2))));
        assertEquals(Duration.ofMillis(3), HealthMonitor.median(List.of(Duration.ofMillis(4), Duration.ofMillis(1), Duration.ofMillis(2),
            Duration.ofMillis(9))));
    }
}
