package org.uuidmig.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.Runs;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.testing.TestDb;

/**
 * Columns {@code a_b.c} and {@code a.b_c} used to get the same sync function name ({@code sync_a_b_c}): the second
 * replaced the first, every write to a_b failed from expand on, and the swap failed on every rerun. Each column now
 * gets its own function; both tables migrate and roll back with writes in between, every row right.
 */
@ExtendWith(PostgresExtension.class)
class NameCollisionIT {
    static final String[] PLAN = {"--column", "a_b.c", "--column", "a.b_c"};

    static String[] args(String command, String... more) {
        return Runs.withPlan(PLAN, command, more);
    }

    static long wrongRows(TestDb db, String table, String column, boolean uuid) throws Exception {
        return db.queryLong(uuid
            ? "SELECT count(*) FROM " + table + " x LEFT JOIN users u ON u.id = x.expect WHERE x." + column + " IS DISTINCT FROM u.uuid"
            : "SELECT count(*) FROM " + table + " x WHERE x." + column + " IS DISTINCT FROM x.expect");
    }

    @Test
    void sameGeneratedNameForTwoColumnsMigratesAndRollsBack(TestDb db) throws Exception {
        db.exec("""
            CREATE TABLE users (id serial PRIMARY KEY, uuid uuid NOT NULL UNIQUE);
            INSERT INTO users (uuid) SELECT md5('u' || i)::uuid FROM generate_series(1, 20) i;
            CREATE TABLE a_b (id serial PRIMARY KEY, c integer REFERENCES users (id), expect integer);
            CREATE TABLE a (id serial PRIMARY KEY, b_c integer REFERENCES users (id), expect integer);
            INSERT INTO a_b (c, expect) SELECT 1 + i % 20, 1 + i % 20 FROM generate_series(1, 50) i;
            INSERT INTO a (b_c, expect) SELECT 1 + (i * 7) % 20, 1 + (i * 7) % 20 FROM generate_series(1, 50) i;
            """);
        CliResult expand = db.run(args("migrate", "--phase", "expand"));
        assertEquals(0, expand.exitCode(), expand.toString());
        db.exec("INSERT INTO a_b (c, expect) VALUES (5, 5); UPDATE a_b SET c = 6, expect = 6 WHERE id = 1");
        db.exec("INSERT INTO a (b_c, expect) VALUES (11, 11); UPDATE a SET b_c = 12, expect = 12 WHERE id = 1");
        CliResult contract = db.run(args("migrate", "--phase", "contract", "--force"));
        assertEquals(0, contract.exitCode(), contract.toString());
        assertEquals(0, wrongRows(db, "a_b", "c", true));
        assertEquals(0, wrongRows(db, "a", "b_c", true));
        CliResult post = db.run(args("validate-post"));
        assertEquals(0, post.exitCode(), post.toString());

        CliResult rb = Runs.rollbackHeldBeforeSwapBack(db, () -> {
            db.exec("INSERT INTO a_b (c, expect) SELECT uuid, 13 FROM users WHERE id = 13; "
                + "UPDATE a_b SET c = (SELECT uuid FROM users WHERE id = 14), expect = 14 WHERE id = 2");
            db.exec("INSERT INTO a (b_c, expect) SELECT uuid, 15 FROM users WHERE id = 15; "
                + "UPDATE a SET b_c = (SELECT uuid FROM users WHERE id = 16), expect = 16 WHERE id = 2");
        });
        assertEquals(0, rb.exitCode(), rb.toString());
        assertEquals(0, wrongRows(db, "a_b", "c", false));
        assertEquals(0, wrongRows(db, "a", "b_c", false));
        assertEquals(52, db.queryLong("SELECT count(*) FROM a_b"));
        assertEquals(52, db.queryLong("SELECT count(*) FROM a"));
    }
}
