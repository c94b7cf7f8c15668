package org.uuidmig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.uuidmig.testing.CatalogSnapshot;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * plan --estimate on the real server: it prints the time, extra disk and WAL with their assumptions, changes nothing
 * (its sample batches are rolled back), takes only row locks under --lock-timeout, and puts the numbers in the JSON.
 */
@ExtendWith(PostgresExtension.class)
class PlanEstimateIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HUMAN_SIZE = Pattern.compile("\\d+(\\.\\d)? (B|KiB|MiB|GiB)");

    /** Every row of every table, every sequence, and the catalog, as text: equal before and after means nothing changed. */
    private static List<String> state(TestDb db) throws Exception {
        List<String> out = new ArrayList<>(CatalogSnapshot.of(db, "public"));
        for (String t : db.queryStrings("SELECT quote_ident(relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
            + " AND relkind = 'r' ORDER BY relname")) {
            out.add(t + " " + CatalogSnapshot.tableDigest(db, "public." + t));
        }
        for (String s : db.queryStrings("SELECT quote_ident(relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
            + " AND relkind = 'S' ORDER BY relname")) {
            out.add(s + " " + db.queryString("SELECT last_value || '/' || is_called FROM public." + s));
        }
        return out;
    }

    private static void assertNothingOfUuidmig(TestDb db) throws Exception {
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname LIKE '%uuidmig%'"), "no uuidmig schema");
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname LIKE '%uuidmig%'"), "no uuidmig table or index");
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_attribute WHERE attname LIKE '%uuidmig%'"), "no uuidmig column");
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"), "no trigger");
    }

    /** The text: the plan, then the three estimates in human units, each with its assumptions; nothing changed. */
    @Test
    void estimatePrintsTimeDiskAndWalWithAssumptionsAndChangesNothing(TestDb db) throws Exception {
        db.loadFixture(2);
        List<String> before = state(db);

        CliResult r = db.run("plan", "--estimate");

        assertEquals(0, r.exitCode(), r.toString());
        String out = r.out();
        assertTrue(out.contains("-- step 1: prepare"), "the plan is still printed: " + out);
        int at = out.indexOf("-- estimate: one sample batch per column ran on this server and was ROLLED BACK; nothing was changed");
        assertTrue(at > 0, out);
        List<String> lines = out.substring(at).lines().toList();
        assertTrue(lines.stream().allMatch(l -> l.startsWith("--")), "the estimate is SQL comments, as the plan: " + lines);
        String walLevel = db.queryString("SHOW wal_level");
        for (String[] part : new String[][] {{"--   time: about ", "--     assumes backfill: "},
            {"--   extra disk: peak about ", "--     assumes new columns: "}, {"--   WAL: about ", "--     assumes server: wal_level " + walLevel}}) {
            int line = indexStarting(lines, part[0]);
            assertTrue(line >= 0, part[0] + " missing: " + lines);
            assertTrue(indexStarting(lines, part[1]) > line, "its assumptions follow it: " + part[1] + " in " + lines);
        }
        assertTrue(HUMAN_SIZE.matcher(lines.get(indexStarting(lines, "--   extra disk: "))).find(), lines.toString());
        assertTrue(HUMAN_SIZE.matcher(lines.get(indexStarting(lines, "--   WAL: "))).find(), lines.toString());
        assertTrue(out.contains("--     chat_messages.sender_id: ") && out.contains(", rolled back; held RowExclusiveLock on chat_messages"),
            "per column, with the sample and the locks it held: " + out);

        assertEquals(before, state(db), "plan --estimate changed the catalog, a row or a sequence");
        assertNothingOfUuidmig(db);
    }

    /** The JSON has the numbers (bytes, seconds), the server's WAL settings, and per column the sample and its locks. */
    @Test
    void estimateIsInThePlansJson(TestDb db) throws Exception {
        db.loadFixture(2);
        List<String> before = state(db);

        CliResult r = db.run("plan", "--estimate", "--format", "json", "--jobs", "1");

        assertEquals(0, r.exitCode(), r.toString());
        JsonNode doc = JSON.readTree(r.out());
        assertEquals("plan", doc.get("command").asText());
        JsonNode e = doc.get("estimate");
        assertTrue(e.get("rolledBack").asBoolean(), e.toString());
        assertTrue(e.get("time").get("seconds").asDouble() > 0, e.toString());
        assertTrue(e.get("time").get("assumptions").toString().contains("--jobs 1: one table at a time"), e.get("time").toString());
        assertTrue(e.get("disk").get("peakBytes").asLong() > e.get("disk").get("afterBytes").asLong(), e.get("disk").toString());
        assertTrue(e.get("disk").get("afterBytes").asLong() > 0, e.get("disk").toString());
        assertTrue(HUMAN_SIZE.matcher(e.get("disk").get("peak").asText()).matches(), e.get("disk").toString());
        assertTrue(e.get("wal").get("bytes").asLong() > e.get("wal").get("rowBytes").asLong(), e.get("wal").toString());
        assertEquals(db.queryString("SHOW wal_level"), e.get("wal").get("settings").get("walLevel").asText());
        assertEquals("on".equals(db.queryString("SHOW full_page_writes")), e.get("wal").get("settings").get("fullPageWrites").asBoolean());
        assertEquals(9, e.get("columns").size(), e.toString());
        for (JsonNode c : e.get("columns")) {
            JsonNode s = c.get("sample");
            assertEquals("sampled", s.get("outcome").asText(), c.toString());
            assertTrue(s.get("rows").asLong() > 0 && c.get("rows").asLong() > 0 && c.get("backfillSeconds").asDouble() > 0, c.toString());
            String table = c.get("column").asText().split("\\.")[0];
            Set<String> allowed = Set.of("RowExclusiveLock on " + table, "AccessShareLock on users");
            assertFalse(s.get("locks").isEmpty(), c.toString());
            s.get("locks").forEach(l -> assertTrue(allowed.contains(l.asText()), "only ROW EXCLUSIVE on the table and ACCESS SHARE on users: " + c));
        }
        assertTrue(e.get("sampleDeadRows").asLong() > 0, "the rolled-back rows are said to stay as dead versions: " + e);
        assertEquals(before, state(db));
        assertNothingOfUuidmig(db);

        JsonNode plain = JSON.readTree(db.run("plan", "--format", "json").out());
        assertTrue(plain.has("estimate") && plain.get("estimate").isNull(), "without --estimate: null");
    }

    /**
     * A row of the first batch locked by another session: the sample waits on that row (a row lock, not the table) and,
     * with a short --lock-timeout, gives up and says so, and the other columns are still estimated; with a long one it
     * waits until the row is free and then samples it.
     */
    @Test
    void sampleWaitsForALockedRowOnlyAsLongAsLockTimeout(TestDb db) throws Exception {
        db.loadFixture(1);
        try (Connection locker = db.connect()) {
            locker.setAutoCommit(false);
            try (Statement st = locker.createStatement()) {
                st.execute("SELECT 1 FROM public.chat_messages WHERE id = (SELECT min(id) FROM public.chat_messages) FOR UPDATE");
            }
            CliResult r = CompletableFuture.supplyAsync(() -> db.run("plan", "--estimate", "--format", "json", "--lock-timeout", "300ms"))
                .get(120, TimeUnit.SECONDS);
            assertEquals(0, r.exitCode(), r.toString());
            JsonNode cols = JSON.readTree(r.out()).get("estimate").get("columns");
            JsonNode chat = cols.get(0);
            assertEquals("chat_messages.sender_id", chat.get("column").asText());
            assertEquals("lock_timeout", chat.get("sample").get("outcome").asText(), chat.toString());
            assertTrue(chat.get("sample").get("why").asText().contains("--lock-timeout"), chat.toString());
            assertTrue(chat.get("backfillSeconds").asDouble() > 0, "timed at the others' speed: " + chat);
            for (int i = 1; i < cols.size(); i++) {
                assertEquals("sampled", cols.get(i).get("sample").get("outcome").asText(), cols.get(i).toString());
            }
            assertTrue(JSON.readTree(r.out()).get("estimate").get("time").get("assumptions").toString().contains("median speed"));

            CliResult text = db.run("plan", "--estimate", "--lock-timeout", "300ms");
            assertEquals(0, text.exitCode(), text.toString());
            assertTrue(text.out().contains("--     chat_messages.sender_id: ") && text.out().contains("not sampled: a lock it needed"),
                text.out());

            // a long lock timeout: the sample waits for the row itself (its table lock, ROW EXCLUSIVE, was granted)
            CompletableFuture<CliResult> waiting = CompletableFuture.supplyAsync(() -> db.run("plan", "--estimate", "--format", "json",
                "--lock-timeout", "10min"));
            String waitEvent = awaitLockWait(db, waiting);
            assertTrue(Set.of("transactionid", "tuple").contains(waitEvent), "a row-lock wait, not a table-lock wait: " + waitEvent);
            locker.commit();
            CliResult after = waiting.get(120, TimeUnit.SECONDS);
            assertEquals(0, after.exitCode(), after.toString());
            assertEquals("sampled", JSON.readTree(after.out()).get("estimate").get("columns").get(0).get("sample").get("outcome").asText());
        }
        assertNothingOfUuidmig(db);
    }

    /**
     * The application's UPDATE triggers: the sample rewrites rows by setting a column no trigger's column list names (as the
     * backfill's new column is named by none), reports the triggers that fired (every batch will fire them too), and
     * their writes are rolled back with it.
     */
    @Test
    void sampleAvoidsColumnTriggersAndReportsTheTriggersThatFired(TestDb db) throws Exception {
        db.loadFixture(1);
        db.exec("""
            CREATE TABLE public.audit (n int);
            CREATE FUNCTION public.audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO public.audit VALUES (1); RETURN NEW; END $$;
            CREATE TRIGGER every_update BEFORE UPDATE ON public.service_requests FOR EACH ROW EXECUTE FUNCTION public.audit_row();
            CREATE TRIGGER title_update BEFORE UPDATE OF title ON public.service_requests FOR EACH ROW EXECUTE FUNCTION public.audit_row();
            """);

        CliResult r = db.run("plan", "--estimate", "--format", "json");

        assertEquals(0, r.exitCode(), r.toString());
        JsonNode requests = null;
        for (JsonNode c : JSON.readTree(r.out()).get("estimate").get("columns")) {
            if (c.get("column").asText().equals("service_requests.requester_id")) {
                requests = c.get("sample");
            }
        }
        assertTrue(requests != null && requests.get("outcome").asText().equals("sampled"), r.out());
        assertNotEquals("title", requests.get("setColumn").asText(), "title is in a trigger's column list: " + requests);
        assertEquals("[\"every_update\"]", requests.get("triggers").toString(), requests.toString());
        assertEquals(0, db.queryLong("SELECT count(*) FROM public.audit"), "the triggers' writes were rolled back");
    }

    /** validate-pre shows its extra disk in human units and keeps the number of bytes in JSON. */
    @Test
    void validatePreShowsTheExtraDiskInHumanUnits(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult text = db.run("validate-pre");
        String line = text.out().lines().filter(l -> l.contains("estimated_extra_disk")).findFirst().orElseThrow(() ->
            new AssertionError(text.toString()));
        assertTrue(Pattern.compile("^\\[INFO\\] estimated_extra_disk: \\d+\\.\\d (KiB|MiB|GiB) - about ").matcher(line).find(), line);
        JsonNode doc = JSON.readTree(db.run("validate-pre", "--format", "json").out());
        JsonNode check = null;
        for (JsonNode c : doc.get("checks")) {
            if (c.get("name").asText().equals("estimated_extra_disk")) {
                check = c;
            }
        }
        assertTrue(check != null && check.get("count").isIntegralNumber() && check.get("count").asLong() > 1024, String.valueOf(check));
        assertNotEquals(-1, line.indexOf(org.uuidmig.report.Bytes.human(check.get("count").asLong())), "the same number: " + line);
    }

    private static int indexStarting(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    /** Waits until the estimate's session waits on a lock; returns its wait_event. Fails if the run ends first, or after 60 s. */
    private static String awaitLockWait(TestDb db, CompletableFuture<CliResult> run) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (run.isDone()) {
                throw new AssertionError("the estimate ended without waiting: " + run.get());
            }
            String event = db.queryString("SELECT wait_event FROM pg_stat_activity WHERE datname = current_database()"
                + " AND application_name = 'uuidmig plan --estimate' AND wait_event_type = 'Lock'");
            if (event != null) {
                return event;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the estimate never waited on the locked row");
    }
}
