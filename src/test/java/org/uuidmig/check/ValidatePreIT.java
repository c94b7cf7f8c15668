package org.uuidmig.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uuidmig.check.Reports.assertBlocks;
import static org.uuidmig.check.Reports.assertCheck;
import static org.uuidmig.check.Reports.check;
import static org.uuidmig.check.Reports.notPassing;
import static org.uuidmig.check.Reports.plannedColumns;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.check.Reports.Check;
import org.uuidmig.db.Sql;
import org.uuidmig.testing.Fixture;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/** validate-pre against real PostgreSQL: each blocking check fails on its defect, warnings, formats, plan options, read-only. */
@ExtendWith(PostgresExtension.class)
class ValidatePreIT {
    /** The default plan, as check-name suffixes, in the order of the migration guide. */
    static final List<String> DEFAULT_COLUMNS = Fixture.COLUMNS.entrySet().stream().map(e -> e.getKey() + "_" + e.getValue()).toList();

    private static TestDb fixture(TestDb db) throws Exception {
        return db.loadFixture(1);
    }

    // ---- the clean fixture ----

    /** The clean fixture passes every blocking check: exit 0, only the active-sessions warning and the disk estimate. */
    @Test
    void cleanFixturePasses(TestDb db) throws Exception {
        fixture(db);
        CliResult r = db.run("validate-pre");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(Map.of("active_user_sessions", "WARN", "estimated_extra_disk", "INFO"), notPassing(r), r.out());
        assertEquals(DEFAULT_COLUMNS, plannedColumns(r));
        for (String col : DEFAULT_COLUMNS) {
            assertEquals(0L, check(r, "orphaned_" + col).count(), col);
        }
        for (String name : List.of("users_without_uuid", "duplicate_user_uuids", "duplicate_constraint_violations",
            "unsupported_objects", "privileges", "users_table", "server_version")) {
            assertCheck(r, name, "PASS");
        }
        assertTrue(r.out().contains(" - OK"), r.out());
    }

    /** After a finished migration, migration_in_progress says so (it used to say that no migration had started). */
    @Test
    void afterAFinishedMigrationItSaysSo(TestDb db) throws Exception {
        fixture(db);
        assertTrue(db.run("validate-pre").out().contains("no uuidmig migration of schema public has started"));
        CliResult m = db.run("migrate");
        assertEquals(0, m.exitCode(), m.toString());
        CliResult r = db.run("validate-pre");
        assertTrue(r.out().contains("the migration of schema public has finished (all 9 recorded columns are done)"), r.out());
    }

    // ---- blocking checks ----

    /** A created_by (no FK) pointing at a user that does not exist fails its orphan check, and only that one. */
    @Test
    void orphanWithoutForeignKeyBlocks(TestDb db) throws Exception {
        fixture(db);
        db.exec("INSERT INTO service_request_notes (request_id, created_by, body) VALUES (1, 987654, 'orphan'), (2, 987655, 'orphan')");
        CliResult r = db.run("validate-pre");
        Check c = assertBlocks(r, "orphaned_service_request_notes_created_by", "\"public\".\"service_request_notes\"", "created_by");
        assertEquals(2L, c.count());
        assertEquals(Map.of("orphaned_service_request_notes_created_by", "FAIL", "active_user_sessions", "WARN",
            "estimated_extra_disk", "INFO"), notPassing(r));
        assertTrue(r.out().contains("SET \"created_by\" = NULL"), "a nullable column's fix sets it NULL:\n" + r.out());
    }

    /** With its FK dropped, chat_messages.sender_id pointing at a deleted user fails orphaned_chat_messages_sender_id. */
    @Test
    void orphanAfterForeignKeyDroppedBlocks(TestDb db) throws Exception {
        fixture(db);
        db.exec("ALTER TABLE chat_messages DROP CONSTRAINT fk_chat_messages_sender_id_users");
        db.exec("UPDATE chat_messages SET sender_id = 500000 + id WHERE id IN (1, 2, 3)");
        CliResult r = db.run("validate-pre");
        assertEquals(3L, assertBlocks(r, "orphaned_chat_messages_sender_id", "\"public\".\"chat_messages\"", "sender_id").count());
    }

    /**
     * A validated FK with enabled triggers guarantees no orphans, so that column is not scanned; once its triggers
     * are disabled (as a bulk load might leave them), it is scanned again and an orphan written meanwhile blocks.
     */
    @Test
    void orphanScanSkippedOnlyWhileTheForeignKeyIsEnforced(TestDb db) throws Exception {
        fixture(db);
        CliResult clean = db.run("validate-pre");
        assertTrue(clean.out().contains("guaranteed by the validated foreign key fk_chat_messages_sender_id_users (not scanned)"),
            clean.out());
        assertFalse(clean.out().contains("created_by points at an existing user: guaranteed"), "created_by has no FK: " + clean.out());

        db.exec("ALTER TABLE chat_messages DISABLE TRIGGER ALL");
        db.exec("UPDATE chat_messages SET sender_id = 500000 + id WHERE id IN (1, 2)");
        CliResult r = db.run("validate-pre");
        assertEquals(2L, assertBlocks(r, "orphaned_chat_messages_sender_id", "\"public\".\"chat_messages\"", "sender_id").count());
    }

    /** A NOT NULL user column with an orphan gets a DELETE as its fix (it cannot be set NULL). */
    @Test
    void orphanInNotNullColumnSuggestsDelete(TestDb db) throws Exception {
        fixture(db);
        db.exec("ALTER TABLE user_roles DROP CONSTRAINT fk_user_roles_user_id_users");
        db.exec("UPDATE user_roles SET user_id = 900000 WHERE id = 1");
        CliResult r = db.run("validate-pre");
        assertBlocks(r, "orphaned_user_roles_user_id", "\"public\".\"user_roles\"", "user_id");
        assertTrue(r.out().contains("fix: DELETE FROM \"public\".\"user_roles\""), r.out());
    }

    /** A user without a uuid fails users_without_uuid (and the missing NOT NULL is a warning). */
    @Test
    void nullUserUuidBlocks(TestDb db) throws Exception {
        fixture(db);
        db.exec("ALTER TABLE users ALTER COLUMN uuid DROP NOT NULL");
        db.exec("UPDATE users SET uuid = NULL WHERE id IN (3, 4)");
        CliResult r = db.run("validate-pre");
        assertEquals(2L, assertBlocks(r, "users_without_uuid", "\"public\".\"users\"", "uuid").count());
        assertCheck(r, "users_uuid_constraints", "WARN", "NOT NULL");
    }

    /** Two users sharing a uuid fail duplicate_user_uuids. */
    @Test
    void duplicateUserUuidBlocks(TestDb db) throws Exception {
        fixture(db);
        db.exec("ALTER TABLE users DROP CONSTRAINT users_uuid_key");
        db.exec("UPDATE users SET uuid = (SELECT uuid FROM users WHERE id = 1) WHERE id = 2");
        CliResult r = db.run("validate-pre");
        assertEquals(1L, assertBlocks(r, "duplicate_user_uuids", "\"public\".\"users\"").count());
        assertCheck(r, "users_uuid_constraints", "WARN", "unique");
    }

    /** Rows that are distinct by user id but collide by uuid fail duplicate_constraint_violations, naming the constraint. */
    @Test
    void uniqueConstraintCollisionBlocks(TestDb db) throws Exception {
        fixture(db);
        // user 2 takes user 1's uuid; give both the same role, so uq_user_roles_user_id_role_id would collide
        db.exec("ALTER TABLE users DROP CONSTRAINT users_uuid_key");
        db.exec("UPDATE users SET uuid = (SELECT uuid FROM users WHERE id = 1) WHERE id = 2");
        db.exec("DELETE FROM user_roles WHERE user_id IN (1, 2) AND role_id = 5");
        db.exec("INSERT INTO user_roles (user_id, role_id) VALUES (1, 5), (2, 5)");
        CliResult r = db.run("validate-pre");
        Check c = assertBlocks(r, "duplicate_constraint_violations", "uq_user_roles_user_id_role_id", "user_roles");
        assertTrue(c.count() >= 1, c.toString());
    }

    /** An INVALID unique index on a user column (a failed CREATE INDEX CONCURRENTLY) fails duplicate_constraint_violations. */
    @Test
    void invalidUniqueIndexBlocks(TestDb db) throws Exception {
        fixture(db);
        try {
            db.exec("CREATE UNIQUE INDEX CONCURRENTLY ux_invalid_monitor ON chat_read_monitors (user_id)");
        } catch (java.sql.SQLException expected) {
            // chat_read_monitors repeats user ids, so the build fails and leaves the index INVALID
        }
        assertEquals(1, db.queryLong("SELECT count(*) FROM pg_index WHERE indexrelid = 'ux_invalid_monitor'::regclass AND NOT indisvalid"));
        CliResult r = db.run("validate-pre");
        assertBlocks(r, "duplicate_constraint_violations", "ux_invalid_monitor", "INVALID");
    }

    /** A view selecting a planned column fails unsupported_objects, naming the view and the column. */
    @Test
    void dependentViewBlocks(TestDb db) throws Exception {
        fixture(db);
        db.exec("CREATE VIEW message_senders AS SELECT id, sender_id FROM chat_messages");
        CliResult r = db.run("validate-pre");
        Check c = assertBlocks(r, "unsupported_objects", "view", "message_senders", "chat_messages.sender_id");
        assertEquals(1L, c.count());
    }

    /** A trigger declared UPDATE OF a planned column fails unsupported_objects, naming the trigger. */
    @Test
    void triggerOnColumnBlocks(TestDb db) throws Exception {
        fixture(db);
        db.exec("CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$");
        db.exec("CREATE TRIGGER trg_user_roles_user BEFORE UPDATE OF user_id ON user_roles FOR EACH ROW EXECUTE FUNCTION touch()");
        CliResult r = db.run("validate-pre");
        Check c = assertBlocks(r, "unsupported_objects", "trigger", "trg_user_roles_user", "user_roles.user_id");
        assertEquals(1L, c.count());
    }

    /** A CHECK constraint on a planned column fails unsupported_objects, and is counted once (it has two pg_depend rows). */
    @Test
    void checkConstraintOnColumnBlocks(TestDb db) throws Exception {
        fixture(db);
        db.exec("ALTER TABLE service_requests ADD CONSTRAINT ck_requester_positive CHECK (requester_id > 0)");
        CliResult r = db.run("validate-pre");
        Check c = assertBlocks(r, "unsupported_objects", "check constraint", "ck_requester_positive", "service_requests.requester_id");
        assertEquals(1L, c.count(), c.message());
    }

    /** A column default and a generated column reading a planned column each block, once. */
    @Test
    void defaultAndGeneratedColumnBlockOnce(TestDb db) throws Exception {
        fixture(db);
        db.exec("ALTER TABLE user_sessions ALTER COLUMN user_id SET DEFAULT 1");
        db.exec("ALTER TABLE chat_messages ADD COLUMN sender_twice integer GENERATED ALWAYS AS (sender_id * 2) STORED");
        CliResult r = db.run("validate-pre");
        Check c = assertBlocks(r, "unsupported_objects", "column default 1 (on user_sessions.user_id)",
            "generated column", "sender_twice");
        assertEquals(2L, c.count(), c.message());
    }

    /** A planned column in a partitioned table, and in its partition, fails unsupported_objects. */
    @Test
    void partitionedTableBlocks(TestDb db) throws Exception {
        fixture(db);
        db.exec("""
            CREATE TABLE audit_events (id bigint NOT NULL, actor_id integer REFERENCES users (id), at date NOT NULL)
                PARTITION BY RANGE (at);
            CREATE TABLE audit_events_2024 PARTITION OF audit_events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')""");
        CliResult r = db.run("validate-pre", "--discover");
        assertTrue(plannedColumns(r).containsAll(List.of("audit_events_actor_id", "audit_events_2024_actor_id")), r.out());
        Check c = assertBlocks(r, "unsupported_objects", "table audit_events is partitioned",
            "table audit_events_2024 is part of an inheritance or partition tree");
        assertEquals(2L, c.count(), c.message());
    }

    /** A planned table that does not exist fails its column check, whether named with --column or dropped. */
    @Test
    void missingTableBlocks(TestDb db) throws Exception {
        fixture(db);
        assertBlocks(db.run("validate-pre", "--column", "no_such.col"), "column_no_such_col", "table \"public\".\"no_such\" does not exist");

        db.exec("DROP TABLE service_request_notes");
        CliResult r = db.run("validate-pre");
        assertBlocks(r, "column_service_request_notes_created_by", "table \"public\".\"service_request_notes\" does not exist");
        assertEquals(DEFAULT_COLUMNS.size() - 1, Reports.text(r.out()).stream().filter(ch -> ch.name().startsWith("orphaned_")).count(),
            "no orphan check for the missing table");
    }

    /** A planned column that does not exist fails its column check. */
    @Test
    void missingColumnBlocks(TestDb db) throws Exception {
        fixture(db);
        assertBlocks(db.run("validate-pre", "--column", "chat_messages.author_id"), "column_chat_messages_author_id",
            "column \"public\".\"chat_messages\".\"author_id\" does not exist");
    }

    /** A planned column that is not an integer fails its column check, named with --column or altered in place. */
    @Test
    void nonIntegerColumnBlocks(TestDb db) throws Exception {
        fixture(db);
        assertBlocks(db.run("validate-pre", "--column", "users.email"), "column_users_email",
            "\"public\".\"users\".\"email\" is text, not smallint, integer or bigint");

        db.exec("ALTER TABLE service_request_notes ALTER COLUMN created_by TYPE text");
        assertBlocks(db.run("validate-pre"), "column_service_request_notes_created_by",
            "\"public\".\"service_request_notes\".\"created_by\" is text");
    }

    /** A role that can read but does not own the tables fails privileges, naming the tables and their owner. */
    @Test
    void nonOwnerRoleBlocks(TestDb db) throws Exception {
        fixture(db);
        String owner = db.queryString("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = 'chat_messages'::regclass");
        withRole(db, role -> {
            db.exec("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + Sql.ident(role));
            CliResult r = db.run("validate-pre", "--user", role, "--password", "pw");
            assertBlocks(r, "privileges", "cannot ALTER \"public\".\"chat_messages\" (owned by " + owner + ")",
                "cannot ALTER \"public\".\"users\"");
            assertCheck(r, "orphaned_chat_messages_sender_id", "PASS"); // it could read, so the data checks ran
        });
    }

    /** A role without SELECT gets exit 1 with privileges naming the tables (not exit 3), and the data checks are marked not checked. */
    @Test
    void roleWithoutSelectBlocksWithoutCrashing(TestDb db) throws Exception {
        fixture(db);
        withRole(db, role -> {
            db.exec("GRANT SELECT ON chat_messages TO " + Sql.ident(role));
            CliResult r = db.run("validate-pre", "--user", role, "--password", "pw");
            assertBlocks(r, "privileges", "cannot SELECT from \"public\".\"users\"", "cannot SELECT from \"public\".\"user_roles\"");
            assertFalse(check(r, "privileges").message().contains("cannot SELECT from \"public\".\"chat_messages\""), r.out());
            assertCheck(r, "users_without_uuid", "INFO", "not checked", "\"public\".\"users\"");
            assertCheck(r, "orphaned_chat_messages_sender_id", "INFO", "not checked");
            assertCheck(r, "active_user_sessions", "INFO", "not checked");
            assertNull(check(r, "orphaned_user_roles_user_id").count());
        });
    }

    // ---- warnings and --strict ----

    /** Active sessions on the fixture are a warning with their count: exit 0, and exit 1 with --strict. */
    @Test
    void activeSessionsWarnAndStrictFails(TestDb db) throws Exception {
        fixture(db);
        long active = db.queryLong("SELECT count(*) FROM user_sessions WHERE is_active");
        assertTrue(active > 0);
        CliResult r = db.run("validate-pre");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(active, assertCheck(r, "active_user_sessions", "WARN", "active user sessions").count());

        CliResult strict = db.run("validate-pre", "--strict");
        assertEquals(1, strict.exitCode(), strict.toString());
        assertTrue(strict.out().contains("FAILED (warnings with --strict)"), strict.out());

        db.exec("UPDATE user_sessions SET is_active = false");
        CliResult quiet = db.run("validate-pre", "--strict");
        assertEquals(0, quiet.exitCode(), quiet.toString());
        assertCheck(quiet, "active_user_sessions", "PASS");
    }

    /** --exclude leaves the column out of the plan and warns that its FK to users(id) is not planned. */
    @Test
    void excludeWarnsUnplannedReference(TestDb db) throws Exception {
        fixture(db);
        CliResult r = db.run("validate-pre", "--exclude", "user_roles.user_id");
        assertEquals(0, r.exitCode(), r.toString());
        List<String> expected = new ArrayList<>(DEFAULT_COLUMNS);
        expected.remove("user_roles_user_id");
        assertEquals(expected, plannedColumns(r));
        assertEquals(1L, assertCheck(r, "unplanned_user_references", "WARN", "user_roles.user_id").count());
        assertEquals(1, db.run("validate-pre", "--exclude", "user_roles.user_id", "--strict").exitCode());
    }

    /** alembic_version at another revision is a warning naming it. */
    @Test
    void alembicVersionWarns(TestDb db) throws Exception {
        fixture(db);
        db.exec("UPDATE alembic_version SET version_num = 'older_revision'");
        CliResult r = db.run("validate-pre");
        assertEquals(0, r.exitCode(), r.toString());
        assertCheck(r, "alembic_version", "WARN", "older_revision", "add_uuid_refresh_sessions");
        assertEquals(1, db.run("validate-pre", "--strict").exitCode());
    }

    /** users.uuid without its unique constraint (but no duplicates) is a warning, not a failure. */
    @Test
    void usersUuidWithoutUniqueConstraintWarns(TestDb db) throws Exception {
        fixture(db);
        db.exec("ALTER TABLE users DROP CONSTRAINT users_uuid_key");
        CliResult r = db.run("validate-pre");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(1L, assertCheck(r, "users_uuid_constraints", "WARN", "\"public\".\"users\".\"uuid\"", "a unique constraint or index").count());
        assertCheck(r, "duplicate_user_uuids", "PASS");
    }

    // ---- JSON ----

    /** --format json parses and carries the same checks, statuses and counts, in the same order, as the text output. */
    @Test
    void jsonMatchesText(TestDb db) throws Exception {
        fixture(db);
        db.exec("INSERT INTO service_request_notes (request_id, created_by, body) VALUES (1, 987654, 'orphan')");
        db.exec("CREATE VIEW message_senders AS SELECT sender_id FROM chat_messages");
        db.exec("UPDATE alembic_version SET version_num = 'older_revision'");
        CliResult text = db.run("validate-pre");
        // the first run's session may outlive its process for a moment, and open_connections would count it
        db.awaitNoUuidmigSessions();
        CliResult json = db.run("validate-pre", "--format", "json");
        assertEquals(1, text.exitCode(), text.toString());
        assertEquals(text.exitCode(), json.exitCode(), json.toString());

        List<Check> fromText = Reports.text(text.out());
        List<Check> fromJson = Reports.json(json.out());
        assertTrue(fromText.size() > 20, text.out());
        // a size (estimated_extra_disk) is human in the text, bytes in JSON
        assertEquals(fromText.stream().map(c -> c.name() + " " + c.status() + " " + (c.sizeText() != null ? c.sizeText() : c.count())).toList(),
            fromJson.stream().map(c -> c.name() + " " + c.status() + " " + (c.name().equals("estimated_extra_disk")
                ? org.uuidmig.report.Bytes.human(c.count()) : c.count())).toList());

        JsonNode doc = Reports.jsonDoc(json.out());
        assertEquals("validate-pre", doc.get("command").asText());
        assertFalse(doc.get("ok").asBoolean());
        assertEquals(1, doc.get("exitCode").asInt());
        assertEquals(2, doc.get("summary").get("fail").asInt(), doc.get("summary").toString());
        assertEquals(2, doc.get("summary").get("warn").asInt(), doc.get("summary").toString());
        JsonNode orphan = null;
        for (JsonNode c : doc.get("checks")) {
            if (c.get("name").asText().equals("orphaned_service_request_notes_created_by")) {
                orphan = c;
            }
        }
        assertTrue(orphan != null && orphan.get("detailQuery").asText().startsWith("SELECT x.* FROM \"public\".\"service_request_notes\""),
            String.valueOf(orphan));
        assertTrue(orphan.get("fix").asText().contains("UPDATE"), orphan.toString());
    }

    /** With --strict, the JSON document of a run with only warnings says ok=false, exitCode=1. */
    @Test
    void jsonStrictReportsWarningsAsFailure(TestDb db) throws Exception {
        fixture(db);
        JsonNode loose = Reports.jsonDoc(db.run("validate-pre", "--format", "json").out());
        assertTrue(loose.get("ok").asBoolean());
        assertEquals(0, loose.get("exitCode").asInt());
        CliResult r = db.run("validate-pre", "--format", "json", "--strict");
        assertEquals(1, r.exitCode());
        JsonNode strict = Reports.jsonDoc(r.out());
        assertFalse(strict.get("ok").asBoolean());
        assertEquals(1, strict.get("exitCode").asInt());
        assertEquals(0, strict.get("summary").get("fail").asInt());
    }

    // ---- plan options ----

    /** --column replaces the default nine: only the named columns are checked. */
    @Test
    void columnReplacesDefaultPlan(TestDb db) throws Exception {
        fixture(db);
        CliResult r = db.run("validate-pre", "--column", "user_roles.user_id", "--column", "chat_messages.sender_id");
        assertEquals(List.of("user_roles_user_id", "chat_messages_sender_id"), plannedColumns(r));
        assertEquals(List.of("orphaned_user_roles_user_id", "orphaned_chat_messages_sender_id"),
            Reports.text(r.out()).stream().map(Check::name).filter(n -> n.startsWith("orphaned_")).toList());
        assertEquals(6L, assertCheck(r, "unplanned_user_references", "WARN").count()); // the eight FKs to users(id) but these two
    }

    /** --discover adds every column with an FK to users(id), --exclude removes one, --column adds ones without an FK. */
    @Test
    void discoverBuildsPlanFromForeignKeys(TestDb db) throws Exception {
        fixture(db);
        db.exec("CREATE TABLE audit_entries (id bigserial PRIMARY KEY, actor_id integer REFERENCES users (id))");

        CliResult plain = db.run("validate-pre");
        assertEquals(DEFAULT_COLUMNS, plannedColumns(plain));
        assertCheck(plain, "unplanned_user_references", "WARN", "audit_entries.actor_id");

        CliResult discover = db.run("validate-pre", "--discover");
        List<String> all = new ArrayList<>(DEFAULT_COLUMNS);
        all.add("audit_entries_actor_id");
        assertEquals(all, plannedColumns(discover));
        assertCheck(discover, "unplanned_user_references", "PASS");
        assertEquals(0, discover.exitCode(), discover.toString());

        // --column without the FK-less notes column: discovery finds only the eight FK columns and audit_entries
        CliResult mixed = db.run("validate-pre", "--column", "audit_entries.actor_id", "--discover", "--exclude", "chat_messages.sender_id");
        assertEquals(List.of("audit_entries_actor_id", "chat_read_monitors_user_id", "message_read_states_user_id",
            "region_user_assigns_user_id", "service_requests_requester_id", "user_request_assigns_user_id", "user_roles_user_id",
            "user_sessions_user_id"), plannedColumns(mixed));
        assertCheck(mixed, "unplanned_user_references", "WARN", "chat_messages.sender_id");
    }

    // ---- read-only ----

    /** validate-pre changes nothing: catalog, grants, rows and alembic_version are identical after text, JSON and --discover runs. */
    @Test
    void validatePreChangesNothing(TestDb db) throws Exception {
        fixture(db);
        // defects, so that the failing paths run too
        db.exec("INSERT INTO service_request_notes (request_id, created_by, body) VALUES (1, 987654, 'orphan')");
        db.exec("CREATE VIEW message_senders AS SELECT sender_id FROM chat_messages");
        db.exec("ALTER TABLE users DROP CONSTRAINT users_uuid_key");
        String before = DatabaseState.of(db);
        assertTrue(before.contains("rows public.chat_messages = 1500"), before);

        assertEquals(1, db.run("validate-pre").exitCode());
        assertEquals(1, db.run("validate-pre", "--format", "json", "--discover").exitCode());
        assertEquals(1, db.run("validate-pre", "--column", "no_such.col", "--strict").exitCode());

        assertEquals(before, DatabaseState.of(db));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'"), "no state schema created");
    }

    // ---- helpers ----

    /** Runs body with a fresh LOGIN role (password pw) that owns nothing; drops what it was granted and the role afterwards. */
    private static void withRole(TestDb db, RoleBody body) throws Exception {
        String role = "uuidmig_t_role_" + ProcessHandle.current().pid() + "_" + System.nanoTime();
        db.exec("CREATE ROLE " + Sql.ident(role) + " LOGIN PASSWORD 'pw'");
        try {
            body.run(role);
        } finally {
            db.exec("DROP OWNED BY " + Sql.ident(role));
            db.exec("DROP ROLE " + Sql.ident(role));
        }
    }

    @FunctionalInterface
    private interface RoleBody {
        void run(String role) throws Exception;
    }
}
