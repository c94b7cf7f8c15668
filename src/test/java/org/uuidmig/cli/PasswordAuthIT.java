package org.uuidmig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.uuidmig.ExitCode;
import org.uuidmig.localpg.LocalPostgres;
import org.uuidmig.testing.PostgresServer;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * Passwords, libpq's way, against a server that demands one: a {@link LocalPostgres} of this class's
 * own whose pg_hba.conf asks every role but the superuser for a scram-sha-256 password (the shared
 * test server trusts loopback, so it cannot tell whether a password was sent). A wrong or missing
 * password is exit 2 saying "password authentication failed"; a password file readable by group or
 * others is not used at all (neither by uuidmig nor by the JDBC driver); a 0600 one is.
 */
class PasswordAuthIT {
    private static final String ROLE = "pw_user";
    private static final String PASSWORD = "Corr3ct-horse";

    private static LocalPostgres pg;
    private static TestDb db;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServerThatDemandsPasswords() throws Exception {
        pg = LocalPostgres.start(LocalPostgres.DEFAULT_VERSION, msg -> { });
        db = PostgresServer.of(pg.jdbcUrl("postgres"), "local PostgreSQL " + pg.version() + " on port " + pg.port())
            .createDatabase("app").loadFixture(1);
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres")); Statement st = c.createStatement()) {
            st.execute("SET password_encryption = 'scram-sha-256'");
            st.execute("CREATE ROLE " + ROLE + " LOGIN SUPERUSER PASSWORD '" + PASSWORD + "'");
            // truncating the existing file keeps its owner (the server user)
            Files.writeString(pg.dataDir().resolve("pg_hba.conf"), String.join("\n",
                "local all all trust",
                "host all " + LocalPostgres.SUPERUSER + " 127.0.0.1/32 trust",
                "host all all 127.0.0.1/32 scram-sha-256", ""));
            st.execute("SELECT pg_reload_conf()");
        }
        // the reload is asynchronous: wait until the server answers with the new rules
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try (Connection c = DriverManager.getConnection(url(), ROLE, "wrong")) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the server still lets " + ROLE + " in with a wrong password after pg_reload_conf()");
                }
            } catch (java.sql.SQLException expected) {
                if ("28P01".equals(expected.getSQLState())) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw expected;
                }
            }
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void stopServer() {
        if (pg != null) {
            pg.close();
        }
    }

    /** The application database, as ROLE, with no password in the URL. */
    private static String url() {
        return "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + db.name() + "?user=" + ROLE;
    }

    /** uuidmig validate-pre in its own JVM with PGPASSFILE set and PGPASSWORD unset. */
    private Subprocess.Result validatePre(Path passFile) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("PGPASSWORD", null);
        env.put("PGPASSFILE", passFile.toString());
        env.put("HOME", dir.toString());
        return Subprocess.run(env, List.of(), "validate-pre", "--url", url());
    }

    private Path passFile(String permissions) throws Exception {
        Path f = dir.resolve("pgpass-" + permissions);
        Files.writeString(f, pg.host() + ":" + pg.port() + ":*:" + ROLE + ":" + PASSWORD + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(permissions));
        return f;
    }

    @Test
    void wrongPasswordSaysSo() {
        CliResult r = CliResult.run("validate-pre", "--url", url(), "--password", "not-the-password");
        assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), r.toString());
        assertTrue(r.err().contains("password authentication failed") && r.err().contains("password from --password"), r.toString());
        assertFalse(r.err().contains("unreachable"), r.toString());
    }

    @Test
    void missingPasswordIsAnAuthenticationFailureNotAnUnreachableServer() throws Exception {
        Subprocess.Result r = validatePre(dir.resolve("no-such-file"));
        assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), r.output());
        assertTrue(r.output().contains("password authentication failed") && r.output().contains("no password was given"), r.output());
        assertFalse(r.output().contains("unreachable"), r.output());
    }

    @Test
    void privatePasswordFileIsUsed() throws Exception {
        Subprocess.Result r = validatePre(passFile("rw-------"));
        assertEquals(ExitCode.OK, r.exitCode(), r.output());
        assertTrue(r.output().contains("passed"), r.output());
    }

    /** libpq ignores a password file others can read; so must uuidmig, and the driver must not read it behind its back. */
    @Test
    void worldReadablePasswordFileIsIgnoredEntirely() throws Exception {
        Path f = passFile("rw-r--r--");
        Subprocess.Result r = validatePre(f);
        assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), r.output());
        assertTrue(r.output().contains("password file " + f + " has group or world access; ignoring it"), r.output());
        assertTrue(r.output().contains("password authentication failed") && r.output().contains("no password was given"), r.output());
    }

    /** An '@' in the password of a postgresql:// URI must be percent-encoded; unencoded it is exit 2, not a connection elsewhere. */
    @Test
    void unencodedAtInUriPasswordIsRefused() {
        String bad = "postgresql://" + ROLE + ":p@ss@" + pg.host() + ":" + pg.port() + "/" + db.name();
        CliResult r = CliResult.run("validate-pre", "--url", bad);
        assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), r.toString());
        assertTrue(r.err().contains("%40"), r.toString());
        assertFalse(r.err().contains("p@ss"), "the password must not be printed: " + r);

        String good = "postgresql://" + ROLE + ":" + PASSWORD.replace("-", "%2D") + "@" + pg.host() + ":" + pg.port() + "/" + db.name();
        CliResult ok = CliResult.run("validate-pre", "--url", good);
        assertEquals(ExitCode.OK, ok.exitCode(), ok.toString());
    }
}
