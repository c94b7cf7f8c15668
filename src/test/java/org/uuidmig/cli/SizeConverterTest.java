package org.uuidmig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import picocli.CommandLine.TypeConversionException;

/** --max-slot-wal's sizes read as PostgreSQL's memory settings do: each unit is 1024 of the one below. */
class SizeConverterTest {
    private final SizeConverter c = new SizeConverter();

    @Test
    void unitsArePowersOf1024() {
        assertEquals(100L, c.convert("100"));
        assertEquals(100L, c.convert("100B"));
        assertEquals(64L << 10, c.convert("64kB"));
        assertEquals(512L << 20, c.convert("512MB"));
        assertEquals(1L << 30, c.convert("1GB"));
        assertEquals(1L << 30, c.convert("1 gb"));
        assertEquals(1L << 30, c.convert("1GiB"));
        assertEquals(3L << 29, c.convert("1.5GB"));
        assertEquals(2L << 40, c.convert("2TB"));
    }

    @Test
    void whatIsNoSizeIsRefusedNamingIt() {
        assertTrue(assertThrows(TypeConversionException.class, () -> c.convert("lots")).getMessage().contains("'lots' is not a size"));
        assertTrue(assertThrows(TypeConversionException.class, () -> c.convert("1PB")).getMessage().contains("unknown unit PB"));
        assertTrue(assertThrows(TypeConversionException.class, () -> c.convert("-1GB")).getMessage().contains("is not a size"));
        assertTrue(assertThrows(TypeConversionException.class, () -> c.convert("9000000TB")).getMessage().contains("larger than"));
    }
}
