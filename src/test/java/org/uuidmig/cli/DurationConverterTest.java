package org.uuidmig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import picocli.CommandLine.TypeConversionException;

/** Durations parse exactly, absurd ones are refused, and each option's range check names option, range and value. */
class DurationConverterTest {
    private final DurationConverter c = new DurationConverter();

    @Test
    void parsesUnits() {
        assertEquals(Duration.ofMillis(250), c.convert("250ms"));
        assertEquals(Duration.ofMillis(250), c.convert("250"));
        assertEquals(Duration.ofMillis(1500), c.convert("1.5s"));
        assertEquals(Duration.ofMinutes(5), c.convert("5m"));
        assertEquals(Duration.ofMinutes(5), c.convert("5min"));
        assertEquals(Duration.ofHours(1), c.convert("1h"));
        assertEquals(Duration.ZERO, c.convert("0"));
    }

    /** 0.4ms is not rounded to 0 (no timeout in PostgreSQL), and 0.6ms is not rounded up to a valid 1 ms. */
    @Test
    void keepsFractionsOfAMillisecond() {
        assertEquals(Duration.ofNanos(400_000), c.convert("0.4ms"));
        assertEquals(Duration.ofNanos(600_000), c.convert("0.6ms"));
        assertTrue(DurationConverter.outOfRange("--lock-timeout", c.convert("0.6ms"), Duration.ofMillis(1),
            DurationConverter.POSTGRES_TIMEOUT_MAX, null).contains("not 0.6ms"));
    }

    @Test
    void refusesNonsenseAndAbsurdLengths() {
        assertThrows(TypeConversionException.class, () -> c.convert("soon"));
        assertThrows(TypeConversionException.class, () -> c.convert("-1s"));
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> c.convert("99999999999999h"));
        assertTrue(e.getMessage().contains("99999999999999h"), e.getMessage());
    }

    @Test
    void rangeMessagesNameOptionRangeAndValue() {
        Duration ms = Duration.ofMillis(1);
        Duration max = DurationConverter.POSTGRES_TIMEOUT_MAX;
        assertNull(DurationConverter.outOfRange("--lock-timeout", ms, ms, max, null));
        assertNull(DurationConverter.outOfRange("--lock-timeout", max, ms, max, null));
        assertEquals("--lock-timeout must be between 1ms and 2147483647ms (24.9 days) (why), not 0ms",
            DurationConverter.outOfRange("--lock-timeout", Duration.ZERO, ms, max, "why"));
        assertEquals("--wait-timeout must be between 1ms and 2147483647ms (24.9 days), not 2147483648ms (24.9 days)",
            DurationConverter.outOfRange("--wait-timeout", max.plusMillis(1), ms, max, null));
        assertEquals("--batch-delay must be between 0ms and 1h, not 2h",
            DurationConverter.outOfRange("--batch-delay", Duration.ofHours(2), Duration.ZERO, Duration.ofHours(1), null));
    }

    /** Issue 16 item 8: ISO-8601 and spelled-out units, and what a bare number is. */
    @Test
    void acceptsIsoAndSpelledOutUnits() {
        assertEquals(Duration.ofSeconds(5), c.convert("PT5S"));
        assertEquals(Duration.ofSeconds(90), c.convert("pt1m30s"));
        assertEquals(Duration.ofSeconds(5), c.convert("5sec"));
        assertEquals(Duration.ofMinutes(2), c.convert("2 mins"));
        assertEquals(Duration.ofHours(1), c.convert("1hour"));
        assertEquals(Duration.ofMillis(5), c.convert("5"), "a bare number is milliseconds");
        assertThrows(TypeConversionException.class, () -> c.convert("PT-5S"));
        assertThrows(TypeConversionException.class, () -> c.convert("PT9000H"));
        assertThrows(TypeConversionException.class, () -> c.convert("P1Y"));
    }
}
