package org.uuidmig.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.uuidmig.plan.UsersTable;

/** The JSON the state keeps is read by later runs (resume) and by scripts/post_migration_validation.sql: its keys stay. */
class StateJsonTest {
    @Test
    void usersTableKeepsItsRecordedKeys() throws Exception {
        UsersTable u = new UsersTable(42, "public", "users", "id", "integer", "uuid", "uuid", true, "users_uuid_key", 7);
        var tree = StateStore.JSON.readTree(StateStore.toJson(u));
        assertEquals("id", tree.get("oldKey").asText());
        assertEquals("integer", tree.get("oldKeyType").asText());
        assertEquals("uuid", tree.get("newKey").asText());
        assertEquals("uuid", tree.get("newKeyType").asText());
        assertEquals(true, tree.get("newKeyNotNull").asBoolean());
        assertEquals("users_uuid_key", tree.get("newKeyUniqueIndex").asText());
        // what an older uuidmig wrote reads back the same
        String older = "{\"oid\":42,\"schema\":\"public\",\"name\":\"users\",\"oldKey\":\"id\",\"oldKeyType\":\"integer\","
            + "\"newKey\":\"uuid\",\"newKeyType\":\"uuid\",\"newKeyNotNull\":true,\"newKeyUniqueIndex\":\"users_uuid_key\",\"estimatedRows\":7}";
        assertEquals(u, StateStore.fromJson(older, UsersTable.class));
    }
}
