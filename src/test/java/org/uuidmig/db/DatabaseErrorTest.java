package org.uuidmig.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.config.ConnectionSettings;

/**
 * The wording of connection failures the local trust-auth server cannot produce (a wrong
 * password): the SQLSTATE the driver reports maps to one line naming host, port, database, user.
 */
class DatabaseErrorTest {
    private final ConnectionSettings withPw = new ConnectionSettings("db1", 5433, "catalog", "app", "pw", null, "public", "PGPASSWORD");
    private final ConnectionSettings noPw = new ConnectionSettings("db1", 5433, "catalog", "app", null, null, "public", null);

    @Test
    void wrongPassword() {
        UuidmigException e = Database.connectionError(withPw, new SQLException("FATAL: password authentication failed", "28P01"));
        assertEquals(ExitCode.USAGE_OR_CONNECTION, e.exitCode());
        assertEquals("cannot connect to PostgreSQL at db1:5433, database \"catalog\", user \"app\": "
            + "password authentication failed (password from PGPASSWORD)", e.getMessage());
        assertTrue(Database.connectionError(noPw, new SQLException("x", "28P01")).getMessage()
            .contains("no password was given: use --password, PGPASSWORD, or ~/.pgpass or PGPASSFILE readable only by you"));
        // pgjdbc's words (SQLSTATE 08004) when the server asks for a password and it has none: not "unreachable"
        String m = Database.connectionError(noPw, new SQLException(
            "The server requested SCRAM-based authentication, but no password was provided.", "08004")).getMessage();
        assertTrue(m.endsWith("password authentication failed (no password was given: use --password, PGPASSWORD, "
            + "or ~/.pgpass or PGPASSFILE readable only by you, chmod 0600)"), m);
    }

    @Test
    void missingDatabaseAndUnreachable() {
        assertTrue(Database.connectionError(withPw, new SQLException("x", "3D000")).getMessage()
            .endsWith("database \"catalog\" does not exist"));
        SQLException refused = new SQLException("Connection to db1:5433 refused", "08001", new java.net.ConnectException("Connection refused"));
        assertTrue(Database.connectionError(withPw, refused).getMessage().endsWith("server unreachable (Connection refused)"));
    }
}
