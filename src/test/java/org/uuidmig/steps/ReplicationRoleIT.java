package org.uuidmig.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.ExitCode;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.Runs;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.testing.TestDb;

/**
 * Writes under {@code session_replication_role = replica} (what a logical-replication subscriber's apply worker
 * does) between expand and the swap: uuidmig's sync and ledger triggers fire ALWAYS, so every such write is carried
 * over, in migrate and in rollback. A trigger the application disabled stops the swap (exit 4) instead of letting a
 * wrong row through; the rerun enables it again and verifies the table once more.
 */
@ExtendWith(PostgresExtension.class)
class ReplicationRoleIT {
    static final String[] PLAN = {"--column", "posts.author_id"};

    /** users 1..20; posts with author_id and, beside it, the user it must end up pointing at (expect, no FK, not planned). */
    static void schema(TestDb db) throws Exception {
        db.exec("""
            CREATE TABLE users (id serial PRIMARY KEY, uuid uuid NOT NULL UNIQUE);
            INSERT INTO users (uuid) SELECT md5('u' || i)::uuid FROM generate_series(1, 20) i;
            CREATE TABLE posts (id serial PRIMARY KEY, author_id integer REFERENCES users (id), expect integer);
            INSERT INTO posts (author_id, expect)
                SELECT CASE WHEN i % 5 = 0 THEN NULL ELSE 1 + i % 20 END, CASE WHEN i % 5 = 0 THEN NULL ELSE 1 + i % 20 END
                  FROM generate_series(1, 100) i;
            """);
    }

    static String[] args(String command, String... more) {
        return Runs.withPlan(PLAN, command, more);
    }

    /** Rows whose uuid author is not users.uuid of the user they must point at (NULL-ness included). */
    static long wrongUuidRows(TestDb db) throws Exception {
        return db.queryLong("""
            SELECT count(*) FROM posts p LEFT JOIN users u ON u.id = p.expect
             WHERE (p.expect IS NULL) <> (p.author_id IS NULL) OR p.author_id IS DISTINCT FROM u.uuid""");
    }

    /** Rows whose integer author is not the user they must point at. */
    static long wrongIntegerRows(TestDb db) throws Exception {
        return db.queryLong("SELECT count(*) FROM posts WHERE author_id IS DISTINCT FROM expect");
    }

    /** As an apply worker: replica role; insert, change the user column to another user, to NULL, from NULL; delete. */
    static void replicaWrites(TestDb db, String value) throws Exception {
        String v = value; // how to write user n into author_id: as an integer, or as its uuid
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("SET session_replication_role = replica");
            st.execute("INSERT INTO posts (author_id, expect) SELECT " + v.replace("N", "3") + ", 3");
            st.execute("INSERT INTO posts (author_id, expect) VALUES (NULL, NULL)");
            st.execute("UPDATE posts SET author_id = " + v.replace("N", "7") + ", expect = 7 WHERE id = 1");
            st.execute("UPDATE posts SET author_id = NULL, expect = NULL WHERE id = 2");
            st.execute("UPDATE posts SET author_id = " + v.replace("N", "9") + ", expect = 9 WHERE id = 5");
            st.execute("DELETE FROM posts WHERE id = 3");
        }
    }

    /** migrate --phase expand; replica-role writes; migrate --phase contract: every row maps right, validate-post passes. */
    @Test
    void replicaRoleWritesBetweenExpandAndContract(TestDb db) throws Exception {
        schema(db);
        CliResult expand = db.run(args("migrate", "--phase", "expand"));
        assertEquals(0, expand.exitCode(), expand.toString());
        replicaWrites(db, "N");
        CliResult contract = db.run(args("migrate", "--phase", "contract", "--force"));
        assertEquals(0, contract.exitCode(), contract.toString());
        assertEquals("uuid", db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            + "WHERE attrelid = 'posts'::regclass AND attname = 'author_id'"));
        assertEquals(0, wrongUuidRows(db), "rows written under replica role map to users.uuid of their user");
        assertEquals(101, db.queryLong("SELECT count(*) FROM posts"));
        CliResult post = db.run(args("validate-post"));
        assertEquals(0, post.exitCode(), post.toString());
    }

    /** migrate; rollback held before its swap back while replica-role writes happen; the rollback finishes: every integer is right. */
    @Test
    void replicaRoleWritesDuringRollback(TestDb db) throws Exception {
        schema(db);
        CliResult m = db.run(args("migrate"));
        assertEquals(0, m.exitCode(), m.toString());
        CliResult rb = Runs.rollbackHeldBeforeSwapBack(db, () -> {
            replicaWrites(db, "(SELECT uuid FROM users WHERE id = N)");
        });
        assertEquals(0, rb.exitCode(), rb.toString());
        assertEquals("integer", db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            + "WHERE attrelid = 'posts'::regclass AND attname = 'author_id'"));
        assertEquals(0, wrongIntegerRows(db), "rows written under replica role during the rollback map back to users.id");
        assertEquals(101, db.queryLong("SELECT count(*) FROM posts"));
    }

    /**
     * The application disables uuidmig's triggers (ALTER TABLE ... DISABLE TRIGGER USER) and writes: the swap refuses
     * with exit 4 naming the table and changes nothing; rerunning migrate enables the triggers again, verifies the
     * table once more (fixing the rows written meanwhile), swaps, and validate-post passes.
     */
    @Test
    void disabledTriggerStopsTheSwapAndTheRerunRepairs(TestDb db) throws Exception {
        schema(db);
        CliResult expand = db.run(args("migrate", "--phase", "expand"));
        assertEquals(0, expand.exitCode(), expand.toString());
        db.exec("ALTER TABLE posts DISABLE TRIGGER USER");
        db.exec("INSERT INTO posts (author_id, expect) VALUES (4, 4); UPDATE posts SET author_id = 8, expect = 8 WHERE id = 1");
        CliResult contract = db.run(args("migrate", "--phase", "contract", "--force"));
        assertEquals(ExitCode.INCOMPLETE, contract.exitCode(), contract.toString());
        assertTrue(contract.err().contains("posts") && contract.err().contains("zz_uuidmig_sync_author_id") && contract.err().contains("disabled"),
            contract.toString());
        assertEquals("integer", db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            + "WHERE attrelid = 'posts'::regclass AND attname = 'author_id'"), "nothing swapped");
        CliResult rerun = db.run(args("migrate"));
        assertEquals(0, rerun.exitCode(), rerun.toString());
        assertEquals(0, wrongUuidRows(db), "rows written while the trigger was disabled map to users.uuid of their user");
        CliResult post = db.run(args("validate-post"));
        assertEquals(0, post.exitCode(), post.toString());
    }

    /** The same in rollback: a disabled reverse trigger stops the swap back (exit 4); the rerun repairs and finishes. */
    @Test
    void disabledTriggerStopsTheSwapBack(TestDb db) throws Exception {
        schema(db);
        CliResult m = db.run(args("migrate"));
        assertEquals(0, m.exitCode(), m.toString());
        CliResult rb = Runs.rollbackHeldBeforeSwapBack(db, () -> {
            db.exec("ALTER TABLE posts DISABLE TRIGGER USER");
            db.exec("INSERT INTO posts (author_id, expect) SELECT uuid, 4 FROM users WHERE id = 4");
        });
        assertEquals(ExitCode.INCOMPLETE, rb.exitCode(), rb.toString());
        assertTrue(rb.err().contains("posts") && rb.err().contains("zz_uuidmig_sync_author_id"), rb.toString());
        assertEquals("uuid", db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            + "WHERE attrelid = 'posts'::regclass AND attname = 'author_id'"), "nothing swapped back");
        CliResult rerun = db.run("rollback");
        assertEquals(0, rerun.exitCode(), rerun.toString());
        assertEquals(0, wrongIntegerRows(db));
    }

    /**
     * What an older uuidmig left after expand: triggers that fire only in ORIGIN mode, and a sync trigger calling the
     * function under its old name (sync_<table>_<column>). A rerun of expand makes every trigger ALWAYS and points the
     * sync trigger at its own function; replica-role writes are then synced; clean-up drops the old function too.
     */
    @Test
    void anOlderRunsTriggersAreMadeAlwaysOnRerun(TestDb db) throws Exception {
        schema(db);
        CliResult expand = db.run(args("migrate", "--phase", "expand"));
        assertEquals(0, expand.exitCode(), expand.toString());
        String fn = db.queryString("SELECT p.proname FROM pg_trigger g JOIN pg_proc p ON p.oid = g.tgfoid "
            + "WHERE g.tgrelid = 'posts'::regclass AND g.tgname = 'zz_uuidmig_sync_author_id'");
        db.exec("ALTER FUNCTION uuidmig." + fn + "() RENAME TO sync_posts_author_id; "
            + "ALTER TABLE posts ENABLE TRIGGER zz_uuidmig_sync_author_id, ENABLE TRIGGER zz_uuidmig_ledger_ins, "
            + "ENABLE TRIGGER zz_uuidmig_ledger_del");
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'posts'::regclass AND tgenabled = 'A' "
            + "AND tgname LIKE 'zz\\_uuidmig\\_%'"));

        CliResult rerun = db.run(args("migrate", "--phase", "expand"));
        assertEquals(0, rerun.exitCode(), rerun.toString());
        assertEquals(3, db.queryLong("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'posts'::regclass AND tgenabled = 'A' "
            + "AND tgname LIKE 'zz\\_uuidmig\\_%'"), "every uuidmig trigger fires ALWAYS after the rerun");
        assertEquals(fn, db.queryString("SELECT p.proname FROM pg_trigger g JOIN pg_proc p ON p.oid = g.tgfoid "
            + "WHERE g.tgrelid = 'posts'::regclass AND g.tgname = 'zz_uuidmig_sync_author_id'"));
        replicaWrites(db, "N");
        CliResult contract = db.run(args("migrate", "--phase", "contract", "--force"));
        assertEquals(0, contract.exitCode(), contract.toString());
        assertEquals(0, wrongUuidRows(db));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'uuidmig'"));
        CliResult post = db.run(args("validate-post"));
        assertEquals(0, post.exitCode(), post.toString());
    }
}
