package org.uuidmig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.uuidmig.ExitCode;
import org.uuidmig.engine.StepRunner;
import org.uuidmig.testing.ClosedPort;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TempDirs;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.testing.TestDb;

/**
 * --format json: every command's stdout is exactly one JSON object, for every outcome (success, refusal, connection
 * failure, usage error, interruption), with command, status, exitCode (and error when it is not 0) as docs/json.md says.
 */
@ExtendWith(PostgresExtension.class)
class JsonOutputIT {
    /** Trailing tokens fail the parse: stdout must hold one object and nothing else. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** stdout as the one JSON object it must be, with the fields every document has, agreeing with the exit code. */
    private static JsonNode doc(String command, int exitCode, String stdout, Object context) {
        JsonNode d;
        try {
            d = JSON.readTree(stdout);
        } catch (Exception e) {
            throw new AssertionError("stdout is not one JSON object (" + e.getMessage() + "): " + context, e);
        }
        assertTrue(d != null && d.isObject(), "stdout is not a JSON object: " + context);
        assertEquals(command, d.path("command").asText(), context.toString());
        assertEquals(exitCode, d.path("exitCode").asInt(-1), context.toString());
        assertEquals(exitCode == 0 ? "ok" : "error", d.path("status").asText(), context.toString());
        if (exitCode != 0) {
            assertFalse(d.path("error").asText("").isBlank(), "an error object says why: " + context);
        }
        return d;
    }

    private static JsonNode doc(String command, int exitCode, CliResult r) {
        assertEquals(exitCode, r.exitCode(), r.toString());
        return doc(command, exitCode, r.out(), r);
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }

    /** plan, migrate, status and rollback each print their content as one JSON object: the plan, the result, the stage. */
    @Test
    void everyCommandPrintsItsResultAsJson(TestDb db) throws Exception {
        db.loadFixture(1);

        CliResult planText = db.run("plan");
        JsonNode plan = doc("plan", 0, db.run("plan", "--format", "json"));
        assertEquals("dry_run", plan.get("outcome").asText());
        assertTrue(plan.get("database").asText().endsWith("/" + db.name()), plan.toString());
        JsonNode dry = plan.get("plan");
        assertEquals(9, dry.get("columns").size(), dry.toString());
        assertEquals(List.of("chat_messages.sender_id", "integer", "false", "fk_chat_messages_sender_id_users"),
            List.of(dry.get("columns").get(0).get("column").asText(), dry.get("columns").get(0).get("type").asText(),
                dry.get("columns").get(0).get("notNull").asText(), dry.get("columns").get(0).get("foreignKey").asText()));
        assertEquals(planText.out().lines().filter(l -> l.startsWith("-- step ")).count(), dry.get("steps").size(), "as many steps as the text");
        assertEquals(1, dry.get("steps").get(0).get("number").asInt());
        assertEquals("prepare", dry.get("steps").get(0).get("id").asText());
        for (JsonNode step : dry.get("steps")) {
            for (JsonNode s : step.get("statements")) {
                assertFalse(s.get("lock").asText().isEmpty() || s.get("sql").asText().isEmpty(), step.toString());
            }
        }
        assertTrue(texts(dry.get("steps"), "id").contains("swap"), dry.get("steps").toString());
        assertTrue(dry.get("then").asText().startsWith("Flyway records version 2025.12.04.2215"), dry.toString());
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'"), "plan changed nothing");

        JsonNode migrate = doc("migrate", 0, db.run("migrate", "--format", "json"));
        assertEquals("complete", migrate.get("outcome").asText());
        assertTrue(migrate.get("message").asText().startsWith("migration complete in "), migrate.toString());
        assertTrue(migrate.get("seconds").asDouble() > 0, migrate.toString());
        assertTrue(migrate.get("plan").isNull() && migrate.get("validatePre").isNull(), migrate.toString());
        assertEquals(9, migrate.get("columns").size(), migrate.toString());
        JsonNode sender = migrate.get("columns").get(0);
        assertEquals("chat_messages.sender_id", sender.get("column").asText());
        assertEquals("done", sender.get("step").asText());
        assertEquals(db.queryLong("SELECT count(*) FROM chat_messages"), sender.get("rows").asLong(), sender.toString());
        assertEquals(db.queryLong("SELECT count(*) FROM chat_messages WHERE sender_id IS NOT NULL"), sender.get("backfilled").asLong(),
            sender.toString());
        List<String> steps = texts(migrate.get("steps"), "step");
        assertEquals("prepare", steps.get(0), steps.toString());
        assertTrue(steps.contains("backfill") && steps.contains("swap"), steps.toString());
        migrate.get("steps").forEach(s -> assertTrue(s.get("millis").asLong() >= 0, s.toString()));

        assertEquals("already_migrated", doc("migrate", 0, db.run("migrate", "--format", "json")).get("outcome").asText());
        JsonNode status = doc("status", 0, db.run("status", "--format", "json"));
        assertEquals("done", status.get("stage").asText());

        JsonNode rollbackPlan = doc("rollback", 0, db.run("rollback", "--dry-run", "--format", "json"));
        assertEquals("dry_run", rollbackPlan.get("outcome").asText());
        JsonNode rollbackSteps = rollbackPlan.get("plan").get("steps");
        assertEquals("rollback_state", rollbackSteps.get(rollbackSteps.size() - 1).get("id").asText(), rollbackSteps.toString());
        assertEquals("uuid", db.queryString("SELECT data_type FROM information_schema.columns WHERE table_schema = 'public' "
            + "AND table_name = 'chat_messages' AND column_name = 'sender_id'"), "the dry run changed nothing");

        JsonNode rollback = doc("rollback", 0, db.run("rollback", "--format", "json"));
        assertEquals("complete", rollback.get("outcome").asText());
        assertEquals(9, rollback.get("columns").size(), rollback.toString());
        JsonNode back = rollback.get("columns").get(0);
        assertEquals("chat_messages.sender_id", back.get("column").asText());
        assertEquals(db.queryLong("SELECT count(*) FROM chat_messages WHERE sender_id IS NOT NULL"), back.get("backfilled").asLong(),
            back.toString());
        assertTrue(texts(rollback.get("steps"), "step").contains("rollback_swap"), rollback.get("steps").toString());
        assertEquals("nothing_recorded", doc("rollback", 0, db.run("rollback", "--format", "json")).get("outcome").asText());
    }

    /** A server that cannot be reached is a JSON error object (exit 2) from every command; the line on stderr stays. */
    @Test
    void connectionFailureIsAJsonError() throws Exception {
        try (ClosedPort closed = new ClosedPort()) {
            String url = "jdbc:postgresql://127.0.0.1:" + closed.port() + "/nodb?user=postgres";
            for (String command : List.of("plan", "migrate", "rollback", "status", "validate-pre", "validate-post")) {
                CliResult r = CliResult.run(command, "--url", url, "--format", "json");
                JsonNode d = doc(command, ExitCode.USAGE_OR_CONNECTION, r);
                assertTrue(d.get("error").asText().contains("127.0.0.1:" + closed.port()), d.toString());
                assertTrue(d.get("error").asText().contains("unreachable"), d.toString());
                assertTrue(r.err().startsWith("uuidmig: error: cannot connect"), r.toString());
            }
        }
    }

    /** A command line that does not parse, or options that a command refuses, with --format json: a JSON error (exit 2). */
    @Test
    void usageErrorsAreJsonErrors() throws Exception {
        JsonNode unknown = doc("migrate", ExitCode.USAGE_OR_CONNECTION, CliResult.run("migrate", "--format", "json", "--bogus"));
        assertTrue(unknown.get("error").asText().contains("--bogus"), unknown.toString());
        try (ClosedPort closed = new ClosedPort()) {
            // checked in call(), before connecting; --format=JSON in another spelling
            CliResult r = CliResult.run("rollback", "--format=JSON", "--jobs", "0", "--url", "jdbc:postgresql://127.0.0.1:" + closed.port() + "/x");
            assertEquals("--jobs must be between 1 and 16", doc("rollback", ExitCode.USAGE_OR_CONNECTION, r).get("error").asText());
        }
        JsonNode badValue = doc("migrate", ExitCode.USAGE_OR_CONNECTION, CliResult.run("migrate", "--format", "json", "--batch-size", "many"));
        assertTrue(badValue.get("error").asText().contains("'many'"), badValue.toString());
        // without --format json, stdout stays empty as before
        CliResult text = CliResult.run("migrate", "--bogus");
        assertEquals(ExitCode.USAGE_OR_CONNECTION, text.exitCode());
        assertEquals("", text.out(), text.toString());
        assertTrue(text.err().contains("Unknown option: '--bogus'"), text.toString());
    }

    /** Failed checks: migrate and plan refuse with the validate-pre report inside, validate-pre's own report says why (exit 1). */
    @Test
    void failedChecksAreJsonErrors(TestDb db) throws Exception {
        db.loadFixture(1);
        db.exec("INSERT INTO service_request_notes (request_id, created_by, body) VALUES (1, 987654, 'orphan')");
        for (String command : List.of("migrate", "plan")) {
            JsonNode d = doc(command, ExitCode.CHECKS_FAILED, db.run(command, "--format", "json"));
            assertEquals("refused", d.get("outcome").asText(), d.toString());
            assertTrue(d.get("error").asText().startsWith("migration refused: validate-pre found blocking problems"), d.toString());
            JsonNode pre = d.get("validatePre");
            assertEquals("validate-pre", pre.get("command").asText());
            assertEquals(1, pre.get("exitCode").asInt());
            boolean orphanFailed = false;
            for (JsonNode c : pre.get("checks")) {
                orphanFailed |= c.get("name").asText().equals("orphaned_service_request_notes_created_by") && c.get("status").asText().equals("fail");
            }
            assertTrue(orphanFailed, pre.toString());
        }
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'"), "nothing was changed");
        JsonNode pre = doc("validate-pre", ExitCode.CHECKS_FAILED, db.run("validate-pre", "--format", "json"));
        assertTrue(pre.get("error").asText().matches("1 of \\d+ checks failed"), pre.toString());
        assertFalse(pre.get("ok").asBoolean());
    }

    /** A run refused by an error of its own (exit 1 from an exception, not a report) names the database and what it ran. */
    @Test
    void refusalByErrorIsAJsonError(TestDb db) throws Exception {
        db.loadFixture(1);
        JsonNode d = doc("migrate", ExitCode.CHECKS_FAILED, db.run("migrate", "--phase", "contract", "--format", "json"));
        assertTrue(d.get("error").asText().startsWith("nothing to contract"), d.toString());
        assertTrue(d.get("database").asText().endsWith("/" + db.name()), d.toString());
        assertEquals("public", d.get("schema").asText());
        assertEquals(0, d.get("steps").size(), d.toString());
    }

    /**
     * In a JVM of its own: SIGTERM during the backfill prints a JSON error object (exit 4) on stdout with the steps done,
     * the interruption line stays on stderr; the rerun's stdout is one JSON object, its announcements and logs on stderr.
     */
    // the slow suite's: InterruptIT signals a run in the default suite; this adds the JSON of it
    @Tag("slow")
    @Test
    void interruptionIsAJsonErrorAndTheRerunsStdoutIsOnlyJson(TestDb db) throws Exception {
        db.loadFixture(1);
        Path dir = TempDirs.create("uuidmig-json-");
        try {
            Path out = dir.resolve("out.json");
            Path err = dir.resolve("err.log");
            Process p = Subprocess.start(out, err, List.of("-Duuidmig.fault.pauseAt=batch"),
                "migrate", "--url", db.url(), "--format", "json", "--jobs", "1");
            try {
                Subprocess.awaitPaused(p, err, "batch");
                p.destroy(); // SIGTERM
                assertTrue(p.waitFor(1, TimeUnit.MINUTES), "the interrupted run did not exit within a minute");
            } finally {
                p.destroyForcibly();
            }
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            String context = "stdout:\n" + Files.readString(out, StandardCharsets.UTF_8) + "\nstderr:\n" + stderr;
            assertEquals(ExitCode.INCOMPLETE, p.exitValue(), context);
            JsonNode d = doc("migrate", ExitCode.INCOMPLETE, Files.readString(out, StandardCharsets.UTF_8), context);
            String error = d.get("error").asText();
            // SIGTERM releases the held batch; on the fixture's 2-batch table the step may end before the run stops,
            // so the line names the step or says "between steps" (seen once on PostgreSQL 12 in .ci/run)
            assertTrue((error.startsWith("uuidmig migrate: interrupted during step backfill (")
                    || error.startsWith("uuidmig migrate: interrupted between steps"))
                && error.endsWith("; rerun uuidmig migrate to continue"), context);
            assertTrue(stderr.lines().anyMatch(error::equals), "the same line on stderr: " + context);
            List<String> steps = texts(d.get("steps"), "step");
            assertEquals("prepare", steps.get(0), context);
            assertTrue(steps.contains("expand") && !steps.contains("swap"), context);
            assertTrue(d.get("database").asText().endsWith("/" + db.name()), context);

            db.awaitNoUuidmigSessions();
            Process rerun = Subprocess.start(out, err, List.of(), "migrate", "--url", db.url(), "--format", "json");
            assertTrue(rerun.waitFor(5, TimeUnit.MINUTES), "the rerun did not finish");
            stderr = Files.readString(err, StandardCharsets.UTF_8);
            context = "stdout:\n" + Files.readString(out, StandardCharsets.UTF_8) + "\nstderr:\n" + stderr;
            JsonNode done = doc("migrate", 0, Files.readString(out, StandardCharsets.UTF_8), context);
            assertEquals(0, rerun.exitValue(), context);
            assertEquals("complete", done.get("outcome").asText(), context);
            assertFalse(texts(done.get("steps"), "step").contains("expand"), "the rerun skips what was done: " + context);
            assertTrue(stderr.contains("Resuming an interrupted migration of schema public"), context);
            assertTrue(stderr.contains("[INFO] StepRunner - swap "), context);
        } finally {
            TempDirs.delete(dir);
        }
    }
}
