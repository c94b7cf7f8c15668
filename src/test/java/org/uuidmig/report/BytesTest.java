package org.uuidmig.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Sizes in binary units with one decimal, never "1024.0 KiB". */
class BytesTest {
    @Test
    void humanUnits() {
        assertEquals("0 B", Bytes.human(0));
        assertEquals("1023 B", Bytes.human(1023));
        assertEquals("1.0 KiB", Bytes.human(1024));
        assertEquals("68.6 MiB", Bytes.human(71_947_376));
        assertEquals("1.0 MiB", Bytes.human(1024 * 1024 - 1));
        assertEquals("1.5 GiB", Bytes.human(3L * 512 * 1024 * 1024));
        assertEquals("-3.0 MiB", Bytes.human(-3L * 1024 * 1024));
        assertEquals("8.0 EiB", Bytes.human(Long.MAX_VALUE));
    }
}
