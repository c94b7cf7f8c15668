package org.uuidmig.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;

/** The target line: one line, names quoted only when they need it, an IPv6 address in brackets. */
class TargetTest {
    @Test
    void plainNames() {
        assertEquals("uuidmig migrate: target 127.0.0.1:5432/shop as postgres (PostgreSQL 15.4), schema public",
            new Target("127.0.0.1", 5432, "shop", "postgres", "15.4", "public", true).line("migrate"));
    }

    @Test
    void oddNamesAreQuotedAndStayOnOneLine() {
        String line = new Target("::1", 5433, "my db", "o\"brien", "17.2", "Order\nItems", true).line("status");
        assertEquals("uuidmig status: target [::1]:5433/\"my db\" as \"o\"\"brien\" (PostgreSQL 17.2), schema \"Order\\u000aItems\"", line);
        assertEquals(1, line.lines().count());
    }

    @Test
    void missingSchemaIsExitTwo() {
        UuidmigException e = assertThrows(UuidmigException.class,
            () -> new Target("h", 5432, "db", "u", "15", "nosuch", false).requireSchema());
        assertEquals(ExitCode.USAGE_OR_CONNECTION, e.exitCode());
        assertTrue(e.getMessage().contains("schema \"nosuch\" does not exist in database \"db\""), e.getMessage());
    }
}
