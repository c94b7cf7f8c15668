package org.uuidmig.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** migrate's and rollback's results: their text is what the commands print, and Jackson can write them as JSON. */
class RunResultTest {
    private static final MigrationResult COMPLETE = new MigrationResult(MigrationResult.Outcome.COMPLETE, null, null, 1, null,
        List.of(new MigrationResult.Column("public.chat_messages.sender_id", 12345, 12000, 2500, "done")), 3.04);

    @Test
    void migrationSummaryText() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, COMPLETE.printText(new PrintWriter(out), new PrintWriter(err)));
        String nl = System.lineSeparator();
        assertEquals(nl + String.format("%-40s %12s %12s %10s  %s", "column", "rows", "backfilled", "time", "result") + nl
            + String.format("%-40s %,12d %,12d %9.1fs  %s", "public.chat_messages.sender_id", 12345L, 12000L, 2.5, "done") + nl
            + nl + String.format("migration complete in %.1f s", 3.04) + nl, out.toString());
        assertEquals("", err.toString());
    }

    @Test
    void rollbackText() {
        StringWriter out = new StringWriter();
        new RollbackResult(RollbackResult.Outcome.NOTHING_RECORDED, "app", List.of("other"), 0)
            .printText(new PrintWriter(out), new PrintWriter(new StringWriter()));
        assertEquals("Nothing to roll back: no migration of schema app is recorded in schema uuidmig (it records the migration "
            + "of schema other, which this rollback leaves as it is: roll that back with --schema)." + System.lineSeparator(), out.toString());
    }

    @Test
    void resultsAreJson() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String m = json.writeValueAsString(COMPLETE);
        assertTrue(m.contains("\"outcome\":\"COMPLETE\"") && m.contains("\"backfilled\":12000"), m);
        String r = json.writeValueAsString(new RollbackResult(RollbackResult.Outcome.COMPLETE, "app", List.of(), 1.5));
        assertTrue(r.contains("\"outcome\":\"COMPLETE\"") && r.contains("\"seconds\":1.5"), r);
    }
}
