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
 * Issue 12, data items 2-4: the proof covers every row as it is when the swap commits, whatever wrote it after the
 * verification. Each case writes between verify and the swap, in migrate (--phase expand, writes, --phase contract)
 * and in rollback (held before its swap back): an application BEFORE trigger that changes the user column and whose
 * name sorts after uuidmig's sync trigger; a DEFERRABLE INITIALLY DEFERRED foreign key with the row inserted before
 * its user (nullable and NOT NULL columns); an integer with no user written under session_replication_role = replica,
 * which must stop the swap with exit 4 naming the row. Each table keeps, beside the user column, the user it must end
 * up pointing at ({@code expect}, not planned), so a wrong row is counted, not guessed.
 */
@ExtendWith(PostgresExtension.class)
class MappingAtSwapIT {
    static final String[] PLAN = {"--column", "posts.author_id", "--column", "notes.author_id"};

    /**
     * users 1..20; posts (nullable author_id) and notes (NOT NULL author_id), both with a DEFERRABLE INITIALLY DEFERRED FK;
     * a moderation trigger on posts, named to fire after uuidmig's sync trigger, that moves every row whose body is
     * 'spam' to user 1 (on the integer, or on the uuid once the column is uuid).
     */
    static void schema(TestDb db) throws Exception {
        db.exec("""
            CREATE TABLE users (id integer PRIMARY KEY, uuid uuid NOT NULL UNIQUE);
            INSERT INTO users SELECT i, md5('u' || i)::uuid FROM generate_series(1, 20) i;
            CREATE TABLE posts (id serial PRIMARY KEY, body text NOT NULL DEFAULT 'ok', expect integer,
                author_id integer REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED);
            INSERT INTO posts (author_id, expect)
                SELECT CASE WHEN i % 5 = 0 THEN NULL ELSE 1 + i % 20 END, CASE WHEN i % 5 = 0 THEN NULL ELSE 1 + i % 20 END
                  FROM generate_series(1, 100) i;
            CREATE TABLE notes (id serial PRIMARY KEY, expect integer NOT NULL,
                author_id integer NOT NULL REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED);
            INSERT INTO notes (author_id, expect) SELECT 1 + i % 20, 1 + i % 20 FROM generate_series(1, 100) i;
            CREATE FUNCTION moderate() RETURNS trigger LANGUAGE plpgsql SET search_path = public AS $$
            BEGIN
                IF NEW.body = 'spam' THEN
                    IF pg_typeof(NEW.author_id) = 'uuid'::regtype THEN
                        NEW.author_id := (SELECT uuid FROM users WHERE id = 1);
                    ELSE
                        NEW.author_id := 1;
                    END IF;
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER zzzz_moderate BEFORE INSERT OR UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION moderate();
            """);
    }

    static String[] args(String command, String... more) {
        return Runs.withPlan(PLAN, command, more);
    }

    /** Rows of the table whose uuid is not users.uuid of the user they must point at (NULL-ness included). */
    static long wrongUuidRows(TestDb db, String table) throws Exception {
        return db.queryLong("SELECT count(*) FROM " + table + " p LEFT JOIN users u ON u.id = p.expect"
            + " WHERE (p.expect IS NULL) <> (p.author_id IS NULL) OR p.author_id IS DISTINCT FROM u.uuid");
    }

    static long wrongIntegerRows(TestDb db, String table) throws Exception {
        return db.queryLong("SELECT count(*) FROM " + table + " WHERE author_id IS DISTINCT FROM expect");
    }

    static String typeOf(TestDb db, String table) throws Exception {
        return db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '" + table
            + "'::regclass AND attname = 'author_id'");
    }

    /**
     * The application's writes between verify and the swap. {@code uuids}: the column holds uuids now (a rollback). Spam rows are moved to user 1 by the moderation trigger, which
     * fires after the sync trigger; users 21 and 22 are inserted after the rows that point at them, in one transaction.
     */
    static void applicationWrites(TestDb db, boolean uuids, int newUser) throws Exception {
        java.util.function.IntFunction<String> user = id -> uuids ? "(SELECT uuid FROM users WHERE id = " + id + ")" : Integer.toString(id);
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO posts (author_id, body, expect) VALUES (" + user.apply(7) + ", 'spam', 1)");
            st.execute("UPDATE posts SET body = 'spam', expect = 1 WHERE id = 4");            // author changed by the trigger only
            st.execute("UPDATE posts SET author_id = " + user.apply(9) + ", body = 'spam', expect = 1 WHERE id = 6");
            st.execute("UPDATE posts SET body = 'spam', expect = 1 WHERE id = 10");           // was NULL
            c.setAutoCommit(false);
            String uuid = "md5('u" + newUser + "')::uuid";
            String newRef = uuids ? uuid : Integer.toString(newUser);
            st.execute("INSERT INTO posts (author_id, expect) VALUES (" + newRef + ", " + newUser + ")");
            st.execute("INSERT INTO notes (author_id, expect) VALUES (" + newRef + ", " + newUser + ")");
            st.execute("UPDATE notes SET author_id = " + newRef + ", expect = " + newUser + " WHERE id = 3");
            st.execute("INSERT INTO users VALUES (" + newUser + ", " + uuid + ")");
            c.commit();
        }
    }

    @Test
    void writesAfterVerifyMapRightInMigrate(TestDb db) throws Exception {
        schema(db);
        CliResult expand = db.run(args("migrate", "--phase", "expand"));
        assertEquals(0, expand.exitCode(), expand.toString());
        applicationWrites(db, false, 21);
        assertEquals(0, wrongIntegerRows(db, "posts"), "the integers are as the application meant them");
        CliResult contract = db.run(args("migrate", "--phase", "contract", "--force"));
        assertEquals(0, contract.exitCode(), contract.toString());
        assertEquals("uuid", typeOf(db, "posts"));
        assertEquals(0, wrongUuidRows(db, "posts"), "moderated and deferred rows of posts map to their final user");
        assertEquals(0, wrongUuidRows(db, "notes"), "rows of notes inserted before their user map to it");
        assertEquals(102, db.queryLong("SELECT count(*) FROM posts"));
        CliResult post = db.run(args("validate-post"));
        assertEquals(0, post.exitCode(), post.toString());
        assertTrue(post.out().contains("re-checked"), post.toString());
    }

    @Test
    void writesBeforeTheSwapBackMapRightInRollback(TestDb db) throws Exception {
        schema(db);
        CliResult m = db.run(args("migrate"));
        assertEquals(0, m.exitCode(), m.toString());
        CliResult rb = Runs.rollbackHeldBeforeSwapBack(db, () -> {
            applicationWrites(db, true, 22);
            assertEquals(0, wrongUuidRows(db, "posts"), "the uuids are as the application meant them");
        });
        assertEquals(0, rb.exitCode(), rb.toString());
        assertEquals("integer", typeOf(db, "posts"));
        assertEquals(0, wrongIntegerRows(db, "posts"), "moderated and deferred rows of posts map back to their final user");
        assertEquals(0, wrongIntegerRows(db, "notes"), "rows of notes inserted before their user map back to it");
    }

    /**
     * An integer with no user, written under replica role (no FK check) after verify: the swap refuses with exit 4
     * naming the row and changes nothing; once the row is given a user, the rerun swaps and every row is right.
     */
    @Test
    void anIntegerWithNoUserStopsTheSwapNamingTheRow(TestDb db) throws Exception {
        schema(db);
        CliResult expand = db.run(args("migrate", "--phase", "expand"));
        assertEquals(0, expand.exitCode(), expand.toString());
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("SET session_replication_role = replica");
            st.execute("INSERT INTO notes (author_id, expect) VALUES (999, 5)");
        }
        CliResult contract = db.run(args("migrate", "--phase", "contract", "--force"));
        assertEquals(ExitCode.INCOMPLETE, contract.exitCode(), contract.toString());
        assertTrue(contract.err().contains("notes.author_id at ctid") && contract.err().contains("author_id = 999"), contract.toString());
        assertEquals("integer", typeOf(db, "notes"), "nothing swapped");
        assertEquals("integer", typeOf(db, "posts"), "nothing swapped");
        db.exec("UPDATE notes SET author_id = 5 WHERE author_id = 999");
        CliResult rerun = db.run(args("migrate", "--phase", "contract", "--force"));
        assertEquals(0, rerun.exitCode(), rerun.toString());
        assertEquals(0, wrongUuidRows(db, "notes"));
        assertEquals(0, wrongUuidRows(db, "posts"));
        CliResult post = db.run(args("validate-post"));
        assertEquals(0, post.exitCode(), post.toString());
    }

}
