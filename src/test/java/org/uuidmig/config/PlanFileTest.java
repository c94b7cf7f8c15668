package org.uuidmig.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;

/** The plan file (--plan): what it reads, what it refuses and how it says so, and that what it writes reads back the same. */
class PlanFileTest {
    private static final Path P = Path.of("plan.json");

    private static String refused(String text) {
        UuidmigException e = assertThrows(UuidmigException.class, () -> PlanFile.parse(P, text));
        assertEquals(ExitCode.USAGE_OR_CONNECTION, e.exitCode(), e.getMessage());
        assertTrue(e.getMessage().startsWith("plan file plan.json: "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void readsEveryKey() {
        PlanFile f = PlanFile.parse(P, """
            {"version": 1, "comment": "ours", "schema": "app", "usersTable": "accounts", "oldKey": "account_id",
             "newKey": "account_uuid", "columns": ["orders.account_id", "\\"Odd.Name\\".owner"]}""");
        assertEquals("app", f.schema());
        assertEquals("accounts", f.usersTable());
        assertEquals("account_id", f.oldKey());
        assertEquals("account_uuid", f.newKey());
        assertEquals("ours", f.comment());
        assertEquals(List.of(new ColumnRef("orders", "account_id"), new ColumnRef("Odd.Name", "owner")), f.columns());
        PlanSettings s = f.settings("public");
        assertEquals("app", s.schema(), "the file's schema wins over --schema's default");
        assertEquals(f.columns(), s.requestedColumns());
        assertEquals(List.of(), s.excludes());
        assertEquals("plan.json", s.planFile());
        assertTrue(!s.defaultColumns());
    }

    @Test
    void onlyTheColumnsAreRequired() {
        PlanFile f = PlanFile.parse(P, "{\"columns\": [\"a.b\"]}");
        assertNull(f.schema());
        assertEquals("users", f.usersTable());
        assertEquals("id", f.oldKey());
        assertEquals("uuid", f.newKey());
        assertEquals("other", f.settings("other").schema(), "without a schema in the file, --schema's");
    }

    @Test
    void badJsonNamesTheLineAndColumn() {
        String m = refused("{\n  \"columns\": [\n    \"a.b\",\n  ]\n}");
        assertTrue(m.contains("invalid JSON at line 4, column 3"), m);
        m = refused("{\"columns\": [\"a.b\"]} {}");
        assertTrue(m.contains("invalid JSON at line 1"), m);
    }

    @Test
    void refusesWhatWouldSilentlyChangeThePlan() {
        String m = refused("{\"colums\": [\"a.b\"]}");
        assertTrue(m.contains("unknown key \"colums\" (did you mean \"columns\"?)"), m);
        m = refused("{\"columns\": [\"a.b\"], \"discover\": true}");
        assertTrue(m.contains("unknown key \"discover\"") && m.contains("a plan file holds version, comment, schema"), m);
        m = refused("{\"columns\": [\"a.b\", \"c.d\", \"a.b\"]}");
        assertTrue(m.endsWith("column a.b is listed twice in \"columns\" (entries 1 and 3)"), m);
        m = refused("{\"columns\": [\"a.b\"], \"columns\": [\"c.d\"]}");
        assertTrue(m.contains("Duplicate field 'columns'"), m);
        m = refused("{\"columns\": []}");
        assertTrue(m.contains("\"columns\" is empty"), m);
        m = refused("{\"schema\": \"public\"}");
        assertTrue(m.contains("\"columns\" is missing"), m);
        m = refused("{\"columns\": \"a.b\"}");
        assertTrue(m.contains("\"columns\" must be an array of \"table.column\" strings, not a string"), m);
        m = refused("{\"columns\": [\"a.b\", 7]}");
        assertTrue(m.contains("\"columns\" entry 2 must be a \"table.column\" string, not a number"), m);
        m = refused("{\"columns\": [\"ab\"]}");
        assertTrue(m.contains("\"columns\" entry 1: invalid column \"ab\": expected table.column"), m);
        m = refused("{\"columns\": [\"a.b\"], \"schema\": 1}");
        assertTrue(m.contains("\"schema\" must be a string, not a number"), m);
        m = refused("{\"columns\": [\"a.b\"], \"usersTable\": \"\"}");
        assertTrue(m.contains("\"usersTable\" is empty"), m);
        m = refused("{\"columns\": [\"a.b\"], \"oldKey\": \"uuid\"}");
        assertTrue(m.contains("\"oldKey\" and \"newKey\" are both \"uuid\""), m);
        m = refused("{\"columns\": [\"a.b\"], \"version\": 2}");
        assertTrue(m.contains("\"version\" is 2; this uuidmig reads version 1"), m);
        m = refused("[\"a.b\"]");
        assertTrue(m.contains("expected a JSON object with \"columns\", not an array"), m);
        m = refused("  \n");
        assertTrue(m.contains("the file is empty"), m);
    }

    @Test
    void aMissingFileIsAUsageError(@TempDir Path dir) {
        UuidmigException e = assertThrows(UuidmigException.class, () -> PlanFile.read(dir.resolve("nope.json")));
        assertEquals(ExitCode.USAGE_OR_CONNECTION, e.exitCode());
        assertTrue(e.getMessage().endsWith("nope.json: no such file"), e.getMessage());
    }

    /** What write() puts in a file reads back as the same plan, one column per line for readable diffs. */
    @Test
    void whatItWritesReadsBackTheSame(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("plan.json");
        List<ColumnRef> cols = new ArrayList<>(PlanSettings.DEFAULT_COLUMNS);
        cols.add(new ColumnRef("Odd.Name", "it's"));
        PlanFile written = PlanFile.of(path, "public", "users", "id", "uuid", cols);
        written.write();
        String text = Files.readString(path);
        assertTrue(text.contains("\n    \"chat_messages.sender_id\",\n"), text);
        assertTrue(text.startsWith("{\n  \"version\": 1,\n  \"schema\": \"public\",\n"), text);
        PlanFile read = PlanFile.read(path);
        assertEquals(written, read);
        assertEquals(written.settings("x"), read.settings("y"));
        // replacing an existing file leaves no temporary file behind
        PlanFile.of(path, "app", "users", "id", "uuid", List.of(new ColumnRef("a", "b"))).write();
        assertEquals("app", PlanFile.read(path).schema());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(path), files.toList());
        }
    }

    @Test
    void writingIntoAMissingDirectoryIsAUsageError(@TempDir Path dir) {
        UuidmigException e = assertThrows(UuidmigException.class,
            () -> PlanFile.of(dir.resolve("no/plan.json"), "public", "users", "id", "uuid", List.of(new ColumnRef("a", "b"))).write());
        assertEquals(ExitCode.USAGE_OR_CONNECTION, e.exitCode());
        assertTrue(e.getMessage().contains("cannot write it"), e.getMessage());
    }

    /** The example the docs ship (docs/plan-file.md) reads, and is the guide's nine with the application's table name. */
    @Test
    void theShippedExampleReads() {
        PlanFile f = PlanFile.read(Path.of("docs/examples/servicecatalog-plan.json"));
        List<ColumnRef> expected = PlanSettings.DEFAULT_COLUMNS.stream()
            .map(c -> c.table().equals("user_request_assigns") ? new ColumnRef("request_user_assigns", c.column()) : c).toList();
        assertEquals(expected, f.columns());
        assertEquals("public", f.schema());
        assertEquals("users", f.usersTable());
        assertEquals("id", f.oldKey());
        assertEquals("uuid", f.newKey());
        // and it is written as uuidmig writes plan files, so that plan --write-plan gives the same text
        assertEquals(f.json(), readExample());
    }

    private static String readExample() {
        try {
            return Files.readString(Path.of("docs/examples/servicecatalog-plan.json"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void nearestKey() {
        assertEquals("usersTable", PlanFile.nearest("userstable", PlanFile.KEYS));
        assertEquals("newKey", PlanFile.nearest("new_key", PlanFile.KEYS));
        assertNull(PlanFile.nearest("tables", PlanFile.KEYS));
    }
}
