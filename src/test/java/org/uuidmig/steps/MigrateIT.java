package org.uuidmig.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.ExitCode;
import org.uuidmig.testing.CatalogSnapshot;
import org.uuidmig.testing.Fixture;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.testing.TestDb;

/** migrate on the servicecatalog fixture: the catalog and the data afterwards, as issue 4 lists them. */
@ExtendWith(PostgresExtension.class)
class MigrateIT {

    /** After migrate, the catalog is the old one with uuid types and FKs to users(uuid); data maps id -> uuid. */
    @Test
    void migratesTheFixtureExactly(TestDb db) throws Exception {
        db.loadFixture(2);
        List<String> before = CatalogSnapshot.of(db, "public");
        Map<String, String> expectedData = Fixture.expectedDigests(db);

        CliResult r = db.run("migrate");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("migration complete"), r.out());

        // every column uuid, nullability, FK actions, index/constraint names and definitions, comments:
        // exactly the old catalog with integer -> uuid and users(id) -> users(uuid), nothing temporary left
        List<String> after = CatalogSnapshot.of(db, "public").stream().filter(l -> !l.startsWith("function uuidmig.")).toList();
        assertEquals(Fixture.expectedCatalogAfter(before), after);
        assertEquals(List.of(), db.queryStrings("SELECT proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE nspname = 'uuidmig'"));
        // every row's new value is users.uuid of its old integer; NULL stays NULL; nothing else changed
        assertEquals(expectedData, Fixture.digests(db));
        assertEquals("ed06a1b6d932", db.queryString("SELECT version_num FROM alembic_version"));
        assertEquals("true", db.queryString("SELECT success::text FROM uuidmig_history.public WHERE version = '2025.12.04.2215'"));
        assertEquals("migrate user references to uuid",
            db.queryString("SELECT description FROM uuidmig_history.public WHERE version = '2025.12.04.2215'"));

        CliResult post = db.run("validate-post");
        assertEquals(0, post.exitCode(), post.toString());

        CliResult again = db.run("migrate");
        assertEquals(0, again.exitCode(), again.toString());
        assertTrue(again.out().contains("Already migrated"), again.out());
        assertEquals(1, db.queryLong("SELECT count(*) FROM uuidmig_history.public WHERE version = '2025.12.04.2215'"));
    }

    /**
     * After each table's backfill, the indexes it bloated are rebuilt concurrently (a new index under the old
     * name, so a new oid) and the definitions are unchanged; an invalid leftover of an interrupted REINDEX
     * CONCURRENTLY is dropped first. --no-reindex leaves the indexes as they were.
     */
    // the slow suite's: every migrate of the default suite runs the reindex; this measures what it gives back
    @Tag("slow")
    @Test
    void rebuildsTheIndexesTheBackfillBloated(TestDb db, TestDb other) throws Exception {
        db.loadFixture(1);
        List<String> before = CatalogSnapshot.of(db, "public");
        long pkey = db.queryLong("SELECT 'chat_messages_pkey'::regclass::oid::bigint");
        long notes = db.queryLong("SELECT 'ix_service_request_notes_request_id_created_at'::regclass::oid::bigint");
        // what an interrupted REINDEX CONCURRENTLY of chat_messages_pkey leaves: an invalid chat_messages_pkey_ccnew
        try {
            db.exec("CREATE UNIQUE INDEX CONCURRENTLY chat_messages_pkey_ccnew ON chat_messages (request_id)");
        } catch (java.sql.SQLException expected) {
            // duplicate key: the build fails and leaves the index invalid
        }
        assertEquals("false", db.queryString("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'chat_messages_pkey_ccnew'::regclass"));

        CliResult r = db.run("migrate");
        assertEquals(0, r.exitCode(), r.toString());
        assertNotEquals(pkey, db.queryLong("SELECT 'chat_messages_pkey'::regclass::oid::bigint"));
        assertNotEquals(notes, db.queryLong("SELECT 'ix_service_request_notes_request_id_created_at'::regclass::oid::bigint"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname LIKE '%\\_cc%'"));
        List<String> after = CatalogSnapshot.of(db, "public").stream().filter(l -> !l.startsWith("function uuidmig.")).toList();
        assertEquals(Fixture.expectedCatalogAfter(before), after);
        assertEquals(0, db.run("validate-post").exitCode());

        other.loadFixture(1);
        long otherPkey = other.queryLong("SELECT 'chat_messages_pkey'::regclass::oid::bigint");
        CliResult noReindex = other.run("migrate", "--no-reindex");
        assertEquals(0, noReindex.exitCode(), noReindex.toString());
        assertEquals(otherPkey, other.queryLong("SELECT 'chat_messages_pkey'::regclass::oid::bigint"));
    }

    /** --dry-run prints every statement with its lock and changes nothing at all. */
    @Test
    void dryRunChangesNothing(TestDb db) throws Exception {
        db.loadFixture(1);
        List<String> before = CatalogSnapshot.of(db, "public");
        Map<String, String> data = Fixture.digests(db);
        CliResult r = db.run("migrate", "--dry-run");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("CREATE INDEX CONCURRENTLY \"_uuidmig_ix_chat_messages_sender_id_created_at\" ON \"public\".\"chat_messages\" "
            + "USING btree (\"_uuidmig_sender_id\", created_at DESC);"), r.out());
        assertTrue(r.out().contains("LOCK TABLE \"public\".\"users\" IN ACCESS EXCLUSIVE MODE;"), r.out());
        assertTrue(r.out().contains("--   lock: SHARE UPDATE EXCLUSIVE"), r.out());
        // the backfill's VACUUMs leave the indexes to the REINDEX that follows; without it they clean them
        assertTrue(r.out().contains("VACUUM (INDEX_CLEANUP OFF) \"public\".\"chat_messages\";"), r.out());
        CliResult noReindex = db.run("migrate", "--dry-run", "--no-reindex");
        assertEquals(0, noReindex.exitCode(), noReindex.toString());
        assertTrue(noReindex.out().contains("VACUUM \"public\".\"chat_messages\";"), noReindex.out());
        assertFalse(noReindex.out().contains("INDEX_CLEANUP"), noReindex.out());
        assertEquals(before, CatalogSnapshot.of(db, "public"));
        assertEquals(data, Fixture.digests(db));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig_history'"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'uuidmig_schema_history'"));
    }

    /** Quotes, spaces, dots and upper case in schema, table, column, index and constraint names work. */
    @Test
    void awkwardIdentifiersMigrate(TestDb db) throws Exception {
        db.exec("""
            CREATE SCHEMA {S};
            CREATE TABLE {S}."People" ("ID" serial PRIMARY KEY, "The UUID" uuid NOT NULL UNIQUE);
            CREATE TABLE {S}."Order Items""x" (
                "Line.No" bigint PRIMARY KEY,
                "Sender ID" integer NOT NULL CONSTRAINT "FK ""sender""\" REFERENCES {S}."People" ("ID") ON DELETE CASCADE,
                "Note" text);
            CREATE INDEX "Idx ""sender"" desc" ON {S}."Order Items""x" ("Sender ID" DESC, "Note") WHERE "Sender ID" IS NOT NULL;
            CREATE UNIQUE INDEX "uniq$line" ON {S}."Order Items""x" ("Note", "Sender ID");
            COMMENT ON COLUMN {S}."Order Items""x"."Sender ID" IS 'who''s sending';
            INSERT INTO {S}."People" ("The UUID") SELECT md5('p' || i)::uuid FROM generate_series(1, 50) i;
            INSERT INTO {S}."Order Items""x" SELECT i, 1 + i % 50, 'n' || i FROM generate_series(1, 500) i;
            """.replace("{S}", "\"Odd \"\"Schema\"\"\""));
        String[] args = {"--schema", "Odd \"Schema\"", "--users-table", "People", "--old-key", "ID", "--new-key", "The UUID",
            "--column", "\"Order Items\"\"x\".\"Sender ID\""};
        CliResult pre = db.run(concat("validate-pre", args));
        assertEquals(0, pre.exitCode(), pre.toString());
        CliResult r = db.run(concat("migrate", args));
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("uuid", db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            + "WHERE attrelid = '\"Odd \"\"Schema\"\"\".\"Order Items\"\"x\"'::regclass AND attname = 'Sender ID'"));
        assertEquals("who's sending", db.queryString("SELECT col_description('\"Odd \"\"Schema\"\"\".\"Order Items\"\"x\"'::regclass, "
            + "(SELECT attnum FROM pg_attribute WHERE attrelid = '\"Odd \"\"Schema\"\"\".\"Order Items\"\"x\"'::regclass AND attname = 'Sender ID'))"));
        assertEquals("CREATE INDEX \"Idx \"\"sender\"\" desc\" ON \"Odd \"\"Schema\"\"\".\"Order Items\"\"x\" USING btree (\"Sender ID\" DESC, \"Note\") "
            + "WHERE (\"Sender ID\" IS NOT NULL)", db.queryString("SELECT pg_get_indexdef('\"Odd \"\"Schema\"\"\".\"Idx \"\"sender\"\" desc\"'::regclass)"));
        assertEquals("FOREIGN KEY (\"Sender ID\") REFERENCES \"Odd \"\"Schema\"\"\".\"People\"(\"The UUID\") ON DELETE CASCADE",
            db.queryString("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'FK \"sender\"'"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM \"Odd \"\"Schema\"\"\".\"Order Items\"\"x\" o JOIN \"Odd \"\"Schema\"\"\".\"People\" p "
            + "ON p.\"The UUID\" = o.\"Sender ID\" WHERE p.\"ID\" <> 1 + o.\"Line.No\" % 50"));
        CliResult post = db.run(concat("validate-post", args));
        assertEquals(0, post.exitCode(), post.toString());
    }

    /** Refused migration: a blocking validate-pre failure exits 1 and changes nothing. */
    @Test
    void refusesOnBlockingProblemAndChangesNothing(TestDb db) throws Exception {
        db.loadFixture(1);
        db.exec("CREATE VIEW sender_names AS SELECT m.id, m.sender_id FROM chat_messages m");
        List<String> before = CatalogSnapshot.of(db, "public");
        CliResult r = db.run("migrate");
        assertEquals(ExitCode.CHECKS_FAILED, r.exitCode(), r.toString());
        assertTrue(r.err().contains("view") && r.err().contains("sender_names") && r.err().contains("migration refused"), r.toString());
        assertEquals(before, CatalogSnapshot.of(db, "public"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'"));
    }

    /** expand leaves the application's view unchanged (integers) with the sync trigger live; contract finishes. */
    // the slow suite's: BlueGreenIT runs expand and contract in the default suite
    @Tag("slow")
    @Test
    void expandThenContractEqualsPlainMigrate(TestDb db, TestDb reference) throws Exception {
        db.loadFixture(1);
        reference.loadFixture(1);
        assertEquals(0, reference.run("migrate").exitCode());

        CliResult expand = db.run("migrate", "--phase", "expand");
        assertEquals(0, expand.exitCode(), expand.toString());
        assertEquals("integer", db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'chat_messages'::regclass AND attname = 'sender_id'"));
        db.exec("INSERT INTO chat_messages (request_id, sender_id, content) SELECT 1, 7, 'written between the phases'");
        assertEquals(db.queryString("SELECT uuid::text FROM users WHERE id = 7"),
            db.queryString("SELECT _uuidmig_sender_id::text FROM chat_messages WHERE content = 'written between the phases'"));
        // that integer write was a moment ago: contract refuses it as a blue application still running, unless forced
        CliResult refused = db.run("migrate", "--phase", "contract");
        assertEquals(ExitCode.CHECKS_FAILED, refused.exitCode(), refused.toString());
        CliResult contract = db.run("migrate", "--phase", "contract", "--force");
        assertEquals(0, contract.exitCode(), contract.toString());
        db.exec("DELETE FROM chat_messages WHERE content = 'written between the phases'");
        assertEquals(CatalogSnapshot.of(reference, "public"), CatalogSnapshot.of(db, "public"));
        assertEquals(Fixture.digests(reference), Fixture.digests(db));
    }

    /** contract before expand is refused with a message saying what to run. */
    @Test
    void contractWithoutExpandIsRefused(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult r = db.run("migrate", "--phase", "contract");
        assertNotEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--phase expand"), r.toString());
        assertEquals("integer", db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'chat_messages'::regclass AND attname = 'sender_id'"));
        assertFalse(r.err().contains("\tat "), r.toString());
    }

    static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
