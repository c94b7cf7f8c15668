package org.uuidmig.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The names uuidmig generates: distinct for distinct columns, deterministic, within 63 bytes. */
class TempNamesTest {
    @Test
    void syncFunctionsOfColumnsWhoseNamesJoinAlikeDiffer() {
        // a_b.c and a.b_c both gave sync_a_b_c: the second expand replaced the first table's function
        assertEquals("sync_508e9e5a_a_b_c", TempNames.syncFunction("public", "a_b", "c"));
        assertEquals("sync_a1e9ca19_a_b_c", TempNames.syncFunction("public", "a", "b_c"));
        assertNotEquals(TempNames.syncFunction("s1", "t", "c"), TempNames.syncFunction("s2", "t", "c"));
        assertEquals(TempNames.syncFunction("public", "a_b", "c"), TempNames.syncFunction("public", "a_b", "c"), "a rerun finds it");
    }

    @Test
    void longNamesStayDistinctAndFit() {
        String t = "t".repeat(60);
        String f1 = TempNames.syncFunction("public", t, "column_one");
        String f2 = TempNames.syncFunction("public", t, "column_two");
        assertNotEquals(f1, f2);
        assertTrue(f1.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 63, f1);
        assertTrue(TempNames.index("i".repeat(70) + "a").length() <= 63);
        assertNotEquals(TempNames.index("i".repeat(70) + "a"), TempNames.index("i".repeat(70) + "b"));
    }
}
