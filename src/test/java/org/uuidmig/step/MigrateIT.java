package org.uuidmig.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/** migrate on the servicecatalog fixture: catalog and data afterwards, as issue 4 lists them. */
@ExtendWith(PostgresExtension.class)
class MigrateIT {

    @Test
    void migratesTheFixtureAndValidatePostPasses(TestDb db) throws Exception {
        db.loadFixture(2);
        db.exec("CREATE TABLE mapping AS SELECT 'chat_messages' t, m.id::text k, u.uuid FROM chat_messages m LEFT JOIN users u ON u.id = m.sender_id");
        CliResult r = db.run("migrate");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("migration complete"), r.out());

        for (String col : List.of("chat_messages.sender_id", "message_read_states.user_id", "chat_read_monitors.user_id",
            "user_sessions.user_id", "service_requests.requester_id", "user_roles.user_id", "user_request_assigns.user_id",
            "region_user_assigns.user_id", "service_request_notes.created_by")) {
            String[] tc = col.split("\\.");
            assertEquals("uuid", db.queryString("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = ?::regclass AND attname = ?",
                tc[0], tc[1]), col);
        }
        assertEquals(0, db.queryLong("SELECT count(*) FROM mapping m JOIN chat_messages c ON c.id::text = m.k WHERE c.sender_id IS DISTINCT FROM m.uuid"));
        assertEquals("ed06a1b6d932", db.queryString("SELECT version_num FROM alembic_version"));

        CliResult post = db.run("validate-post");
        assertEquals(0, post.exitCode(), post.toString());

        CliResult again = db.run("migrate");
        assertEquals(0, again.exitCode(), again.toString());
        assertTrue(again.out().contains("Already migrated"), again.out());
    }
}
