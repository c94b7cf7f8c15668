package org.uuidmig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.ExitCode;
import org.uuidmig.testing.ClosedPort;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.PostgresServer;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/** Connection failures give one clear line naming host, port and database, exit 2, and no stack trace. */
@ExtendWith(PostgresExtension.class)
class ConnectionErrorIT {

    private static void assertOneLine(CliResult r, String... fragments) {
        assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), r.toString());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), r.toString());
        assertFalse(err.contains("\tat "), r.toString());
        for (String f : fragments) {
            assertTrue(err.contains(f), "expected '" + f + "' in: " + err);
        }
    }

    @Test
    void unreachableHost() throws Exception {
        try (ClosedPort closed = new ClosedPort()) {
            int port = closed.port();
            CliResult r = CliResult.run("validate-pre", "--url", "jdbc:postgresql://127.0.0.1:" + port + "/nodb?user=postgres");
            assertOneLine(r, "127.0.0.1:" + port, "\"nodb\"", "unreachable");
        }
    }

    @Test
    void missingDatabase(TestDb db) {
        PostgresServer s = db.server();
        CliResult r = CliResult.run("validate-pre", "--url", s.urlFor("no_such_database_here"));
        assertOneLine(r, "database \"no_such_database_here\" does not exist", s.host() + ":" + s.port());
    }

    @Test
    void verboseAddsTheStackTrace() throws Exception {
        try (ClosedPort closed = new ClosedPort()) {
            CliResult r = CliResult.run("--verbose", "validate-pre", "--url", "jdbc:postgresql://127.0.0.1:" + closed.port() + "/x?user=postgres");
            assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode());
            assertTrue(r.err().contains("\tat "), r.toString());
        }
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(ExitCode.USAGE_OR_CONNECTION, CliResult.run("migrate", "--batch-size", "many").exitCode());
        assertEquals(ExitCode.USAGE_OR_CONNECTION, CliResult.run("no-such-command").exitCode());
        CliResult help = CliResult.run("--help");
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("validate-pre") && help.out().contains("migrate") && help.out().contains("validate-post")
            && help.out().contains("Exit codes"), help.out());
        CliResult version = CliResult.run("--version");
        assertTrue(version.out().startsWith("uuidmig "), version.out());
    }
}
