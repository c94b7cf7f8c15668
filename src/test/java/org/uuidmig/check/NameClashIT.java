package org.uuidmig.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.uuidmig.check.Reports.assertBlocks;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.uuidmig.testing.CatalogSnapshot;
import org.uuidmig.testing.Fixture;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * Names uuidmig would create that already exist (issue 12, Data 5): someone else's object is never adopted,
 * overwritten, renamed onto or dropped. A clash with a per-column name refuses before anything changes; the
 * unique index on users(uuid) takes a free name, and rollback drops only what uuidmig recorded creating.
 */
@ExtendWith(PostgresExtension.class)
class NameClashIT {

    /** A column _uuidmig_sender_id holding data: validate-pre names it, migrate refuses with exit 1 and changes nothing. */
    @Test
    void foreignShadowColumnRefusesBeforeAnythingChanges(TestDb db) throws Exception {
        db.loadFixture(1);
        db.exec("ALTER TABLE chat_messages ADD COLUMN _uuidmig_sender_id text; UPDATE chat_messages SET _uuidmig_sender_id = 'keep ' || id");
        List<String> catalog = CatalogSnapshot.of(db, "public");
        Map<String, String> data = Fixture.digests(db);
        String mine = CatalogSnapshot.tableDigest(db, "chat_messages");

        assertBlocks(db.run("validate-pre"), "name_clashes", "_uuidmig_sender_id", "chat_messages");
        CliResult m = db.run("migrate");
        assertEquals(1, m.exitCode(), m.toString());
        assertTrue(m.err().contains("_uuidmig_sender_id"), m.toString());

        assertEquals(catalog, CatalogSnapshot.of(db, "public"));
        assertEquals(data, Fixture.digests(db));
        assertEquals(mine, CatalogSnapshot.tableDigest(db, "chat_messages"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'"));
    }

    /** The other per-column names (sync trigger, index copy, NOT NULL check, new FK) clash the same way. */
    @Test
    void otherForeignTemporaryNamesRefuse(TestDb db) throws Exception {
        db.loadFixture(1);
        db.exec("""
            CREATE FUNCTION public.app_noop() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
            CREATE TRIGGER zz_uuidmig_sync_requester_id BEFORE INSERT ON service_requests FOR EACH ROW EXECUTE FUNCTION public.app_noop();
            CREATE INDEX _uuidmig_ix_chat_read_monitors_user_id ON roles (name);
            ALTER TABLE user_roles ADD CONSTRAINT _uuidmig_nn_user_id CHECK (role_id > 0);
            ALTER TABLE region_user_assigns ADD CONSTRAINT _uuidmig_fk_user_id CHECK (region_id > 0)""");
        List<String> catalog = CatalogSnapshot.of(db, "public");
        CliResult r = db.run("validate-pre");
        assertBlocks(r, "name_clashes", "zz_uuidmig_sync_requester_id", "_uuidmig_ix_chat_read_monitors_user_id",
            "_uuidmig_nn_user_id", "_uuidmig_fk_user_id");
        CliResult m = db.run("migrate");
        assertEquals(1, m.exitCode(), m.toString());
        assertEquals(catalog, CatalogSnapshot.of(db, "public"));
    }

    /**
     * A CHECK named service_request_notes_created_by_fkey (the name the swap gives the new FK of created_by, which has
     * none): refused before anything changes, instead of failing every swap with exit 3.
     */
    @Test
    void foreignFinalForeignKeyNameRefuses(TestDb db) throws Exception {
        db.loadFixture(1);
        db.exec("ALTER TABLE service_request_notes ADD CONSTRAINT service_request_notes_created_by_fkey CHECK (body <> '')");
        List<String> catalog = CatalogSnapshot.of(db, "public");
        Map<String, String> data = Fixture.digests(db);

        assertBlocks(db.run("validate-pre"), "name_clashes", "service_request_notes_created_by_fkey", "service_request_notes");
        CliResult m = db.run("migrate");
        assertEquals(1, m.exitCode(), m.toString());
        assertTrue(m.err().contains("service_request_notes_created_by_fkey"), m.toString());
        assertEquals(catalog, CatalogSnapshot.of(db, "public"));
        assertEquals(data, Fixture.digests(db));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'"));
    }

    /**
     * users(uuid) without a unique index, and the name users_uuid_key taken by the application: an index on
     * another column, or a unique constraint on email. migrate picks a free name for the index it builds, and
     * rollback (before the swap: after --phase expand; after the swap: after a full migrate) drops that one only:
     * the application's index and its uniqueness stay, and the catalog is as before.
     */
    // the slow suite's: the other name clashes are the default suite's
    @Tag("slow")
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"index on full_name, rollback after the swap"})
    void applicationsUsersUuidKeySurvivesMigrateAndRollback(String variant, TestDb db) throws Exception {
        usersUuidKeySurvives(variant, db);
    }

    /** The two other combinations, for the slow suite. */
    @Tag("slow")
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unique on email, rollback before the swap", "index on full_name, rollback before the swap",
        "unique on email, rollback after the swap"})
    void applicationsUsersUuidKeySurvivesMigrateAndRollbackMoreVariants(String variant, TestDb db) throws Exception {
        usersUuidKeySurvives(variant, db);
    }

    private void usersUuidKeySurvives(String variant, TestDb db) throws Exception {
        db.loadFixture(1);
        db.exec("ALTER TABLE users DROP CONSTRAINT users_uuid_key");
        boolean email = variant.startsWith("unique on email");
        if (email) {
            db.exec("ALTER TABLE users DROP CONSTRAINT users_email_key; ALTER TABLE users ADD CONSTRAINT users_uuid_key UNIQUE (email)");
        } else {
            db.exec("CREATE INDEX users_uuid_key ON users (full_name)");
        }
        long appIndex = db.queryLong("SELECT 'public.users_uuid_key'::regclass::oid::bigint");
        List<String> catalog = CatalogSnapshot.of(db, "public");
        Map<String, String> data = Fixture.digests(db);

        boolean afterSwap = variant.endsWith("after the swap");
        CliResult m = afterSwap ? db.run("migrate") : db.run("migrate", "--phase", "expand");
        assertEquals(0, m.exitCode(), m.toString());
        assertEquals(appIndex, db.queryLong("SELECT 'public.users_uuid_key'::regclass::oid::bigint"), "the application's index is untouched");
        assertEquals(1, db.queryLong("""
            SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
             WHERE i.indrelid = 'users'::regclass AND i.indisunique AND i.indnkeyatts = 1 AND a.attname = 'uuid'"""),
            "migrate built a unique index on users(uuid) under another name");

        CliResult rb = db.run("rollback");
        assertEquals(0, rb.exitCode(), rb.toString());
        assertEquals(appIndex, db.queryLong("SELECT 'public.users_uuid_key'::regclass::oid::bigint"), "rollback kept the application's index");
        assertEquals(catalog, CatalogSnapshot.of(db, "public"));
        assertEquals(data, Fixture.digests(db));
        if (email) {
            SQLException dup = assertThrows(SQLException.class,
                () -> db.exec("UPDATE users SET email = (SELECT email FROM users WHERE id = 1) WHERE id = 2"));
            assertEquals("23505", dup.getSQLState(), "email is still unique: " + dup.getMessage());
        }
    }

    /** Where uuidmig did build users(uuid)'s unique index, rollback after the swap removes it: the catalog is as before. */
    @Test
    void rollbackAfterSwapRemovesTheIndexUuidmigBuilt(TestDb db) throws Exception {
        db.loadFixture(1);
        db.exec("ALTER TABLE users DROP CONSTRAINT users_uuid_key; ALTER TABLE users ALTER COLUMN uuid DROP NOT NULL");
        List<String> catalog = CatalogSnapshot.of(db, "public");
        Map<String, String> data = Fixture.digests(db);
        CliResult m = db.run("migrate");
        assertEquals(0, m.exitCode(), m.toString());
        assertEquals(1, db.queryLong("SELECT count(*) FROM pg_constraint WHERE conname = 'users_uuid_key' AND contype = 'u'"));

        CliResult rb = db.run("rollback");
        assertEquals(0, rb.exitCode(), rb.toString());
        assertEquals(catalog, CatalogSnapshot.of(db, "public"));
        assertEquals(data, Fixture.digests(db));
    }

    /**
     * A run that stopped after building users(uuid)'s index but before recording its oid (the record then holds only
     * the name chosen before the concurrent build): a rerun of migrate keeps that index, and rollback still removes it
     * (it is recognised by name and shape: unique, on users(uuid) alone), leaving the catalog as before.
     */
    // the slow suite's: a crash between two statements, like the kill points of the slow suite
    @Tag("slow")
    @Test
    void indexBuiltButOidNotRecordedIsStillUuidmigs(TestDb db) throws Exception {
        db.loadFixture(1);
        db.exec("ALTER TABLE users DROP CONSTRAINT users_uuid_key");
        List<String> catalog = CatalogSnapshot.of(db, "public");
        CliResult expand = db.run("migrate", "--phase", "expand");
        assertEquals(0, expand.exitCode(), expand.toString());
        long oid = db.queryLong("SELECT object_oid::bigint FROM uuidmig.created_objects WHERE kind = 'users_unique_index'");
        assertEquals(oid, db.queryLong("SELECT 'public.users_uuid_key'::regclass::oid::bigint"), "the free name was users_uuid_key");
        db.exec("UPDATE uuidmig.created_objects SET object_oid = NULL WHERE kind = 'users_unique_index'");

        CliResult again = db.run("migrate", "--phase", "expand");
        assertEquals(0, again.exitCode(), again.toString());
        assertEquals(oid, db.queryLong("SELECT 'public.users_uuid_key'::regclass::oid::bigint"), "no second index was built");

        CliResult rb = db.run("rollback");
        assertEquals(0, rb.exitCode(), rb.toString());
        assertEquals(catalog, CatalogSnapshot.of(db, "public"));
    }

    /**
     * A CHECK of the application named like uuidmig's helper check on users(uuid) (_uuidmig_nn_users_uuid), with
     * users.uuid nullable: refused before anything changes (rollback would otherwise have dropped it).
     */
    @Test
    void foreignUsersNotNullCheckNameRefuses(TestDb db) throws Exception {
        db.loadFixture(1);
        db.exec("ALTER TABLE users ALTER COLUMN uuid DROP NOT NULL; ALTER TABLE users ADD CONSTRAINT _uuidmig_nn_users_uuid CHECK (id > 0)");
        List<String> catalog = CatalogSnapshot.of(db, "public");
        assertBlocks(db.run("validate-pre"), "name_clashes", "_uuidmig_nn_users_uuid", "users");
        CliResult m = db.run("migrate");
        assertEquals(1, m.exitCode(), m.toString());
        assertEquals(catalog, CatalogSnapshot.of(db, "public"));
    }

    /**
     * After the swap, a column _uuidmig_sender_id holding data appears: rollback (which adds a shadow column of that
     * name again) refuses with exit 1 before anything changes, instead of adopting and overwriting it; once it is
     * renamed, rollback restores the original catalog.
     */
    @Test
    void rollbackAfterSwapRefusesForeignShadowColumn(TestDb db) throws Exception {
        db.loadFixture(1);
        List<String> catalog = CatalogSnapshot.of(db, "public");
        CliResult m = db.run("migrate");
        assertEquals(0, m.exitCode(), m.toString());
        db.exec("ALTER TABLE chat_messages ADD COLUMN _uuidmig_sender_id integer; UPDATE chat_messages SET _uuidmig_sender_id = -id");
        List<String> migrated = CatalogSnapshot.of(db, "public");
        Map<String, String> data = Fixture.digests(db);
        String mine = CatalogSnapshot.tableDigest(db, "chat_messages");

        CliResult rb = db.run("rollback");
        assertEquals(1, rb.exitCode(), rb.toString());
        assertTrue(rb.err().contains("_uuidmig_sender_id"), rb.toString());
        assertEquals(migrated, CatalogSnapshot.of(db, "public"));
        assertEquals(data, Fixture.digests(db));
        assertEquals(mine, CatalogSnapshot.tableDigest(db, "chat_messages"));

        db.exec("ALTER TABLE chat_messages DROP COLUMN _uuidmig_sender_id");
        CliResult again = db.run("rollback");
        assertEquals(0, again.exitCode(), again.toString());
        assertEquals(catalog, CatalogSnapshot.of(db, "public"));
    }

    /**
     * migrate stopped after expanding chat_messages only; then a column _uuidmig_requester_id with data appears on
     * service_requests (not expanded yet). Rollback removes what uuidmig made on chat_messages but keeps that column
     * and its data; migrate refuses (name_clashes).
     */
    @Test
    void rollbackBeforeSwapKeepsForeignObjectsOfColumnsNotExpanded(TestDb db) throws Exception {
        db.loadFixture(1);
        List<String> catalog = CatalogSnapshot.of(db, "public");
        Subprocess.Result killed = Subprocess.run(List.of("-Duuidmig.fault.haltAfter=expand chat_messages"),
            "migrate", "--url", db.url());
        assertEquals(137, killed.exitCode(), "the fault point was not reached: " + killed.output());
        db.awaitNoUuidmigSessions(); // the killed run's sessions (and its run lock) end when the server notices
        assertEquals(1, db.queryLong("SELECT count(*) FROM pg_attribute WHERE attrelid = 'chat_messages'::regclass "
            + "AND attname = '_uuidmig_sender_id'"), "chat_messages was expanded");
        db.exec("ALTER TABLE service_requests ADD COLUMN _uuidmig_requester_id text; UPDATE service_requests SET _uuidmig_requester_id = 'keep ' || id");
        List<String> withColumn = CatalogSnapshot.of(db, "public");
        String mine = CatalogSnapshot.tableDigest(db, "service_requests");

        CliResult rb = db.run("rollback");
        assertEquals(0, rb.exitCode(), rb.toString());
        assertEquals(mine, CatalogSnapshot.tableDigest(db, "service_requests"));
        List<String> expected = new java.util.ArrayList<>(catalog);
        expected.addAll(withColumn.stream().filter(l -> l.contains("_uuidmig_requester_id")).toList());
        assertEquals(expected.stream().sorted().toList(), CatalogSnapshot.of(db, "public").stream().sorted().toList());

        // and a migrate now (as a resume would) refuses before it would adopt the column
        assertBlocks(db.run("validate-pre"), "name_clashes", "_uuidmig_requester_id", "service_requests");
        CliResult again = db.run("migrate");
        assertEquals(1, again.exitCode(), again.toString());
        assertEquals(mine, CatalogSnapshot.tableDigest(db, "service_requests"));
    }

    /** A migrate interrupted after expand resumes: its own shadow columns and triggers are not taken for a clash. */
    @Test
    void ownObjectsOfAnInterruptedRunAreNoClash(TestDb db) throws Exception {
        db.loadFixture(1);
        Map<String, String> migrated = Fixture.expectedDigests(db);
        CliResult expand = db.run("migrate", "--phase", "expand");
        assertEquals(0, expand.exitCode(), expand.toString());
        CliResult pre = db.run("validate-pre");
        assertEquals("PASS", Reports.check(pre, "name_clashes").status(), pre.toString());
        CliResult m = db.run("migrate");
        assertEquals(0, m.exitCode(), m.toString());
        assertEquals(migrated, Fixture.digests(db));
    }
}
