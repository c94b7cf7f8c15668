package org.uuidmig.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.uuidmig.ExitCode;
import org.uuidmig.engine.PausePoints;
import org.uuidmig.engine.StepIds;
import org.uuidmig.testing.MigratedFixture;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.testing.TestDb;

/**
 * validate-post (issue 5): passes after migrate, fails naming the object after each kind of damage done by
 * hand, explains inserts made by a concurrent application, and refuses never-migrated and half-way databases.
 * Every run is made twice, as text and as JSON, and the two must report the same checks with the same outcome.
 * The damage cases start from a copy of one migrated fixture ({@link MigratedFixture}), to keep the file fast.
 */
@ExtendWith(PostgresExtension.class)
class ValidatePostIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    static final List<String> DEFAULT_COLUMNS = List.of("chat_messages.sender_id", "message_read_states.user_id",
        "chat_read_monitors.user_id", "user_sessions.user_id", "service_requests.requester_id", "user_roles.user_id",
        "user_request_assigns.user_id", "region_user_assigns.user_id", "service_request_notes.created_by");

    static final List<String> ALL_CHECKS = List.of("migration_state", "columns_are_uuid", "foreign_keys_reference_users_uuid",
        "record_counts_unchanged", "no_null_values", "foreign_key_joins", "unique_constraints_preserved", "indexes_recreated",
        "column_comments_preserved", "no_leftovers", "mapping_verified");

    /** One validate-post run: exit code, the text report and the parsed JSON report. */
    record Post(int exitCode, String text, JsonNode json) {
        /** name -> status ("pass", "fail", ...), in report order, from the JSON. */
        Map<String, String> statuses() {
            Map<String, String> m = new LinkedHashMap<>();
            json.get("checks").forEach(c -> m.put(c.get("name").asText(), c.get("status").asText()));
            return m;
        }

        JsonNode check(String name) {
            for (JsonNode c : json.get("checks")) {
                if (c.get("name").asText().equals(name)) {
                    return c;
                }
            }
            throw new AssertionError("no check " + name + " in " + json);
        }

        String message(String name) {
            return check(name).get("message").asText();
        }

        List<String> failed() {
            return statuses().entrySet().stream().filter(e -> e.getValue().equals("fail")).map(Map.Entry::getKey).toList();
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n" + text;
        }
    }

    /** Runs validate-post as text and as JSON; asserts both agree on exit code, check names, order and outcomes. */
    static Post validatePost(TestDb db) throws Exception {
        CliResult text = db.run("validate-post");
        CliResult json = db.run("validate-post", "--format", "json");
        assertEquals(text.exitCode(), json.exitCode(), "text and JSON exit codes differ:\n" + text + "\n" + json);
        JsonNode doc = JSON.readTree(json.out());
        assertEquals("validate-post", doc.get("command").asText());
        assertEquals(json.exitCode(), doc.get("exitCode").asInt(), json.out());
        assertEquals(json.exitCode() == 0, doc.get("ok").asBoolean(), json.out());
        Post post = new Post(text.exitCode(), text.out(), doc);

        Map<String, String> fromText = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^\\[(PASS|INFO|WARN|FAIL)\\] ([a-z_]+)[: ]").matcher(text.out());
        while (m.find()) {
            fromText.put(m.group(2), m.group(1).toLowerCase());
        }
        assertEquals(post.statuses(), fromText, "text and JSON report different checks:\n" + text.out() + "\n" + json.out());
        assertEquals(post.statuses().values().stream().filter("fail"::equals).count(), doc.get("summary").get("fail").asLong());
        if (post.exitCode() != 0) {
            assertFalse(text.out().contains(" - OK"), post.toString());
        }
        return post;
    }

    /** validate-post --format json only (for callers that do not need the text report). */
    static Post validatePostJson(TestDb db) throws Exception {
        CliResult json = db.run("validate-post", "--format", "json");
        JsonNode doc = JSON.readTree(json.out());
        assertEquals(json.exitCode(), doc.get("exitCode").asInt(), json.out());
        return new Post(json.exitCode(), json.out(), doc);
    }

    static void migrated(TestDb db, int scale) throws Exception {
        db.loadFixture(scale);
        CliResult r = db.run("migrate");
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
    }

    @Test
    void passesAfterMigrate(TestDb db) throws Exception {
        migrated(db, 2);
        Post post = validatePost(db);
        assertEquals(ExitCode.OK, post.exitCode(), post.toString());
        assertEquals(ALL_CHECKS, List.copyOf(post.statuses().keySet()), post.toString());
        assertTrue(post.statuses().values().stream().allMatch("pass"::equals), post.toString());
        assertEquals(9, post.check("columns_are_uuid").get("count").asLong());
        assertEquals("every table has the rows it had at the swap", post.message("record_counts_unchanged"));
        assertEquals(8900, post.check("mapping_verified").get("count").asLong(), "rows of the nine tables verified at scale 2");
        assertTrue(post.text().contains("11 checks: 11 passed, 0 warnings, 0 failed - OK"), post.toString());
    }

    static Stream<Arguments> defects() {
        return Stream.of(
            Arguments.of("index dropped", "DROP INDEX ix_chat_messages_sender_id_created_at",
                "indexes_recreated", List.of("ix_chat_messages_sender_id_created_at", "missing")),
            Arguments.of("FK action changed", """
                ALTER TABLE chat_messages DROP CONSTRAINT fk_chat_messages_sender_id_users;
                ALTER TABLE chat_messages ADD CONSTRAINT fk_chat_messages_sender_id_users
                    FOREIGN KEY (sender_id) REFERENCES users (uuid) ON DELETE CASCADE""",
                "foreign_keys_reference_users_uuid",
                List.of("fk_chat_messages_sender_id_users", "chat_messages.sender_id", "ON DELETE CASCADE", "ON DELETE SET NULL")),
            Arguments.of("NOT NULL dropped", "ALTER TABLE user_roles ALTER COLUMN user_id DROP NOT NULL",
                "no_null_values", List.of("user_roles.user_id", "nullable")),
            Arguments.of("row deleted on a quiet database", "DELETE FROM user_roles WHERE id = (SELECT min(id) FROM user_roles)",
                "record_counts_unchanged", List.of("user_roles", "1 rows missing", "no writes during the migration")),
            Arguments.of("leftover trigger named like the tool's", """
                CREATE FUNCTION public.app_noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
                CREATE TRIGGER zz_uuidmig_sync_x BEFORE INSERT ON user_roles FOR EACH ROW EXECUTE FUNCTION public.app_noop()""",
                "no_leftovers", List.of("zz_uuidmig_sync_x", "user_roles")),
            Arguments.of("unique constraint dropped", "ALTER TABLE user_roles DROP CONSTRAINT uq_user_roles_user_id_role_id",
                "unique_constraints_preserved", List.of("uq_user_roles_user_id_role_id", "user_roles", "missing")),
            Arguments.of("comment changed", "COMMENT ON COLUMN service_requests.requester_id IS 'changed by hand'",
                "column_comments_preserved", List.of("service_requests.requester_id", "changed by hand")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("defects")
    void failsNamingTheObject(String what, String damage, String check, List<String> named, TestDb db) throws Exception {
        MigratedFixture.copyInto(db, 1);
        assertEquals(ExitCode.OK, validatePostJson(db).exitCode(), "the copy passes before the damage");
        assertEquals(0, db.queryLong("SELECT sum(ledger_inserted + ledger_deleted) FROM uuidmig.tables"), "a quiet migration");
        db.exec(damage);
        Post post = validatePost(db);
        assertEquals(ExitCode.CHECKS_FAILED, post.exitCode(), what + "\n" + post);
        assertEquals(List.of(check), post.failed(), what + ": exactly this check fails\n" + post);
        for (String n : named) {
            assertTrue(post.message(check).contains(n), what + ": expected '" + n + "' in: " + post.message(check));
            assertTrue(post.text().contains(n), what + ": expected '" + n + "' in the text report:\n" + post);
        }
    }

    /** On a database nobody wrote to during the migration, a lost row fails even though pg_stat counted its delete. */
    @Test
    void deletedRowFailsOnAQuietDatabaseEvenWhenTheStatisticsSawIt(TestDb db) throws Exception {
        migrated(db, 1);
        assertEquals(0, db.queryLong("SELECT sum(ledger_inserted + ledger_deleted) FROM uuidmig.tables"), "a quiet migration");
        db.exec("DELETE FROM user_roles WHERE id = (SELECT max(id) FROM user_roles)");
        long expected = db.queryLong("SELECT stat_del_at_end + 1 FROM uuidmig.tables WHERE table_name = 'user_roles'");
        long until = System.nanoTime() + 60_000_000_000L;
        while (db.queryLong("SELECT n_tup_del FROM pg_stat_user_tables WHERE relid = 'user_roles'::regclass") < expected
            && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertEquals(expected, db.queryLong("SELECT n_tup_del FROM pg_stat_user_tables WHERE relid = 'user_roles'::regclass"),
            "the statistics have counted the delete");
        Post post = validatePost(db);
        assertEquals(ExitCode.CHECKS_FAILED, post.exitCode(), post.toString());
        assertEquals(List.of("record_counts_unchanged"), post.failed(), post.toString());
        assertEquals("user_roles: 149 rows, 150 at the swap - 1 rows missing on a database with no writes during the migration",
            post.message("record_counts_unchanged"));
    }

    @Test
    void neverMigratedDatabaseFailsNamingTheColumns(TestDb db) throws Exception {
        db.loadFixture(1);
        Post post = validatePost(db);
        assertEquals(ExitCode.CHECKS_FAILED, post.exitCode(), post.toString());
        assertEquals(List.of("migration_state"), List.copyOf(post.statuses().keySet()), post.toString());
        String msg = post.message("migration_state");
        assertTrue(msg.contains("never migrated"), msg);
        for (String col : DEFAULT_COLUMNS) {
            assertTrue(msg.contains(col), col + " in: " + msg);
        }
    }

    @Test
    void halfWayDatabaseFailsNamingColumnsAndStep(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult expand = db.run("migrate", "--phase", "expand");
        assertEquals(ExitCode.OK, expand.exitCode(), expand.toString());
        Post post = validatePost(db);
        assertEquals(ExitCode.CHECKS_FAILED, post.exitCode(), post.toString());
        assertFalse(post.json().get("ok").asBoolean());
        String msg = post.message("migration_state");
        assertTrue(msg.contains("half way"), msg);
        for (String col : DEFAULT_COLUMNS) {
            assertTrue(msg.contains(col + " at step verify"), col + " at step verify in: " + msg);
        }
        // nothing about the new columns may pass while they do not exist yet
        for (String check : List.of("migration_state", "columns_are_uuid", "foreign_keys_reference_users_uuid",
            "record_counts_unchanged", "foreign_key_joins", "unique_constraints_preserved", "indexes_recreated", "no_leftovers")) {
            assertEquals("fail", post.statuses().get(check), check + "\n" + post);
        }
        assertTrue(post.message("columns_are_uuid").contains("chat_messages.sender_id is int4"), post.toString());
        assertTrue(post.message("no_leftovers").contains("_uuidmig_sender_id"), post.toString());
    }

    /** Waits until migrate has reached the held point; fails at once if migrate ended first. */
    private static void awaitReached(PausePoints.Pause p, CompletableFuture<CliResult> migrate) throws Exception {
        long until = System.nanoTime() + 120_000_000_000L;
        while (!p.awaitReached(Duration.ofMillis(100))) {
            if (migrate.isDone()) {
                fail("migrate ended before it reached the pause point: " + migrate.get());
            }
            if (System.nanoTime() > until) {
                fail("migrate did not reach the pause point within 120 s");
            }
        }
    }

    /** Waits (up to 60 s) until the writer has done what the condition says; fails naming it, or the writer's error. */
    private static void awaitWriter(BooleanSupplier done, AtomicReference<Throwable> error, String what) throws InterruptedException {
        long until = System.nanoTime() + 60_000_000_000L;
        while (!done.getAsBoolean() && error.get() == null && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        if (error.get() != null) {
            fail("the application writer failed", error.get());
        }
        assertTrue(done.getAsBoolean(), "the writer did not make " + what + " within 60 s");
    }

    /**
     * An application keeps inserting chat messages while migrate runs, and after the swap writes uuids (as an
     * application deployed alongside the swap would): validate-post passes, and its note names the inserts.
     */
    // the slow suite's: UnderLoadIT.migrateUnderLoad checks the same note in the default suite
    @Tag("slow")
    @Test
    void passesWithANoteWhenTheApplicationInsertedDuringTheMigration(TestDb db) throws Exception {
        db.loadFixture(12);
        Map<Integer, UUID> uuids = new HashMap<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement("SELECT id, uuid FROM users");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                uuids.put(rs.getInt(1), rs.getObject(2, UUID.class));
            }
        }
        List<Integer> userIds = new ArrayList<>(uuids.keySet());
        long requests = db.queryLong("SELECT max(id) FROM service_requests");

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger asInteger = new AtomicInteger();
        AtomicInteger asUuid = new AtomicInteger();
        AtomicInteger deadlocks = new AtomicInteger();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Map<Long, Integer> written = new ConcurrentHashMap<>();
        Thread writer = new Thread(() -> {
            try (Connection c = db.connect();
                 PreparedStatement ins = c.prepareStatement(
                     "INSERT INTO chat_messages (request_id, sender_id, content) VALUES (?, ?, ?) RETURNING id")) {
                boolean uuidMode = false;
                for (int n = 0; !stop.get(); n++) {
                    int user = userIds.get(n % userIds.size());
                    ins.setLong(1, 1 + n % requests);
                    if (uuidMode) {
                        ins.setObject(2, uuids.get(user));
                    } else {
                        ins.setInt(2, user);
                    }
                    ins.setString(3, "writer " + n);
                    try (ResultSet rs = ins.executeQuery()) {
                        rs.next();
                        written.put(rs.getLong(1), user);
                    } catch (SQLException e) {
                        if (!uuidMode && "42804".equals(e.getSQLState())) {
                            uuidMode = true; // sender_id is uuid now: the swap happened
                            continue;
                        }
                        if ("40P01".equals(e.getSQLState())) {
                            // The swap locks users before the child tables, while this INSERT holds chat_messages
                            // and then reads users (sync trigger, FK check): PostgreSQL may pick this insert as
                            // the deadlock victim. That is the swap's lock order, not validate-post's business;
                            // an application retries, and so does this writer (the row was not inserted).
                            deadlocks.incrementAndGet();
                            continue;
                        }
                        throw e;
                    }
                    (uuidMode ? asUuid : asInteger).incrementAndGet();
                    Thread.sleep(1);
                }
            } catch (Throwable t) {
                error.set(t);
            }
        }, "application-writer");
        writer.start();
        // No timing: the migration is held at two points until the writer has inserted there (while the backfill of
        // chat_messages runs, and between verify and the swap), and after it the writer must insert with uuids.
        try (PausePoints.Pause inBackfill = PausePoints.hold("batch chat_messages.sender_id");
             PausePoints.Pause beforeSwap = PausePoints.hold("before " + StepIds.SWAP)) {
            CompletableFuture<CliResult> migrate = CompletableFuture.supplyAsync(() -> db.run("migrate", "--batch-size", "100"));
            for (PausePoints.Pause p : List.of(inBackfill, beforeSwap)) {
                awaitReached(p, migrate);
                int before = asInteger.get();
                awaitWriter(() -> asInteger.get() >= before + 20, error, "20 integer inserts while migrate is held");
                p.release();
            }
            CliResult r = migrate.get(5, TimeUnit.MINUTES);
            assertEquals(ExitCode.OK, r.exitCode(), r.toString());
            awaitWriter(() -> asUuid.get() >= 20, error, "20 uuid inserts after the swap");
        } finally {
            stop.set(true);
            writer.join(30_000);
        }
        if (error.get() != null) {
            fail("the application writer failed", error.get());
        }
        assertTrue(asInteger.get() > 0 && asUuid.get() > 0, "integer inserts " + asInteger + ", uuid inserts " + asUuid);
        assertEquals(asInteger.get() + asUuid.get(), written.size());
        long ledgerInserted = db.queryLong("SELECT ledger_inserted FROM uuidmig.tables WHERE table_name = 'chat_messages'");
        assertTrue(ledgerInserted > 0, "the ledger saw the application's inserts during the migration");

        // every row the writer inserted, before or after the swap, references its user's uuid
        Map<Long, UUID> actual = new HashMap<>();
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT id, sender_id FROM chat_messages WHERE id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("bigint", written.keySet().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    actual.put(rs.getLong(1), rs.getObject(2, UUID.class));
                }
            }
        }
        assertEquals(written.size(), actual.size(), "every row the writer inserted is there");
        written.forEach((id, user) -> assertEquals(uuids.get(user), actual.get(id), "chat_messages " + id + " of user " + user));

        // The writer's connection is closed. Its inserts reach pg_stat_user_tables only some time later (on 12-14 through
        // the statistics collector, on 15+ when the backend flushes): wait for the event that validate-post's note needs,
        // the statistics counting every row inserted since the swap (docs/validation-post.md: the statistics lag).
        long sinceSwap = db.queryLong("SELECT count(*) FROM chat_messages") - db.queryLong(
            "SELECT end_rows FROM uuidmig.tables WHERE table_name = 'chat_messages'");
        String statsSinceSwap = "SELECT n_tup_ins - (SELECT stat_ins_at_end FROM uuidmig.tables WHERE table_name = 'chat_messages') "
            + "FROM pg_stat_user_tables WHERE relid = 'chat_messages'::regclass";
        long until = System.nanoTime() + 60_000_000_000L;
        while (db.queryLong(statsSinceSwap) < sinceSwap && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertTrue(db.queryLong(statsSinceSwap) >= sinceSwap, "the statistics count the " + sinceSwap + " inserts since the swap");

        Post post = validatePost(db);
        long endRows = db.queryLong("SELECT end_rows FROM uuidmig.tables WHERE table_name = 'chat_messages'");
        long statAtEnd = db.queryLong("SELECT stat_ins_at_end FROM uuidmig.tables WHERE table_name = 'chat_messages'");
        String stats = "end_rows " + endRows + ", stat_ins_at_end " + statAtEnd + ", n_tup_ins now "
            + db.queryLong("SELECT n_tup_ins FROM pg_stat_user_tables WHERE relid = 'chat_messages'::regclass") + ", rows now "
            + db.queryLong("SELECT count(*) FROM chat_messages") + "; writer: " + asInteger + " integer and " + asUuid
            + " uuid inserts, " + deadlocks + " deadlock retries";
        // the counters recorded at the swap include no insert made after it (a deadlock victim's aborted row aside)
        assertTrue(statAtEnd <= endRows + deadlocks.get(), stats);
        assertEquals(ExitCode.OK, post.exitCode(), stats + "\n" + post);
        assertEquals("pass", post.statuses().get("record_counts_unchanged"), post.toString());
        String note = post.message("record_counts_unchanged");
        assertTrue(note.startsWith("counts explained: "), note);
        assertTrue(note.contains("chat_messages: "), note);
        assertTrue(note.contains("+" + ledgerInserted + " inserted"), "the note names the inserts during the migration: " + note);
        assertTrue(note.contains("by the application during the migration"), note);
        assertNotEquals(0L, db.queryLong("SELECT count(*) FROM chat_messages") - db.queryLong(
            "SELECT end_rows FROM uuidmig.tables WHERE table_name = 'chat_messages'"), "the writer also inserted after the swap");
        assertTrue(note.contains("within the application's writes after the migration"), note);
    }
}
