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
        List.of(new MigrationResult.Column("public.chat_messages.sender_id", 12345, 12000, 2500, "done")), 3.04, null, List.of());

    @Test
    void migrationSummaryText() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, COMPLETE.printText(new PrintWriter(out), new PrintWriter(err)));
        String nl = System.lineSeparator();
        // the name column is as wide as the longest name
        assertEquals(nl + String.format("%-30s %12s %12s %10s  %s", "column", "rows", "backfilled", "time", "result") + nl
            + String.format("%-30s %,12d %,12d %9.1fs  %s", "public.chat_messages.sender_id", 12345L, 12000L, 2.5, "done") + nl
            + nl + String.format("migration complete in %.1f s", 3.04) + nl, out.toString());
        assertEquals("", err.toString());
    }

    /** Issue 16 item 10: a name over 40 characters keeps the columns aligned (a fixed width of 40 broke the table). */
    @Test
    void longNamesKeepTheTableAligned() {
        String longName = "public.service_request_attachment_versions.uploaded_by_user_id";
        MigrationResult r = new MigrationResult(MigrationResult.Outcome.COMPLETE, null, null, 1, null, List.of(
            new MigrationResult.Column(longName, 1, 1, 10, "done"),
            new MigrationResult.Column("public.a.b", 22, 22, 10, "done")), 1.0, null, List.of());
        StringWriter out = new StringWriter();
        r.printText(new PrintWriter(out), new PrintWriter(new StringWriter()));
        List<String> lines = out.toString().lines().filter(l -> l.endsWith("done") || l.endsWith("result")).toList();
        assertEquals(3, lines.size(), out.toString());
        int rowsEnd = lines.get(0).indexOf("rows") + "rows".length();
        for (String l : lines) {
            assertEquals(' ', l.charAt(longName.length()), "one space after the name column: " + l);
            assertTrue(Character.isLetterOrDigit(l.charAt(rowsEnd - 1)), "the rows column ends at the same place: " + out);
        }
    }

    @Test
    void rollbackText() {
        StringWriter out = new StringWriter();
        RollbackResult.of(RollbackResult.Outcome.NOTHING_RECORDED, "app", List.of("other"))
            .printText(new PrintWriter(out), new PrintWriter(new StringWriter()));
        assertEquals("Nothing to roll back: no migration of schema app is recorded in schema uuidmig (it records the migration "
            + "of schema other, which this rollback leaves as it is: roll that back with --schema)." + System.lineSeparator(), out.toString());
    }

    @Test
    void resultsAreJson() throws Exception {
        ObjectMapper json = new ObjectMapper();
        String m = json.writeValueAsString(COMPLETE);
        assertTrue(m.contains("\"outcome\":\"COMPLETE\"") && m.contains("\"backfilled\":12000"), m);
        String r = json.writeValueAsString(new RollbackResult(RollbackResult.Outcome.COMPLETE, "app", List.of(), 1.5, null, List.of(), List.of()));
        assertTrue(r.contains("\"outcome\":\"COMPLETE\"") && r.contains("\"seconds\":1.5"), r);
    }

    /** A dry run prints as the commented SQL plan has always printed, and its JSON carries the same content, unescaped. */
    @Test
    void dryRunTextAndJson() {
        DryRun plan = new DryRun("uuidmig migrate --dry-run: nothing is changed. Plan (1 columns):",
            List.of(new DryRun.Column("t.c", "integer", true, null, "t.c integer NOT NULL, FK none\n(one is added)")),
            List.of(new DryRun.Step(1, "expand", "t", List.of(new DryRun.Statement("ACCESS EXCLUSIVE, brief", "ALTER TABLE t ADD x uuid"))),
                new DryRun.Step(2, "prepare", "", List.of())),
            "Flyway records version V in H");
        StringWriter out = new StringWriter();
        MigrationResult result = MigrationResult.dryRun(plan);
        assertEquals(0, result.printText(new PrintWriter(out), new PrintWriter(new StringWriter())));
        String nl = System.lineSeparator();
        assertEquals("-- uuidmig migrate --dry-run: nothing is changed. Plan (1 columns):" + nl
            + "--   t.c integer NOT NULL, FK none\\x0a(one is added)" + nl + nl
            + "-- step 1: expand t" + nl + "--   lock: ACCESS EXCLUSIVE, brief" + nl + "ALTER TABLE t ADD x uuid;" + nl + nl
            + "-- step 2: prepare" + nl + nl
            + "-- then Flyway records version V in H" + nl, out.toString());

        java.util.Map<String, Object> doc = result.document("plan", "h:5432/db", "public");
        assertEquals(List.of("command", "status", "exitCode", "outcome", "database", "schema", "message", "columnCount", "seconds",
            "columns", "steps", "plan", "validatePre"), List.copyOf(doc.keySet()));
        assertEquals("ok", doc.get("status"));
        assertEquals("dry_run", doc.get("outcome"));
        String json = Json.toJson(doc);
        assertTrue(json.contains("\"description\" : \"t.c integer NOT NULL, FK none\\n(one is added)\""), json);
        assertTrue(json.contains("\"sql\" : \"ALTER TABLE t ADD x uuid\""), json);
    }

    /** A refusal is an error document: status error, exit 1, why, and the refusing report. */
    @Test
    void refusalDocument() {
        org.uuidmig.report.CheckReport pre = new org.uuidmig.report.CheckReport("validate-pre", "h:5432/db", List.of());
        java.util.Map<String, Object> doc = new MigrationResult(MigrationResult.Outcome.REFUSED, null, null, 9, pre, List.of(), 0, null,
            List.of()).document("migrate", "h:5432/db", "public");
        assertEquals("error", doc.get("status"));
        assertEquals(1, doc.get("exitCode"));
        assertTrue(String.valueOf(doc.get("error")).startsWith("migration refused: validate-pre found blocking problems"), doc.toString());
        assertEquals("validate-pre", ((java.util.Map<?, ?>) doc.get("validatePre")).get("command"));
    }
}
