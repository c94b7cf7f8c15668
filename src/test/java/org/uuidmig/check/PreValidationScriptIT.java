package org.uuidmig.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.check.Reports.Check;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TempDirs;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/** scripts/pre_migration_validation.sql, run with the real psql, agrees with validate-pre --format json check by check. */
@ExtendWith(PostgresExtension.class)
class PreValidationScriptIT {
    private static final Path SCRIPT = Path.of("scripts", "pre_migration_validation.sql");
    /** The checks the script has, in its order. */
    private static final List<String> SCRIPT_CHECKS;

    static {
        List<String> names = new ArrayList<>(List.of("users_without_uuid", "duplicate_user_uuids"));
        ValidatePreIT.DEFAULT_COLUMNS.forEach(c -> names.add("orphaned_" + c));
        names.add("duplicate_constraint_violations");
        names.add("active_user_sessions");
        SCRIPT_CHECKS = List.copyOf(names);
    }

    /** On the clean fixture the script passes every check but active_user_sessions (WARN), with the CLI's counts. */
    @Test
    void cleanFixtureAgreesWithCli(TestDb db) throws Exception {
        db.loadFixture(1);
        Map<String, Check> script = runScript(db);
        assertEquals(SCRIPT_CHECKS, List.copyOf(script.keySet()));
        assertSameAsCli(db, script);
        for (Check c : script.values()) {
            assertEquals(c.name().equals("active_user_sessions") ? "WARN" : "PASS", c.status(), c.toString());
        }
        assertEquals(db.queryLong("SELECT count(*) FROM user_sessions WHERE is_active"), script.get("active_user_sessions").count());
    }

    /** With orphans, a NULL uuid and a shared uuid injected, script and CLI report the same failures and counts, and nothing changes. */
    @Test
    void injectedDefectsAgreeWithCli(TestDb db) throws Exception {
        db.loadFixture(1);
        db.exec("INSERT INTO service_request_notes (request_id, created_by, body) VALUES (1, 987654, 'orphan'), (2, 987655, 'orphan')");
        db.exec("ALTER TABLE chat_messages DROP CONSTRAINT fk_chat_messages_sender_id_users");
        db.exec("UPDATE chat_messages SET sender_id = 876543 WHERE id = 7");
        db.exec("ALTER TABLE users ALTER COLUMN uuid DROP NOT NULL, DROP CONSTRAINT users_uuid_key");
        db.exec("UPDATE users SET uuid = NULL WHERE id = 3");
        // users 1 and 2 share a uuid and a role: one collision group in uq_user_roles_user_id_role_id at least
        db.exec("UPDATE users SET uuid = (SELECT uuid FROM users WHERE id = 1) WHERE id = 2");
        db.exec("DELETE FROM user_roles WHERE user_id IN (1, 2) AND role_id = 5");
        db.exec("INSERT INTO user_roles (user_id, role_id) VALUES (1, 5), (2, 5)");
        String before = DatabaseState.of(db);

        Map<String, Check> script = runScript(db);
        assertEquals(1L, script.get("users_without_uuid").count());
        assertEquals(1L, script.get("duplicate_user_uuids").count());
        assertEquals(1L, script.get("orphaned_chat_messages_sender_id").count());
        assertEquals(2L, script.get("orphaned_service_request_notes_created_by").count());
        assertEquals(0L, script.get("orphaned_user_roles_user_id").count());
        assertTrue(script.get("duplicate_constraint_violations").count() >= 1, script.toString());
        for (String failing : List.of("users_without_uuid", "duplicate_user_uuids", "orphaned_chat_messages_sender_id",
            "orphaned_service_request_notes_created_by", "duplicate_constraint_violations")) {
            assertEquals("FAIL", script.get(failing).status(), failing);
        }
        assertSameAsCli(db, script);
        assertEquals(before, DatabaseState.of(db), "the script changed the database");
    }

    /** An INVALID unique index on a user column counts 1 in duplicate_constraint_violations, as in the CLI. */
    @Test
    void invalidUniqueIndexAgreesWithCli(TestDb db) throws Exception {
        db.loadFixture(1);
        try {
            db.exec("CREATE UNIQUE INDEX CONCURRENTLY ux_invalid_monitor ON chat_read_monitors (user_id)");
        } catch (java.sql.SQLException expected) {
            // repeated user ids: the build fails and leaves the index INVALID
        }
        Map<String, Check> script = runScript(db);
        assertEquals(1L, script.get("duplicate_constraint_violations").count());
        assertSameAsCli(db, script);
    }

    /** Each script row has the status and count of the CLI check of the same name. */
    private static void assertSameAsCli(TestDb db, Map<String, Check> script) {
        CliResult r = db.run("validate-pre", "--format", "json");
        Map<String, Check> cli = Reports.byName(Reports.json(r.out()));
        List<String> expected = new ArrayList<>();
        List<String> actual = new ArrayList<>();
        for (Check s : script.values()) {
            Check c = cli.get(s.name());
            expected.add(s.name() + " " + (c == null ? "missing" : c.status() + " " + c.count()));
            actual.add(s.name() + " " + s.status() + " " + s.count());
        }
        assertEquals(expected, actual, "script vs validate-pre --format json\n" + r.out());
    }

    /** Runs the script with psql --csv against the test database; check_name -> (status, count). */
    private static Map<String, Check> runScript(TestDb db) throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(SCRIPT), SCRIPT.toAbsolutePath() + " is missing");
        String psql = System.getenv().getOrDefault("UUIDMIG_PSQL", "psql");
        ProcessBuilder pb = new ProcessBuilder(psql, "-X", "--csv", "-v", "ON_ERROR_STOP=1",
            "-h", db.server().host(), "-p", Integer.toString(db.server().port()), "-U", db.server().user(), "-d", db.name(),
            "-f", SCRIPT.toString());
        pb.environment().remove("PGOPTIONS");
        if (db.server().password() != null) {
            pb.environment().put("PGPASSWORD", db.server().password());
        }
        Path dir = TempDirs.create("uuidmig-psql-");
        String out;
        String stderr;
        try {
            Path err = dir.resolve("psql.err");
            pb.redirectError(err.toFile());
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new AssertionError("cannot run " + psql + " (set UUIDMIG_PSQL to the psql binary): " + e.getMessage(), e);
            }
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "psql did not finish");
            stderr = Files.readString(err);
            assertEquals(0, p.exitValue(), "psql failed:\n" + stderr + out);
        } finally {
            TempDirs.delete(dir);
        }
        assertEquals("", stderr, "psql wrote to stderr");

        List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
        assertEquals("check_name,count,status", lines.get(0), out);
        Map<String, Check> checks = new LinkedHashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            assertEquals(3, f.length, line);
            checks.put(f[0], new Check(f[0], f[2], Long.valueOf(f[1]), ""));
        }
        return checks;
    }
}
