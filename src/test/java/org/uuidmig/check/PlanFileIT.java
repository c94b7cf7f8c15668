package org.uuidmig.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uuidmig.check.Reports.assertCheck;
import static org.uuidmig.check.Reports.check;
import static org.uuidmig.check.Reports.jsonDoc;
import static org.uuidmig.check.Reports.plannedColumns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.uuidmig.config.PlanFile;
import org.uuidmig.testing.Fixture;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * Issue 16 item 7 against real PostgreSQL: on the servicecatalog application the guide's user_request_assigns is
 * request_user_assigns; the default plan's FAIL names that column and the exact options that plan it; a plan file
 * (--plan) holds the plan, plan --write-plan writes one that reads back as the same plan, and the example shipped in
 * docs/examples plans the application's nine columns.
 */
@ExtendWith(PostgresExtension.class)
class PlanFileIT {
    static final String EXAMPLE = "docs/examples/servicecatalog-plan.json";

    /** The fixture as the real application has it: request_user_assigns. */
    private static TestDb application(TestDb db) throws Exception {
        db.loadFixture(1);
        db.exec("ALTER TABLE public.user_request_assigns RENAME TO request_user_assigns");
        return db;
    }

    /** The check-name suffixes of the application's nine columns, in the guide's order. */
    private static List<String> applicationColumns() {
        return ValidatePreIT.DEFAULT_COLUMNS.stream()
            .map(c -> c.equals("user_request_assigns_user_id") ? "request_user_assigns_user_id" : c).toList();
    }

    @Test
    void theDefaultPlansFailNamesTheLikelyColumnAndTheOptionsThatPlanIt(TestDb db) throws Exception {
        application(db);
        List<String> expectedOptions = new ArrayList<>();
        for (var e : Fixture.COLUMNS.entrySet()) {
            expectedOptions.add("--column");
            expectedOptions.add((e.getKey().equals("user_request_assigns") ? "request_user_assigns" : e.getKey()) + "." + e.getValue());
        }

        CliResult text = db.run("validate-pre");
        assertEquals(1, text.exitCode(), text.toString());
        assertCheck(text, "column_user_request_assigns_user_id", "FAIL");
        assertEquals("table \"public\".\"user_request_assigns\" does not exist; the likely intended column is request_user_assigns.user_id "
            + "(its table has the same words, and it references users(id) but is not in the plan)",
            check(text, "column_user_request_assigns_user_id").message());
        assertTrue(text.out().contains("\n            " + String.join(" ", expectedOptions) + "\n"), text.out());
        assertTrue(check(text, "unplanned_user_references").message().contains("request_user_assigns.user_id (likely the planned "
            + "user_request_assigns.user_id, which does not exist: see its FAIL)"), text.out());

        // JSON: the same, and the options as words a program can pass on
        CliResult json = db.run("validate-pre", "--format", "json");
        assertEquals(1, json.exitCode(), json.toString());
        JsonNode suggestion = null;
        for (JsonNode c : jsonDoc(json.out()).get("checks")) {
            if (c.get("name").asText().equals("column_user_request_assigns_user_id")) {
                suggestion = c.get("suggestion");
            }
        }
        assertEquals("user_request_assigns.user_id", suggestion.get("missing").asText(), json.out());
        assertEquals("[\"request_user_assigns.user_id\"]", suggestion.get("likely").toString());
        assertTrue(suggestion.get("planFile").isNull());
        List<String> arguments = new ArrayList<>();
        suggestion.get("arguments").forEach(a -> arguments.add(a.asText()));
        assertEquals(expectedOptions, arguments);

        // plan and migrate refuse with the same FAIL, and their last line names it; nothing changes
        CliResult plan = db.run("plan");
        assertEquals(1, plan.exitCode(), plan.toString());
        assertTrue(plan.err().contains("the likely intended column is request_user_assigns.user_id"), plan.err());
        assertTrue(plan.err().contains("migration refused: validate-pre found blocking problems (listed above: "
            + "column_user_request_assigns_user_id). Nothing was changed."), plan.err());
        CliResult migrate = db.run("migrate", "--format", "json");
        assertEquals(1, migrate.exitCode(), migrate.toString());
        JsonNode doc = jsonDoc(migrate.out());
        assertTrue(doc.get("error").asText().contains("(listed in validatePre: column_user_request_assigns_user_id)"), migrate.out());
        assertTrue(migrate.out().contains("\"likely\" : [ \"request_user_assigns.user_id\" ]"), migrate.out());
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'"));

        // the options it gave plan the application's nine columns, and nothing is left unplanned
        List<String> args = new ArrayList<>(List.of("validate-pre"));
        args.addAll(arguments);
        CliResult fixed = db.run(args.toArray(new String[0]));
        assertEquals(0, fixed.exitCode(), fixed.toString());
        assertEquals(applicationColumns(), plannedColumns(fixed));
        assertCheck(fixed, "unplanned_user_references", "PASS");
    }

    /** The shipped example is the plan of the application: it passes, and a plan file's FAIL says to edit the file. */
    @Test
    void theShippedExamplePlansTheApplication(TestDb db, @TempDir Path dir) throws Exception {
        application(db);
        CliResult r = db.run("validate-pre", "--plan", EXAMPLE);
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(applicationColumns(), plannedColumns(r));
        assertCheck(r, "unplanned_user_references", "PASS");

        Path guide = dir.resolve("guide.json");
        Files.writeString(guide, Files.readString(Path.of(EXAMPLE)).replace("\"request_user_assigns.user_id\"", "\"user_request_assigns.user_id\""));
        r = db.run("validate-pre", "--plan", guide.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.out().contains("fix: if request_user_assigns.user_id is the column meant, list \"request_user_assigns.user_id\" in "
            + "place of \"user_request_assigns.user_id\" in \"columns\" of the plan file " + guide), r.out());
        assertTrue(r.out().contains("fix: add them to \"columns\" in the plan file " + guide), r.out());
    }

    /**
     * plan --write-plan writes the plan it printed; --plan with that file prints the same plan again (the same
     * statements, in the same order), and status reads it too, beside a --schema that agrees with it.
     */
    @Test
    void writingThePlanThenReadingItGivesTheSamePlan(TestDb db, @TempDir Path dir) throws Exception {
        db.loadFixture(1);
        Path file = dir.resolve("plan.json");
        CliResult defaults = db.run("plan", "--write-plan", file.toString());
        assertEquals(0, defaults.exitCode(), defaults.toString());
        assertTrue(defaults.err().contains("wrote the plan (9 columns of schema public) to " + file), defaults.err());
        PlanFile written = PlanFile.read(file);
        assertEquals(Fixture.COLUMNS.entrySet().stream().map(e -> e.getKey() + "." + e.getValue()).toList(),
            written.columns().stream().map(Object::toString).toList());
        assertEquals("public", written.schema());

        CliResult again = db.run("plan", "--plan", file.toString());
        assertEquals(0, again.exitCode(), again.toString());
        assertEquals(defaults.out(), again.out());
        assertTrue(defaults.out().contains("Plan (9 columns)"), defaults.out());

        CliResult status = db.run("status", "--plan", file.toString(), "--schema", "public");
        assertEquals(0, status.exitCode(), status.toString());
        assertTrue(status.out().contains("not started: 9 of 9 planned columns hold integers"), status.out());

        // --discover and --exclude are resolved into the file: it lists what the plan planned
        Path narrowed = dir.resolve("narrowed.json");
        CliResult json = db.run("plan", "--exclude", "user_roles.user_id", "--format", "json", "--write-plan", narrowed.toString());
        assertEquals(0, json.exitCode(), json.toString());
        JsonNode doc = jsonDoc(json.out());
        assertEquals(narrowed.toString(), doc.get("planFile").asText());
        List<String> planned = new ArrayList<>();
        doc.get("plan").get("columns").forEach(c -> planned.add(c.get("column").asText()));
        assertEquals(planned, PlanFile.read(narrowed).columns().stream().map(Object::toString).toList());
        assertFalse(planned.contains("user_roles.user_id"));
        assertEquals(8, planned.size());
        assertEquals(json.out().replace(narrowed.toString(), "F"),
            db.run("plan", "--plan", narrowed.toString(), "--format", "json", "--write-plan", narrowed.toString()).out()
                .replace(narrowed.toString(), "F"));

        // a refused plan is not written
        db.exec("ALTER TABLE public.user_request_assigns RENAME TO request_user_assigns");
        Path refused = dir.resolve("refused.json");
        CliResult r = db.run("plan", "--write-plan", refused.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains(refused + " not written: validate-pre refused the plan"), r.err());
        assertFalse(Files.exists(refused));
    }
}
