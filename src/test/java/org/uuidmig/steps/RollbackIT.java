package org.uuidmig.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.uuidmig.testing.CatalogSnapshot;
import org.uuidmig.testing.Fixture;
import org.uuidmig.testing.Original;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.testing.TestDb;

/** uuidmig rollback before the swap: the database ends exactly as it was before migrate touched it. */
@ExtendWith(PostgresExtension.class)
class RollbackIT {
    private static final List<String> MIGRATE = List.of("--batch-size", "100", "--max-batch-time", "1ms");

    /**
     * Halted at a named point of migrate ({@code -Duuidmig.fault.haltAfter="STEP TARGET"}, or {@code haltBefore}: before
     * the swap is after every verify, which leaves a failed Flyway row), rollback restores the catalog
     * (pg_dump --schema-only and the normalised snapshot) and the data, and drops schema uuidmig.
     */
    @ParameterizedTest(name = "migrate halted at {0}, then rollback")
    @ValueSource(strings = {"haltBefore=swap"})
    void rollbackAfterHaltedMigrateRestoresEverything(String point, TestDb db) throws Exception {
        haltedMigrateThenRollback(point, db);
    }

    /** More halt points, for the slow suite. */
    @Tag("slow")
    @ParameterizedTest(name = "migrate halted at {0}, then rollback")
    @ValueSource(strings = {"haltAfter=backfill message_read_states.user_id", "haltAfter=prepare", "haltAfter=reindex chat_messages",
        "haltAfter=index chat_read_monitors.user_id ix_chat_read_monitors_request_id_incl", "haltAfter=foreign_key message_read_states.user_id",
        "haltAfter=expand chat_messages", "haltAfter=count message_read_states", "haltAfter=users_key",
        "haltAfter=not_null service_requests.requester_id", "haltAfter=verify chat_read_monitors"})
    void rollbackAfterHaltedMigrateMorePoints(String point, TestDb db) throws Exception {
        haltedMigrateThenRollback(point, db);
    }

    private void haltedMigrateThenRollback(String point, TestDb db) throws Exception {
        db.loadFixture(1);
        Before before = Before.of(db);

        Subprocess.Result killed = Subprocess.run(List.of("-Duuidmig.fault." + point), args("migrate", db, MIGRATE));
        assertEquals(137, killed.exitCode(), "the fault point was not reached: " + killed.output());
        db.awaitNoUuidmigSessions(); // the killed run's sessions (and its run lock) end when the server notices

        CliResult rb = db.run("rollback");
        assertEquals(0, rb.exitCode(), rb.toString());
        assertTrue(rb.out().contains("rollback complete"), rb.toString());
        before.assertRestored(db);
        assertEquals(List.of("2025.12.04.2216 rollback user references to integer true"), history(db));
    }

    /** After a complete expand phase (sync triggers live, no Flyway involved), rollback restores everything. */
    // the slow suite's: BlueGreenIT.rollbackDuringTheWindowDropsTheViews rolls back after the expand phase in the default suite
    @Tag("slow")
    @Test
    void rollbackAfterExpandPhase(TestDb db) throws Exception {
        db.loadFixture(1);
        Before before = Before.of(db);
        CliResult expand = db.run("migrate", "--phase", "expand");
        assertEquals(0, expand.exitCode(), expand.toString());
        // the application writes while the triggers are there
        db.exec("INSERT INTO chat_messages (request_id, sender_id, content) SELECT request_id, 3, 'x' FROM chat_messages LIMIT 1");
        db.exec("DELETE FROM chat_messages WHERE content = 'x'");

        CliResult dry = db.run("rollback", "--dry-run");
        assertEquals(0, dry.exitCode(), dry.toString());
        assertTrue(dry.out().contains("DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"_uuidmig_"), dry.out());
        assertTrue(dry.out().contains("DROP SCHEMA IF EXISTS uuidmig CASCADE;"), dry.out());
        assertTrue(db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'") == 1, "dry run changed nothing");

        CliResult rb = db.run("rollback");
        assertEquals(0, rb.exitCode(), rb.toString());
        before.assertRestored(db);

        CliResult again = db.run("rollback");
        assertEquals(0, again.exitCode(), again.toString());
        assertTrue(again.out().contains("Nothing to roll back"), again.toString());
        assertEquals(List.of("2025.12.04.2216 rollback user references to integer true"), history(db));
    }

    /** After a rollback before the swap, migrate runs again (2215 goes in after 2216), and a second rollback gets its own row. */
    // the slow suite's: a rollback and a second migrate are each the default suite's elsewhere; this chains them
    @Tag("slow")
    @Test
    void migrateAgainAfterRollbackBeforeSwap(TestDb db) throws Exception {
        db.loadFixture(1);
        Before before = Before.of(db);
        Map<String, String> migrated = Fixture.expectedDigests(db);
        CliResult expand = db.run("migrate", "--phase", "expand");
        assertEquals(0, expand.exitCode(), expand.toString());
        CliResult rb = db.run("rollback");
        assertEquals(0, rb.exitCode(), rb.toString());

        CliResult m = db.run("migrate");
        assertEquals(0, m.exitCode(), m.toString());
        assertEquals(migrated, Fixture.digests(db));
        CliResult rb2 = db.run("rollback");
        assertEquals(0, rb2.exitCode(), rb2.toString());
        before.original().assertRestored(db);
        assertEquals(List.of("2025.12.04.2216 rollback user references to integer true",
            "2025.12.04.2215 migrate user references to uuid true",
            "2025.12.04.2216.1 rollback user references to integer true"), history(db));
    }

    /** Where users(uuid) was nullable and had no unique index, rollback removes exactly what migrate added to it. */
    @Test
    void rollbackRemovesWhatMigrateAddedToUsers(TestDb db) throws Exception {
        db.loadFixture(1);
        // the FKs to users(uuid) need a unique key; without one, migrate adds it (and NOT NULL)
        db.exec("ALTER TABLE users DROP CONSTRAINT users_uuid_key; ALTER TABLE users ALTER COLUMN uuid DROP NOT NULL");
        Before before = Before.of(db);
        CliResult expand = db.run("migrate", "--phase", "expand");
        assertEquals(0, expand.exitCode(), expand.toString());
        assertEquals(1, db.queryLong("SELECT count(*) FROM pg_constraint WHERE conname = 'users_uuid_key'"));
        assertEquals("true", db.queryString("SELECT attnotnull::text FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'uuid'"));

        CliResult rb = db.run("rollback");
        assertEquals(0, rb.exitCode(), rb.toString());
        before.assertRestored(db);
    }

    /**
     * A rollback killed after one of its steps, named by step id and target as the log names them (the blue-green
     * window, the triggers, the index copies, the columns, the users key, then Flyway records the rollback, and the
     * schema drop), resumes and ends in the same place.
     */
    // the slow suite's: the default suite kills a rollback in RollbackAfterSwapIT.killedRollbackResumes
    @Tag("slow")
    @ParameterizedTest(name = "rollback halted after {0}, then resumed")
    @ValueSource(strings = {"rollback_columns chat_messages"})
    void killedRollbackResumes(String step, TestDb db) throws Exception {
        killedRollbackThenResume(step, db);
    }

    /** More halt points, for the slow suite. */
    @Tag("slow")
    @ParameterizedTest(name = "rollback halted after {0}, then resumed")
    @ValueSource(strings = {RollbackSteps.STATE, "rollback_triggers service_request_notes", "rollback_users_key", "rollback_window",
        "rollback_triggers chat_messages", "rollback_index", "rollback_columns service_request_notes"})
    void killedRollbackResumesMorePoints(String step, TestDb db) throws Exception {
        killedRollbackThenResume(step, db);
    }

    private void killedRollbackThenResume(String step, TestDb db) throws Exception {
        db.loadFixture(1);
        Before before = Before.of(db);
        Subprocess.Result killed = Subprocess.run(List.of("-Duuidmig.fault.haltAfter=verify chat_read_monitors"), args("migrate", db, MIGRATE));
        assertEquals(137, killed.exitCode(), killed.output());
        db.awaitNoUuidmigSessions(); // the killed run's sessions (and its run lock) end when the server notices

        Subprocess.Result rbKilled = Subprocess.run(List.of("-Duuidmig.fault.haltAfter=" + step), "rollback", "--url", db.url());
        assertEquals(137, rbKilled.exitCode(), "the fault point was not reached: " + rbKilled.output());
        db.awaitNoUuidmigSessions(); // the killed run's sessions (and its run lock) end when the server notices

        CliResult rb = db.run("rollback");
        assertEquals(0, rb.exitCode(), rb.toString());
        // halted after the schema drop, which follows the Flyway row, the rollback was finished already
        assertTrue(rb.out().contains(step.equals(RollbackSteps.STATE) ? "Nothing to roll back" : "rollback complete"), rb.toString());
        before.assertRestored(db);
        assertEquals(List.of("2025.12.04.2216 rollback user references to integer true"), history(db));
    }

    /**
     * Half swapped (migrate --swap per_table halted after the first table's swap): rollback refuses, changes
     * nothing, and names the command that finishes the migration, uuidmig migrate (not the command being run).
     */
    @Test
    void halfSwappedIsRefusedNamingMigrate(TestDb db) throws Exception {
        db.loadFixture(1);
        List<String> perTable = new java.util.ArrayList<>(MIGRATE);
        perTable.addAll(List.of("--swap", "per_table"));
        Subprocess.Result killed = Subprocess.run(List.of("-Duuidmig.fault.haltAfter=swap chat_messages"),
            args("migrate", db, perTable));
        assertEquals(137, killed.exitCode(), "the fault point was not reached: " + killed.output());
        db.awaitNoUuidmigSessions(); // the killed run's sessions (and its run lock) end when the server notices

        CliResult rb = db.run("rollback");
        assertEquals(1, rb.exitCode(), rb.toString());
        assertTrue(rb.err().contains("finish the migration with uuidmig migrate, then roll it back"), rb.toString());
        assertEquals(null, db.queryString("SELECT to_regclass('uuidmig.rollback')::text"), "no rollback started: " + rb);
    }

    private static String[] args(String command, TestDb db, List<String> more) {
        List<String> all = new java.util.ArrayList<>(List.of(command, "--url", db.url()));
        all.addAll(more);
        return all.toArray(new String[0]);
    }

    static List<String> history(TestDb db) throws Exception {
        return db.queryStrings("SELECT version || ' ' || description || ' ' || success FROM uuidmig_history.public "
            + "WHERE version IS NOT NULL AND version <> '0' ORDER BY installed_rank");
    }

    /** The database before migrate: pg_dump --schema-only, the normalised catalog and the data. */
    record Before(String dump, Original original) {
        static Before of(TestDb db) throws Exception {
            return new Before(schemaDump(db), Original.of(db));
        }

        void assertRestored(TestDb db) throws Exception {
            original.assertRestored(db);
            assertEquals(dump, schemaDump(db));
            assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'"));
            assertEquals("add_uuid_refresh_sessions", db.queryString("SELECT version_num FROM alembic_version"));
        }
    }

    /**
     * pg_dump --schema-only of the whole database, without schema uuidmig_history, uuidmig's Flyway history (the one thing it keeps).
     * pg_dump refuses servers of a newer major than its own (the machine's pg_dump is 15; the matrix runs 18);
     * there this byte-level comparison cannot run and returns a fixed marker, and the test's CatalogSnapshot and
     * data comparisons carry the assertion alone.
     */
    static String schemaDump(TestDb db) throws IOException, InterruptedException, java.sql.SQLException {
        String uri = db.url().replaceFirst("^jdbc:", "");
        Process v = new ProcessBuilder("pg_dump", "--version").redirectErrorStream(true).start();
        String version = new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(v.waitFor(1, TimeUnit.MINUTES));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\.").matcher(version);
        assertTrue(m.find(), version);
        long server = db.queryLong("SELECT current_setting('server_version_num')::int / 10000");
        if (server > Long.parseLong(m.group(1))) {
            return "pg_dump " + m.group(1) + " cannot dump a PostgreSQL " + server + " server";
        }
        Process p = new ProcessBuilder("pg_dump", "--schema-only", "--no-owner", "--exclude-schema=uuidmig_history",
            "--dbname=" + uri).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), out);
        // pg_dump 15.14+ brackets the dump with a restrict line <random key>: not part of the schema
        return out.lines().filter(l -> !l.startsWith("\\restrict") && !l.startsWith("\\unrestrict"))
            .collect(java.util.stream.Collectors.joining("\n"));
    }
}
