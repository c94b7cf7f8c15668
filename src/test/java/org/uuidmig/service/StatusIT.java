package org.uuidmig.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.testing.Fixture;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/** status reports each stage of the migration as the catalog and uuidmig's state show it. */
@ExtendWith(PostgresExtension.class)
class StatusIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A fresh fixture: not started, nine integer columns without triggers, no Flyway row, alembic at the guide's revision. */
    @Test
    void notStarted(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult text = db.run("status");
        assertEquals(0, text.exitCode(), text.toString());
        assertTrue(text.out().contains("stage: not started"), text.out());
        assertTrue(text.out().contains("not recorded"), text.out());

        JsonNode j = json(db.run("status", "--format", "json"));
        assertEquals("not_started", j.get("stage").asText());
        assertFalse(j.get("migratedWithoutState").asBoolean());
        assertEquals(new ArrayList<>(Fixture.COLUMNS.keySet()), tables(j));
        for (JsonNode c : j.get("columns")) {
            assertEquals("integer", c.get("type").asText(), c.toString());
            assertEquals("not started", c.get("step").asText(), c.toString());
            assertTrue(c.get("backfilledRows").isNull(), c.toString());
            assertFalse(c.get("syncTrigger").asBoolean(), c.toString());
        }
        assertFalse(j.get("flyway").get("recorded").asBoolean());
        assertEquals("add_uuid_refresh_sessions", j.get("alembicVersion").asText());
    }

    /** After migrate --phase expand: every column at step verify, backfilled to 100 %, still integer, its sync trigger in place. */
    // the slow suite's: midBackfill, done and rolledBackBeforeSwap are the default suite's
    @Tag("slow")
    @Test
    void afterExpand(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult expand = db.run("migrate", "--phase", "expand");
        assertEquals(0, expand.exitCode(), expand.toString());

        CliResult text = db.run("status");
        assertEquals(0, text.exitCode(), text.toString());
        assertTrue(text.out().contains("stage: expanded"), text.out());
        JsonNode j = json(db.run("status", "--format", "json"));
        assertEquals("expanded", j.get("stage").asText());
        assertEquals(new ArrayList<>(Fixture.COLUMNS.keySet()), tables(j));
        for (JsonNode c : j.get("columns")) {
            assertEquals("verify", c.get("step").asText(), c.toString());
            assertEquals("integer", c.get("type").asText(), c.toString());
            assertTrue(c.get("backfillDone").asBoolean(), c.toString());
            assertEquals(100, c.get("backfillPercent").asInt(), c.toString());
            assertEquals(db.queryLong("SELECT count(*) FROM public." + c.get("table").asText()), c.get("baseRows").asLong(), c.toString());
            assertTrue(c.get("syncTrigger").asBoolean(), c.toString());
        }
        // the report agrees with the catalog: one sync trigger per column
        assertEquals(Fixture.COLUMNS.size(), db.queryLong("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'zz\\_uuidmig\\_sync\\_%'"));
        assertFalse(j.get("flyway").get("recorded").asBoolean());
        assertEquals("add_uuid_refresh_sessions", j.get("alembicVersion").asText());
    }

    /**
     * migrate halted (as by kill -9) after 3 backfill batches: in progress, the first column part-way, rows below its
     * table's count. One job, so that exactly one column is part-way; --max-batch-time 0ms keeps every batch at 100 rows
     * on any machine (a batch under the target would grow the next).
     */
    @Test
    void midBackfill(TestDb db) throws Exception {
        db.loadFixture(1);
        Subprocess.Result halted = Subprocess.run(List.of("-Duuidmig.fault.haltAfterBatches=3"), "migrate", "--url", db.url(),
            "--batch-size", "100", "--max-batch-time", "0ms", "--jobs", "1");
        assertEquals(137, halted.exitCode(), "the fault point was not reached: " + halted.output());
        db.awaitNoUuidmigSessions(); // the killed run's sessions (and its run lock) end when the server notices

        JsonNode j = json(db.run("status", "--format", "json"));
        assertEquals("in_progress", j.get("stage").asText());
        JsonNode first = j.get("columns").get(0);
        assertEquals("chat_messages", first.get("table").asText());
        assertEquals("backfill", first.get("step").asText());
        assertFalse(first.get("backfillDone").asBoolean());
        long rows = first.get("backfilledRows").asLong();
        long base = first.get("baseRows").asLong();
        assertEquals(db.queryLong("SELECT count(*) FROM public.chat_messages"), base);
        assertTrue(rows > 0 && rows < base, first.toString());
        assertEquals(db.queryLong("SELECT backfill_rows FROM uuidmig.columns WHERE table_name = 'chat_messages'"), rows);
        assertEquals(rows * 100 / base, first.get("backfillPercent").asLong());
        for (int i = 1; i < j.get("columns").size(); i++) {
            assertEquals(0, j.get("columns").get(i).get("backfilledRows").asLong(), j.get("columns").get(i).toString());
        }

        CliResult text = db.run("status");
        assertEquals(0, text.exitCode(), text.toString());
        assertTrue(text.out().contains("stage: in progress"), text.out());
        assertTrue(text.out().contains(String.format("%,d / %,d (%3d%%)", rows, base, rows * 100 / base)), text.out());
    }

    /** migrate halted right after the swap: swapped, every column uuid, clean-up pending. */
    // the slow suite's: the other states are the default suite's
    @Tag("slow")
    @Test
    void swappedBeforeCleanup(TestDb db) throws Exception {
        db.loadFixture(1);
        Subprocess.Result halted = Subprocess.run(List.of("-Duuidmig.fault.haltAfter=swap"), "migrate", "--url", db.url());
        assertEquals(137, halted.exitCode(), "the fault point was not reached: " + halted.output());
        db.awaitNoUuidmigSessions(); // the killed run's sessions (and its run lock) end when the server notices

        JsonNode j = json(db.run("status", "--format", "json"));
        assertEquals("swapped", j.get("stage").asText());
        for (JsonNode c : j.get("columns")) {
            assertEquals("swap", c.get("step").asText(), c.toString());
            assertEquals("uuid", c.get("type").asText(), c.toString());
        }
        // the JVM died inside Flyway's migration: Flyway wrote no row for it
        assertEquals(0, db.queryLong("SELECT count(*) FROM uuidmig_history.public WHERE version = '2025.12.04.2215'"));
        assertFalse(j.get("flyway").get("recorded").asBoolean());
        assertEquals("ed06a1b6d932", j.get("alembicVersion").asText());
        CliResult text = db.run("status");
        assertTrue(text.out().contains("stage: swapped") && text.out().contains("clean-up has not finished"), text.out());
    }

    /** After a full migrate: done, uuid columns without triggers, Flyway's row successful with its install time, alembic stamped. */
    @Test
    void done(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult migrate = db.run("migrate");
        assertEquals(0, migrate.exitCode(), migrate.toString());

        CliResult text = db.run("status");
        assertEquals(0, text.exitCode(), text.toString());
        assertTrue(text.out().contains("stage: done"), text.out());
        assertTrue(text.out().contains("version 2025.12.04.2215: success, installed on "), text.out());
        JsonNode j = json(db.run("status", "--format", "json"));
        assertEquals("done", j.get("stage").asText());
        assertFalse(j.get("migratedWithoutState").asBoolean());
        for (JsonNode c : j.get("columns")) {
            assertEquals("done", c.get("step").asText(), c.toString());
            assertEquals("uuid", c.get("type").asText(), c.toString());
            assertFalse(c.get("syncTrigger").asBoolean(), c.toString());
        }
        JsonNode f = j.get("flyway");
        assertTrue(f.get("recorded").asBoolean());
        assertTrue(f.get("success").asBoolean());
        assertEquals("migrate user references to uuid", f.get("description").asText());
        assertEquals(db.queryString("SELECT to_char(installed_on, 'YYYY-MM-DD\"T\"HH24:MI:SS') FROM uuidmig_history.public "
            + "WHERE version = '2025.12.04.2215'"), f.get("installedOn").asText().substring(0, 19));
        assertEquals("ed06a1b6d932", j.get("alembicVersion").asText());
    }

    /** Migrated, then uuidmig's state dropped: reported as migrated without uuidmig's state, not as not started. */
    @Test
    void migratedWithoutState(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult migrate = db.run("migrate");
        assertEquals(0, migrate.exitCode(), migrate.toString());
        db.exec("DROP SCHEMA uuidmig CASCADE");

        CliResult text = db.run("status");
        assertEquals(0, text.exitCode(), text.toString());
        assertTrue(text.out().contains("stage: migrated without uuidmig's state"), text.out());
        JsonNode j = json(db.run("status", "--format", "json"));
        assertEquals("migrated_without_state", j.get("stage").asText());
        assertTrue(j.get("migratedWithoutState").asBoolean());
        for (JsonNode c : j.get("columns")) {
            assertEquals("uuid", c.get("type").asText(), c.toString());
        }
    }

    /** uuidmig's own rollback before the swap (it drops schema uuidmig): rolled back, with when, from Flyway's rollback row. */
    @Test
    void rolledBackBeforeSwap(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult expand = db.run("migrate", "--phase", "expand");
        assertEquals(0, expand.exitCode(), expand.toString());
        CliResult rollback = db.run("rollback");
        assertEquals(0, rollback.exitCode(), rollback.toString());
        assertRolledBack(db);
    }

    /** uuidmig's own rollback after the swap: rolled back, not "unknown ... changed by other means". */
    // the slow suite's: rolledBackBeforeSwap is the default suite's
    @Tag("slow")
    @Test
    void rolledBackAfterSwap(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult migrate = db.run("migrate");
        assertEquals(0, migrate.exitCode(), migrate.toString());
        CliResult rollback = db.run("rollback");
        assertEquals(0, rollback.exitCode(), rollback.toString());
        assertRolledBack(db);

        // migrated again after the rollback: done, not rolled back
        CliResult again = db.run("migrate");
        assertEquals(0, again.exitCode(), again.toString());
        assertEquals("done", json(db.run("status", "--format", "json")).get("stage").asText());
    }

    private static void assertRolledBack(TestDb db) throws Exception {
        CliResult text = db.run("status");
        assertEquals(0, text.exitCode(), text.toString());
        assertTrue(text.out().contains("stage: rolled back"), text.out());
        String on = db.queryString("SELECT to_char(installed_on, 'YYYY-MM-DD HH24:MI:SS') FROM uuidmig_history.public "
            + "WHERE description = 'rollback user references to integer' AND success ORDER BY installed_rank DESC LIMIT 1");
        assertTrue(text.out().contains("rolled back: uuidmig rollback finished on " + on), text.out());
        JsonNode j = json(db.run("status", "--format", "json"));
        assertEquals("rolled_back", j.get("stage").asText());
        assertFalse(j.get("migratedWithoutState").asBoolean());
        for (JsonNode c : j.get("columns")) {
            assertEquals("integer", c.get("type").asText(), c.toString());
        }
    }

    /** A database without the application's tables is not reported as "not started": the plan matches nothing there. */
    @Test
    void wrongDatabaseIsUnknown(TestDb db) throws Exception {
        CliResult text = db.run("status");
        assertEquals(0, text.exitCode(), text.toString());
        assertTrue(text.out().contains("stage: unknown") && text.out().contains("the wrong database or --schema"), text.out());
        JsonNode j = json(db.run("status", "--format", "json"));
        assertEquals("unknown", j.get("stage").asText());
        for (JsonNode c : j.get("columns")) {
            assertEquals("missing table", c.get("step").asText(), c.toString());
            assertTrue(c.get("type").isNull(), c.toString());
        }
    }

    private static JsonNode json(CliResult r) throws Exception {
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode j = JSON.readTree(r.out());
        assertEquals("status", j.get("command").asText());
        return j;
    }

    private static List<String> tables(JsonNode j) {
        List<String> out = new ArrayList<>();
        j.get("columns").forEach(c -> out.add(c.get("table").asText()));
        return out;
    }
}
