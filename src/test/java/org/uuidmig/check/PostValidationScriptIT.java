package org.uuidmig.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.uuidmig.ExitCode;
import org.uuidmig.testing.MigratedFixture;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * scripts/post_migration_validation.sql, run by psql as the migration guide says, reports the same checks as
 * {@code uuidmig validate-post --format json}: same names in the same order, same PASS/FAIL and count.
 */
@ExtendWith(PostgresExtension.class)
class PostValidationScriptIT {
    private static final Path SCRIPT = Path.of("scripts", "post_migration_validation.sql");
    private static final String PSQL = "/usr/bin/psql";

    /** One row of the script's output. */
    record Row(String status, long count, String detail) {
    }

    /** Runs the script with psql against db; check name -> row, in output order. */
    static Map<String, Row> runScript(TestDb db) throws Exception {
        assertTrue(Files.isRegularFile(SCRIPT), SCRIPT.toAbsolutePath() + " is missing");
        assertTrue(Files.isExecutable(Path.of(PSQL)), PSQL + " is needed to run the psql script");
        List<String> cmd = List.of(PSQL, "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
            "-h", db.server().host(), "-p", String.valueOf(db.server().port()), "-U", db.server().user(), "-d", db.name(),
            "-f", SCRIPT.toAbsolutePath().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (db.server().password() != null) {
            pb.environment().put("PGPASSWORD", db.server().password());
        }
        pb.environment().remove("PGOPTIONS");
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "psql did not finish");
        String stdout = out.get();
        String stderr = err.get();
        assertEquals(0, p.exitValue(), "psql failed:\n" + stdout + "\n" + stderr);
        assertEquals("", stderr.strip(), "psql wrote to stderr");
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String line : stdout.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t", 4);
            assertEquals(4, f.length, "check, status, count, detail expected in: " + line);
            assertTrue(f[1].equals("PASS") || f[1].equals("FAIL"), line);
            rows.put(f[0], new Row(f[1], Long.parseLong(f[2]), f[3]));
        }
        return rows;
    }

    private static String read(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Runs both; asserts the script's rows agree with the CLI's JSON check by check; returns the rows. */
    static Map<String, Row> compare(TestDb db) throws Exception {
        ValidatePostIT.Post cli = ValidatePostIT.validatePostJson(db);
        Map<String, Row> script = runScript(db);
        assertEquals(List.copyOf(cli.statuses().keySet()), List.copyOf(script.keySet()), "same checks, same order\n"
            + script + "\n" + cli);
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, Row> e : script.entrySet()) {
            var check = cli.check(e.getKey());
            String cliStatus = check.get("status").asText().toUpperCase();
            long cliCount = check.get("count").asLong();
            if (!cliStatus.equals(e.getValue().status()) || cliCount != e.getValue().count()) {
                differences.add(e.getKey() + ": script " + e.getValue().status() + " " + e.getValue().count() + " (" + e.getValue().detail()
                    + "), CLI " + cliStatus + " " + cliCount + " (" + check.get("message").asText() + ")");
            }
        }
        assertEquals(List.of(), differences);
        return script;
    }

    @Test
    void cleanMigrationPassesEveryCheck(TestDb db) throws Exception {
        MigratedFixture.copyInto(db, 1);
        Map<String, Row> rows = compare(db);
        assertEquals(ValidatePostIT.ALL_CHECKS, List.copyOf(rows.keySet()));
        assertTrue(rows.values().stream().allMatch(r -> r.status().equals("PASS")), rows.toString());
        assertEquals(4450, rows.get("mapping_verified").count());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.uuidmig.check.ValidatePostIT#defects")
    void sameFailureAsTheCli(String what, String damage, String check, List<String> named, TestDb db) throws Exception {
        MigratedFixture.copyInto(db, 1);
        db.exec(damage);
        Map<String, Row> rows = compare(db);
        List<String> failed = rows.entrySet().stream().filter(e -> e.getValue().status().equals("FAIL")).map(Map.Entry::getKey).toList();
        assertEquals(List.of(check), failed, what + ": " + rows);
        for (String n : named) {
            assertTrue(rows.get(check).detail().contains(n), what + ": expected '" + n + "' in: " + rows.get(check).detail());
        }
    }

    @Test
    void neverMigratedNamesTheColumns(TestDb db) throws Exception {
        db.loadFixture(1);
        Map<String, Row> rows = compare(db);
        assertEquals("FAIL", rows.get("migration_state").status());
        assertTrue(rows.get("migration_state").detail().startsWith("never migrated: "), rows.toString());
        for (String col : ValidatePostIT.DEFAULT_COLUMNS) {
            assertTrue(rows.get("migration_state").detail().contains(col), col + " in " + rows);
        }
    }

    @Test
    void halfWayFailsLikeTheCli(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult expand = db.run("migrate", "--phase", "expand");
        assertEquals(ExitCode.OK, expand.exitCode(), expand.toString());
        Map<String, Row> rows = compare(db);
        assertTrue(rows.get("migration_state").detail().contains("user_roles.user_id at step verify"), rows.toString());
        assertEquals("FAIL", rows.get("indexes_recreated").status(), rows.toString());
    }
}
