package org.uuidmig.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * uuidmig's state belongs to an application schema: with the fixture in public and in t2, what migrate,
 * status and rollback do to one schema never reads or changes the other's.
 */
@ExtendWith(PostgresExtension.class)
class SchemaStateIT {

    /** The fixture twice: loaded into public, renamed to t2, then loaded into a new public. */
    private static void twoSchemas(TestDb db) throws Exception {
        db.loadFixture(1);
        db.exec("ALTER SCHEMA public RENAME TO t2; CREATE SCHEMA public");
        db.loadFixture(1);
    }

    private static String type(TestDb db, String schema) throws Exception {
        return db.queryString("SELECT data_type FROM information_schema.columns WHERE table_schema = ? "
            + "AND table_name = 'chat_messages' AND column_name = 'sender_id'", schema);
    }

    /** public migrated: t2 is not started, rollback --schema t2 leaves public alone, and migrate --schema t2 really migrates t2. */
    // the slow suite's: oneUnfinishedMigrationPerDatabase keeps the schemas apart in the default suite
    @Tag("slow")
    @Test
    void migrateOneSchemaThenTheOther(TestDb db) throws Exception {
        twoSchemas(db);
        CliResult pub = db.run("migrate");
        assertEquals(0, pub.exitCode(), pub.toString());
        assertEquals("uuid", type(db, "public"));
        assertEquals("integer", type(db, "t2"));

        CliResult status = db.run("status", "--schema", "t2");
        assertEquals(0, status.exitCode(), status.toString());
        assertTrue(status.out().contains("stage: not started"), status.toString());

        CliResult nothing = db.run("rollback", "--schema", "t2");
        assertEquals(0, nothing.exitCode(), nothing.toString());
        assertTrue(nothing.out().contains("Nothing to roll back: no migration of schema t2"), nothing.toString());
        assertEquals("uuid", type(db, "public"), "rollback --schema t2 must not roll back public");
        assertEquals(0, db.run("validate-post").exitCode());

        CliResult t2 = db.run("migrate", "--schema", "t2");
        assertEquals(0, t2.exitCode(), t2.toString());
        assertTrue(t2.out().contains("migration complete"), t2.toString());
        assertTrue(!t2.out().contains("Resuming"), t2.toString());
        assertEquals("uuid", type(db, "t2"));
        assertEquals(9, db.queryLong("SELECT count(*) FROM information_schema.columns c JOIN uuidmig.columns s "
            + "ON (s.table_schema, s.table_name, s.column_name) = (c.table_schema, c.table_name, c.column_name) "
            + "WHERE c.table_schema = 't2' AND c.data_type = 'uuid' AND s.step = 'done'"));
        for (String schema : List.of("public", "t2")) {
            CliResult post = db.run("validate-post", "--schema", schema);
            assertEquals(0, post.exitCode(), schema + ": " + post);
            CliResult st = db.run("status", "--schema", schema);
            assertTrue(st.out().contains("stage: done"), schema + ": " + st);
        }

        // and back: rolling back t2 (after its swap) leaves public migrated, with its record
        CliResult back = db.run("rollback", "--schema", "t2");
        assertEquals(0, back.exitCode(), back.toString());
        assertEquals("integer", type(db, "t2"));
        assertEquals("uuid", type(db, "public"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM uuidmig.columns WHERE table_schema = 't2'"));
        assertEquals(0, db.run("validate-post").exitCode(), "public's record survives t2's rollback");
        assertTrue(db.run("status", "--schema", "t2").out().contains("stage: rolled back"));
        assertTrue(db.run("status").out().contains("stage: done"));
    }

    /** While t2's migration is unfinished (expanded), migrating or rolling back public is refused, and public is untouched. */
    @Test
    void oneUnfinishedMigrationPerDatabase(TestDb db) throws Exception {
        twoSchemas(db);
        CliResult expand = db.run("migrate", "--schema", "t2", "--phase", "expand");
        assertEquals(0, expand.exitCode(), expand.toString());

        CliResult status = db.run("status");
        assertTrue(status.out().contains("stage: not started"), "public's status is not t2's: " + status);
        CliResult rollback = db.run("rollback");
        assertEquals(0, rollback.exitCode(), rollback.toString());
        assertTrue(rollback.out().contains("Nothing to roll back: no migration of schema public"), rollback.toString());
        assertEquals(9, db.queryLong("SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 't2' AND t.tgname LIKE 'zz\\_uuidmig\\_sync\\_%'"),
            "rolling back public must not touch t2's expansion");

        CliResult pub = db.run("migrate");
        assertEquals(1, pub.exitCode(), pub.toString());
        assertTrue(pub.err().contains("unfinished migration or rollback of schema t2"), pub.toString());
        assertEquals(0, db.queryLong("SELECT count(*) FROM uuidmig.columns WHERE table_schema = 'public'"), "nothing was changed");

        // t2 rolled back before its swap: public can be migrated now
        CliResult back = db.run("rollback", "--schema", "t2");
        assertEquals(0, back.exitCode(), back.toString());
        assertTrue(db.run("status", "--schema", "t2").out().contains("stage: rolled back"));
        CliResult now = db.run("migrate");
        assertEquals(0, now.exitCode(), now.toString());
        assertEquals("uuid", type(db, "public"));
        assertEquals("integer", type(db, "t2"));
    }

    /** A rerun whose users table or keys differ from the unfinished migration's recorded plan is refused, not resumed. */
    @Test
    void resumingAnotherPlanIsRefused(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult expand = db.run("migrate", "--phase", "expand");
        assertEquals(0, expand.exitCode(), expand.toString());
        db.exec("ALTER TABLE public.users ADD COLUMN uuid2 uuid UNIQUE");
        db.exec("UPDATE public.users SET uuid2 = uuid");
        CliResult other = db.run("migrate", "--new-key", "uuid2");
        assertEquals(1, other.exitCode(), other.toString());
        assertTrue(other.err().contains("was planned for users(id) -> users(uuid)"), other.toString());
    }
}
