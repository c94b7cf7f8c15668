package org.uuidmig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.uuidmig.ExitCode;
import org.uuidmig.testing.ClosedPort;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * --plan on the command line, without a database: every command that works on a schema takes it, reads it before it
 * connects (so a bad file is exit 2 however the connection would go), and refuses inline plan options beside it.
 */
class PlanFileOptionTest {
    /** Every command that connects, but demo (which makes its own database); set needs an argument to get that far. */
    private static final List<List<String>> COMMANDS = List.of(List.of("validate-pre"), List.of("plan"), List.of("migrate"),
        List.of("validate-post"), List.of("status"), List.of("rollback"), List.of("cleanup", "--yes"), List.of("pause"),
        List.of("resume"), List.of("set", "jobs=1"), List.of("hold-swap"), List.of("release-swap"));

    private static CliResult run(int port, List<String> command, String... more) {
        List<String> args = new ArrayList<>(command);
        args.add("--url");
        args.add("postgresql://nobody@127.0.0.1:" + port + "/none");
        args.addAll(List.of(more));
        return CliResult.run(args.toArray(new String[0]));
    }

    @Test
    void everyCommandReadsThePlanFileBeforeConnecting(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("plan.json");
        Files.writeString(bad, "{\"columns\": [\"a.b\"], \"colums\": []}");
        try (ClosedPort closed = new ClosedPort()) {
            for (List<String> command : COMMANDS) {
                CliResult r = run(closed.port(), command, "--plan", bad.toString());
                assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), command + ": " + r);
                assertTrue(r.err().contains("uuidmig: error: plan file " + bad + ": unknown key \"colums\""), command + ": " + r);
                assertFalse(r.err().contains("connect"), "read before connecting: " + command + ": " + r);

                r = run(closed.port(), command, "--plan", dir.resolve("missing.json").toString(), "--format", "json");
                assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), command + ": " + r);
                JsonNode doc = new ObjectMapper().readTree(r.out());
                assertEquals(command.get(0), doc.get("command").asText(), r.out());
                assertEquals(2, doc.get("exitCode").asInt(), r.out());
                assertTrue(doc.get("error").asText().endsWith("missing.json: no such file"), r.out());
            }
        }
    }

    @Test
    void inlinePlanOptionsBesideAPlanFileAreRefused(@TempDir Path dir) throws Exception {
        Path plan = dir.resolve("plan.json");
        Files.writeString(plan, "{\"schema\": \"app\", \"columns\": [\"a.b\"]}");
        try (ClosedPort closed = new ClosedPort()) {
            for (String command : List.of("validate-pre", "plan", "migrate", "validate-post", "status")) {
                CliResult r = run(closed.port(), List.of(command), "--plan", plan.toString(), "--exclude", "a.b", "--users-table", "users");
                assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), command + ": " + r);
                assertTrue(r.err().contains("--plan " + plan + " cannot be combined with --exclude, --users-table: the plan file holds "
                    + "the whole plan"), command + ": " + r);
            }
            // rollback and the others do not take the inline options at all
            CliResult r = run(closed.port(), List.of("rollback"), "--plan", plan.toString(), "--column", "a.b");
            assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), r.toString());
            assertTrue(r.err().contains("Unknown options: '--column', 'a.b'"), r.toString());
            // a --schema that contradicts the file's
            for (List<String> command : COMMANDS) {
                r = run(closed.port(), command, "--plan", plan.toString(), "--schema", "public");
                assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), command + ": " + r);
                assertTrue(r.err().contains("--schema public contradicts the plan file " + plan + ", whose schema is app"), command + ": " + r);
            }
            // the same schema is fine: then it is the connection that fails
            r = run(closed.port(), List.of("status"), "--plan", plan.toString(), "--schema", "app");
            assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), r.toString());
            assertFalse(r.err().contains("contradicts"), r.toString());
            assertTrue(r.err().contains("127.0.0.1:" + closed.port()), r.toString());
        }
    }

    @Test
    void helpNamesTheOption() {
        assertTrue(CliResult.run("validate-pre", "--help").out().contains("--plan=FILE"));
        assertTrue(CliResult.run("plan", "--help").out().contains("--write-plan=FILE"));
        assertTrue(CliResult.run("rollback", "--help").out().contains("A plan file (docs/plan-file.md): only its schema is"));
        assertFalse(CliResult.run("demo", "--help").out().contains("--plan"));
    }
}
