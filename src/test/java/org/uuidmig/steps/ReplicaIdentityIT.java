package org.uuidmig.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.testing.TestDb;

/**
 * {@code REPLICA IDENTITY USING INDEX} on an index that contains the user column, on published tables: the swap
 * drops that index with the integer column; the identity is carried over to the index copy that takes its name, in
 * migrate and in rollback, so the application's UPDATE keeps working. (validate-post fails when it is lost:
 * {@code ReplicaIdentityPostIT}.)
 */
@ExtendWith(PostgresExtension.class)
public class ReplicaIdentityIT {
    public static final String[] PLAN = {"--column", "role_grants.user_id", "--column", "team_members.user_id"};

    public static String[] args(String command) {
        String[] out = new String[1 + PLAN.length];
        out[0] = command;
        System.arraycopy(PLAN, 0, out, 1, PLAN.length);
        return out;
    }

    public static void schema(TestDb db) throws Exception {
        db.exec("""
            CREATE TABLE users (id serial PRIMARY KEY, uuid uuid NOT NULL UNIQUE);
            INSERT INTO users (uuid) SELECT md5('u' || i)::uuid FROM generate_series(1, 20) i;
            CREATE TABLE role_grants (user_id integer NOT NULL REFERENCES users (id), role text NOT NULL, note text,
                CONSTRAINT uq_role_grants_user_role UNIQUE (user_id, role));
            ALTER TABLE role_grants REPLICA IDENTITY USING INDEX uq_role_grants_user_role;
            CREATE TABLE team_members (id serial PRIMARY KEY, team text NOT NULL, user_id integer NOT NULL REFERENCES users (id), note text);
            CREATE UNIQUE INDEX ux_team_members_team_user ON team_members (team, user_id);
            ALTER TABLE team_members REPLICA IDENTITY USING INDEX ux_team_members_team_user;
            INSERT INTO role_grants (user_id, role) SELECT 1 + i % 20, 'r' || i FROM generate_series(1, 60) i;
            INSERT INTO team_members (team, user_id) SELECT 't' || i, 1 + i % 20 FROM generate_series(1, 60) i;
            CREATE PUBLICATION uuidmig_test_pub FOR TABLE role_grants, team_members;
            """);
    }

    /** relreplident and the name of the index that is the replica identity. */
    static String identity(TestDb db, String table) throws Exception {
        return db.queryString("SELECT c.relreplident::text || ' ' || coalesce((SELECT ic.relname FROM pg_index i "
            + "JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid AND i.indisreplident), '-') "
            + "FROM pg_class c WHERE c.oid = ?::regclass", table);
    }

    static void assertIdentityAndUpdates(TestDb db, String how) throws Exception {
        assertEquals("i uq_role_grants_user_role", identity(db, "role_grants"), how);
        assertEquals("i ux_team_members_team_user", identity(db, "team_members"), how);
        db.exec("UPDATE role_grants SET note = 'updated' WHERE role = 'r1'");
        db.exec("UPDATE team_members SET note = 'updated' WHERE team = 't1'");
    }

    @Test
    void replicaIdentityIndexIsCarriedOverInMigrateAndRollback(TestDb db) throws Exception {
        schema(db);
        try {
            CliResult m = db.run(args("migrate"));
            assertEquals(0, m.exitCode(), m.toString());
            assertEquals("uuid", db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                + "WHERE attrelid = 'team_members'::regclass AND attname = 'user_id'"));
            assertIdentityAndUpdates(db, "after migrate");
            CliResult post = db.run(args("validate-post"));
            assertEquals(0, post.exitCode(), post.toString());

            CliResult rb = db.run("rollback");
            assertEquals(0, rb.exitCode(), rb.toString());
            assertEquals("integer", db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                + "WHERE attrelid = 'team_members'::regclass AND attname = 'user_id'"));
            assertIdentityAndUpdates(db, "after rollback");
        } finally {
            db.exec("DROP PUBLICATION IF EXISTS uuidmig_test_pub");
        }
    }
}
