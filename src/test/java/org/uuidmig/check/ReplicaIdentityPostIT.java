package org.uuidmig.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.ExitCode;
import org.uuidmig.steps.ReplicaIdentityIT;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.testing.TestDb;

/**
 * validate-post, and the psql script, fail when an index that was the table's REPLICA IDENTITY before the
 * migration is no longer its replica identity afterwards (UPDATE and DELETE on a published table then fail).
 */
@ExtendWith(PostgresExtension.class)
class ReplicaIdentityPostIT {
    @Test
    void lostReplicaIdentityFailsValidatePostAndTheScript(TestDb db) throws Exception {
        ReplicaIdentityIT.schema(db);
        try {
            CliResult m = db.run(ReplicaIdentityIT.args("migrate"));
            assertEquals(0, m.exitCode(), m.toString());
            db.exec("ALTER TABLE team_members REPLICA IDENTITY DEFAULT; ALTER TABLE role_grants REPLICA IDENTITY FULL");
            CliResult post = db.run(ReplicaIdentityIT.args("validate-post"));
            assertEquals(ExitCode.CHECKS_FAILED, post.exitCode(), post.toString());
            assertTrue(post.out().contains("ux_team_members_team_user on team_members is no longer the table's replica identity")
                && post.out().contains("now REPLICA IDENTITY DEFAULT"), post.toString());
            assertTrue(post.out().contains("uq_role_grants_user_role on role_grants is no longer the table's replica identity")
                && post.out().contains("now REPLICA IDENTITY FULL"), post.toString());

            Map<String, PostValidationScriptIT.Row> rows = PostValidationScriptIT.runScript(db);
            assertEquals("FAIL", rows.get("indexes_recreated").status(), rows.toString());
            assertEquals(1, rows.get("indexes_recreated").count(), rows.toString());
            assertTrue(rows.get("indexes_recreated").detail().contains("ux_team_members_team_user"), rows.toString());
            assertEquals("FAIL", rows.get("unique_constraints_preserved").status(), rows.toString());
            assertTrue(rows.get("unique_constraints_preserved").detail().contains("uq_role_grants_user_role"), rows.toString());

            db.exec("ALTER TABLE team_members REPLICA IDENTITY USING INDEX ux_team_members_team_user; "
                + "ALTER TABLE role_grants REPLICA IDENTITY USING INDEX uq_role_grants_user_role");
            CliResult again = db.run(ReplicaIdentityIT.args("validate-post"));
            assertEquals(0, again.exitCode(), again.toString());
            rows = PostValidationScriptIT.runScript(db);
            assertTrue(rows.values().stream().allMatch(r -> r.status().equals("PASS")), rows.toString());
        } finally {
            db.exec("DROP PUBLICATION IF EXISTS uuidmig_test_pub");
        }
    }
}
