package org.uuidmig.flyway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** The history table's name for an application schema: the schema's own name where Flyway's DDL can take it. */
class HistoryTableTest {
    @Test
    void plainNamesAreKept() {
        assertEquals("public", HistoryTable.tableFor("public"));
        assertEquals("Odd Schema.with dots", HistoryTable.tableFor("Odd Schema.with dots"));
        assertEquals("é".repeat(28) + "x", HistoryTable.tableFor("é".repeat(28) + "x"), "57 bytes");
        assertEquals("\"uuidmig_history\".\"public\"", HistoryTable.of("public").qualified());
        assertEquals("\"public\".\"uuidmig_schema_history\"", HistoryTable.legacy("public").qualified());
    }

    @Test
    void namesFlywayCannotTakeAreHashed() {
        // md5('Odd "Schema"'), as PostgreSQL's md5() and the Alembic revision compute it
        assertEquals("#75a5e4cd0149959d42185d4090375686", HistoryTable.tableFor("Odd \"Schema\""));
        assertEquals('#', HistoryTable.tableFor("#public").charAt(0), "a plain name never starts with #");
        assertNotEquals(HistoryTable.tableFor("#public"), HistoryTable.tableFor("public"));
        assertEquals(33, HistoryTable.tableFor("é".repeat(29)).length(), "58 bytes: the index name would be cut");
    }
}
