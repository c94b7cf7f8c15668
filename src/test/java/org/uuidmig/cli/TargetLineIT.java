package org.uuidmig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.uuidmig.ExitCode;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * Every command that connects starts with one line on stderr naming the target: host:port/database, the role,
 * the server version and the schema, as the server reports them; stdout stays the report (or the JSON).
 */
@ExtendWith(PostgresExtension.class)
class TargetLineIT {

    private static String expected(TestDb db, String command, String schema) throws Exception {
        String version = db.queryString("SELECT split_part(current_setting('server_version'), ' ', 1)");
        return "uuidmig " + command + ": target " + db.server().host() + ":" + db.server().port() + "/" + db.name() + " as "
            + db.server().user() + " (PostgreSQL " + version + "), schema " + schema;
    }

    private static String firstLine(String s) {
        return s.lines().findFirst().orElse("");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"validate-pre", "plan", "migrate --dry-run", "validate-post", "status", "rollback --dry-run",
        "validate-pre --format json", "validate-post --format json", "status --format json"})
    void everyCommandNamesItsTargetFirst(String commandLine, TestDb db) throws Exception {
        db.loadFixture(1);
        String[] args = commandLine.split(" ");
        CliResult r = db.run(args);
        assertTrue(r.exitCode() == ExitCode.OK || r.exitCode() == ExitCode.CHECKS_FAILED, r.toString());
        assertEquals(expected(db, args[0], "public"), firstLine(r.err()), r.toString());
        assertFalse(r.out().contains(": target "), "the target line is on stderr only: " + r);
        if (commandLine.endsWith("json")) {
            new ObjectMapper().readTree(r.out()); // stdout is the JSON document alone
        }
    }

    /** The schema is --schema's; a name that needs quoting is quoted; a missing schema still names the target, then fails. */
    @Test
    void schemaIsNamedAndQuotedWhenNeeded(TestDb db) throws Exception {
        db.exec("CREATE SCHEMA \"Order Items\"");
        CliResult r = db.run("status", "--schema", "Order Items");
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        assertEquals(expected(db, "status", "\"Order Items\""), firstLine(r.err()), r.toString());

        CliResult missing = db.run("migrate", "--schema", "no_such_schema");
        assertEquals(ExitCode.USAGE_OR_CONNECTION, missing.exitCode(), missing.toString());
        List<String> lines = missing.err().lines().toList();
        assertEquals(expected(db, "migrate", "no_such_schema"), lines.get(0), missing.toString());
        assertTrue(lines.get(1).contains("schema \"no_such_schema\" does not exist"), missing.toString());
    }
}
