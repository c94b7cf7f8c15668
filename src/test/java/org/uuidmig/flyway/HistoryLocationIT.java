package org.uuidmig.flyway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.ExitCode;
import org.uuidmig.testing.MigratedFixture;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * Issue 16 item 6: Flyway's history of uuidmig lives in uuidmig_history.&lt;schema&gt;, out of the application's schema; a
 * database where an older uuidmig kept it as &lt;schema&gt;.uuidmig_schema_history keeps working, and the table moves.
 */
@ExtendWith(PostgresExtension.class)
class HistoryLocationIT {
    private static final String MOVED = "Moved Flyway's history table public.uuidmig_schema_history (where uuidmig kept it before) "
        + "to uuidmig_history.public";

    /** Turns uuidmig_history.public into what an older uuidmig left: public.uuidmig_schema_history, Flyway's names. */
    private static void asAnOlderUuidmigLeftIt(TestDb db) throws Exception {
        db.exec("""
            ALTER TABLE uuidmig_history.public RENAME CONSTRAINT public_pk TO uuidmig_schema_history_pk;
            ALTER INDEX uuidmig_history.public_s_idx RENAME TO uuidmig_schema_history_s_idx;
            ALTER TABLE uuidmig_history.public RENAME TO uuidmig_schema_history;
            ALTER TABLE uuidmig_history.uuidmig_schema_history SET SCHEMA public;
            DROP SCHEMA uuidmig_history""");
    }

    private static List<String> rows(TestDb db, String table) throws Exception {
        return db.queryStrings("SELECT installed_rank || ' ' || coalesce(version, '-') || ' ' || description || ' ' || success FROM "
            + table + " ORDER BY installed_rank");
    }

    /** Where uuidmig's history tables are, by name, and what their indexes are called. */
    private static List<String> historyRelations(TestDb db) throws Exception {
        return db.queryStrings("""
            SELECT n.nspname || '.' || c.relname || ' ' || c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'uuidmig_history' OR c.relname LIKE 'uuidmig\\_schema\\_history%' ORDER BY 1""");
    }

    @Test
    void migrateKeepsItsHistoryOutOfTheApplicationsSchema(TestDb db) throws Exception {
        MigratedFixture.copyInto(db, 1);
        assertEquals(List.of("uuidmig_history.public r", "uuidmig_history.public_pk i", "uuidmig_history.public_s_idx i"),
            historyRelations(db));
        assertEquals(List.of("1 2025.12.04.2215 migrate user references to uuid true"), rows(db, "uuidmig_history.public"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE n.nspname = 'public' AND c.relname LIKE '%uuidmig%'"), "nothing of uuidmig's in schema public");
        assertEquals("uuidmig: Flyway's record of uuidmig's migrations, one table per application schema",
            db.queryString("SELECT obj_description('uuidmig_history'::regnamespace, 'pg_namespace')"));
    }

    /** A migrate an older uuidmig started (and was killed in) resumes, and its history moves with its rows. */
    @Test
    void anInterruptedMigrateOfAnOlderUuidmigResumesAndItsHistoryMoves(TestDb db) throws Exception {
        db.loadFixture(1);
        Subprocess.Result halted = Subprocess.run(List.of("-Duuidmig.fault.haltAfter=backfill"),
            "migrate", "--url", db.url());
        assertEquals(137, halted.exitCode(), "the fault point was not reached: " + halted.output());
        db.awaitNoUuidmigSessions();
        asAnOlderUuidmigLeftIt(db);
        List<String> before = rows(db, "public.uuidmig_schema_history");

        CliResult status = db.run("status");
        assertEquals(0, status.exitCode(), status.toString());
        assertTrue(status.out().contains("Flyway \"public\".\"uuidmig_schema_history\""), "status reads the old table: " + status.out());

        CliResult r = db.run("migrate");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains(MOVED), r.out());
        assertEquals(List.of("uuidmig_history.public r", "uuidmig_history.public_pk i", "uuidmig_history.public_s_idx i"),
            historyRelations(db));
        List<String> after = rows(db, "uuidmig_history.public");
        assertEquals(before, after.subList(0, before.size()), "the rows moved unchanged");
        assertEquals(List.of("2025.12.04.2215 true"), db.queryStrings("SELECT version || ' ' || success FROM uuidmig_history.public "
            + "WHERE version IS NOT NULL AND version <> '0'"), "a failed row (if any) was repaired, and one success recorded");
        CliResult post = db.run("validate-post");
        assertEquals(0, post.exitCode(), post.toString());
    }

    /**
     * After a migration an older uuidmig finished: status and validate-post read the old table, --dry-run leaves it
     * where it is, rollback moves it and records itself there, and status after the rollback (schema uuidmig dropped)
     * reads the rollback's row from uuidmig_history.
     */
    @Test
    void aFinishedMigrationOfAnOlderUuidmigRollsBackAndItsHistoryMoves(TestDb db) throws Exception {
        MigratedFixture.copyInto(db, 1);
        asAnOlderUuidmigLeftIt(db);
        assertEquals(0, db.run("validate-post").exitCode(), "validate-post finds the Flyway row in the old table");
        CliResult dry = db.run("rollback", "--dry-run");
        assertEquals(0, dry.exitCode(), dry.toString());
        assertTrue(dry.out().contains("in uuidmig_history.public"), dry.out());
        assertEquals(List.of("public.uuidmig_schema_history r", "public.uuidmig_schema_history_pk i",
            "public.uuidmig_schema_history_s_idx i"), historyRelations(db), "--dry-run moves nothing");

        CliResult r = db.run("rollback");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains(MOVED), r.out());
        assertEquals(List.of("1 2025.12.04.2215 migrate user references to uuid true",
            "2 2025.12.04.2216 rollback user references to integer true"), rows(db, "uuidmig_history.public"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'"));
        CliResult status = db.run("status");
        assertTrue(status.out().contains("stage: rolled back"), status.out());
    }

    /** Both tables: which one is the record is for a person to decide; migrate and rollback refuse, nothing changes. */
    @Test
    void bothPlacesAtOnceAreRefused(TestDb db) throws Exception {
        MigratedFixture.copyInto(db, 1);
        db.exec("CREATE TABLE public.uuidmig_schema_history (LIKE uuidmig_history.public INCLUDING ALL)");
        for (String command : List.of("migrate", "rollback")) {
            CliResult r = db.run(command);
            assertEquals(ExitCode.CHECKS_FAILED, r.exitCode(), r.toString());
            assertTrue(r.err().contains("exists twice: public.uuidmig_schema_history") && r.err().contains("Nothing was changed"),
                r.toString());
        }
        assertEquals(1, db.queryLong("SELECT count(*) FROM uuidmig_history.public"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM public.uuidmig_schema_history"));
        assertEquals("uuid", db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            + "WHERE attrelid = 'chat_messages'::regclass AND attname = 'sender_id'"), "not rolled back");
    }

    /** scripts/post_migration_validation.sql names the history table as HistoryTable.tableFor does. */
    @Test
    void theValidationScriptNamesTheTableAsUuidmigDoes(TestDb db) throws Exception {
        String script = java.nio.file.Files.readString(java.nio.file.Path.of("scripts/post_migration_validation.sql"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("CASE WHEN position\\('\"' IN s\\).*?END", java.util.regex.Pattern.DOTALL)
            .matcher(script);
        assertTrue(m.find(), "the name rule in the script");
        for (String name : List.of("public", "Odd \"Schema\"", "#public", "é".repeat(28) + "x", "é".repeat(29), "app schema.v2")) {
            assertEquals(HistoryTable.tableFor(name), db.queryString("SELECT " + m.group() + " FROM (VALUES (?)) v(s)", name), name);
        }
    }
}
