package org.uuidmig.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;

/**
 * Connection settings resolve like libpq: option, then the connection string (--url or -d), then the service,
 * then PG* variables, then ~/.pgpass, then defaults.
 */
class ConnectionResolverTest {
    @TempDir
    Path home;

    private final Map<String, String> env = new HashMap<>();
    private final List<String> warnings = new ArrayList<>();

    private ConnectionSettings resolve(String url, String user, String password) {
        return new ConnectionResolver(env, home, "osuser", warnings::add).resolve(url, user, password, null);
    }

    @Test
    void defaultsFollowLibpq() {
        ConnectionSettings s = resolve(null, null, null);
        assertEquals("localhost", s.host());
        assertEquals(5432, s.port());
        assertEquals("osuser", s.user());
        assertEquals("osuser", s.database());
        assertEquals("public", s.schema());
        assertNull(s.password());
    }

    /** demo's maintenance database: "postgres" unless the URL or PGDATABASE names one. */
    @Test
    void defaultDatabaseAppliesOnlyWhenNoneIsNamed() {
        var r = new ConnectionResolver(env, home, "osuser", warnings::add);
        assertEquals("postgres", r.resolve(null, null, null, null, "postgres").database());
        assertEquals("postgres", r.resolve("jdbc:postgresql://h:5433/", null, null, null, "postgres").database());
        assertEquals("maint", r.resolve("jdbc:postgresql://h:5433/maint", null, null, null, "postgres").database());
        assertEquals("maint", r.resolve("postgresql://u@h/maint", null, null, null, "postgres").database());
        env.put("PGDATABASE", "fromenv");
        assertEquals("fromenv", r.resolve(null, null, null, null, "postgres").database());
    }

    @Test
    void pgVariablesAreUsed() {
        env.put("PGHOST", "db.example");
        env.put("PGPORT", "6543");
        env.put("PGDATABASE", "servicecatalog");
        env.put("PGUSER", "app");
        env.put("PGPASSWORD", "secret");
        env.put("PGSSLMODE", "require");
        ConnectionSettings s = resolve(null, null, null);
        assertEquals("db.example", s.host());
        assertEquals(6543, s.port());
        assertEquals("servicecatalog", s.database());
        assertEquals("app", s.user());
        assertEquals("secret", s.password());
        assertEquals("PGPASSWORD", s.passwordSource());
        assertEquals("require", s.sslMode());
    }

    @Test
    void jdbcUrlBeatsVariablesAndOptionBeatsUrl() {
        env.put("PGUSER", "fromenv");
        env.put("PGPASSWORD", "envpw");
        ConnectionSettings s = resolve("jdbc:postgresql://h1:5999/catalog?user=urluser&password=urlpw", "optuser", null);
        assertEquals("h1", s.host());
        assertEquals(5999, s.port());
        assertEquals("catalog", s.database());
        assertEquals("optuser", s.user());
        assertEquals("urlpw", s.password());
        assertEquals("--url", s.passwordSource());
        assertEquals("cli", resolve("jdbc:postgresql://h1/catalog", null, "cli").password());
    }

    @Test
    void libpqUriIsAccepted() {
        ConnectionSettings s = resolve("postgresql://alice:p%40ss@[::1]:5433/my%20db?sslmode=verify-full", null, null);
        assertEquals("::1", s.host());
        assertEquals(5433, s.port());
        assertEquals("my db", s.database());
        assertEquals("alice", s.user());
        assertEquals("p@ss", s.password());
        assertEquals("verify-full", s.sslMode());
        assertEquals("jdbc:postgresql://[::1]:5433/my%20db", s.jdbcUrl());
    }

    @Test
    void pgpassSuppliesThePasswordWithWildcardsAndEscapes() throws IOException {
        Path pgpass = home.resolve(".pgpass");
        Files.writeString(pgpass, """
            # comment
            otherhost:5432:*:app:wrong
            localhost:5432:*:app:pa\\:ss\\\\word
            *:*:*:*:fallback
            """);
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        env.put("PGUSER", "app");
        ConnectionSettings s = resolve(null, null, null);
        assertEquals("pa:ss\\word", s.password());
        assertEquals(pgpass.toString(), s.passwordSource());
        env.put("PGUSER", "someone");
        assertEquals("fallback", resolve(null, null, null).password());
    }

    @Test
    void pgpassFileVariableAndUnsafePermissions() throws IOException {
        Path file = home.resolve("custom-pgpass");
        Files.writeString(file, "*:*:*:*:frompassfile\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        env.put("PGPASSFILE", file.toString());
        assertNull(resolve(null, null, null).password());
        assertTrue(warnings.get(0).contains("group or world access"), warnings.toString());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertEquals("frompassfile", resolve(null, null, null).password());
    }

    @Test
    void badInputIsAUsageError() {
        UuidmigException e = assertThrows(UuidmigException.class, () -> resolve("mysql://x/y", null, null));
        assertEquals(ExitCode.USAGE_OR_CONNECTION, e.exitCode());
        env.put("PGPORT", "notaport");
        assertEquals(ExitCode.USAGE_OR_CONNECTION, assertThrows(UuidmigException.class, () -> resolve(null, null, null)).exitCode());
        env.remove("PGPORT");
        assertTrue(assertThrows(UuidmigException.class, () -> resolve("jdbc:postgresql://a,b/db", null, null))
            .getMessage().contains("several hosts"));
    }

    @Test
    void passwordNeverAppearsInDescriptions() {
        ConnectionSettings s = resolve("postgresql://bob:topsecret@h/db", null, null);
        assertTrue(!s.toString().contains("topsecret") && !s.describe().contains("topsecret"));
        assertTrue(!ConnectionResolver.redact("postgresql://bob:topsecret@h/db").contains("topsecret"));
        assertTrue(!ConnectionResolver.redact("jdbc:postgresql://h/db?password=topsecret").contains("topsecret"));
    }

    /** An unencoded '@' or '/' in a URI's password is exit 2 with a hint to percent-encode, never a connection elsewhere. */
    @Test
    void unencodedAtOrSlashInUriUserInfoIsRefused() {
        for (String url : java.util.List.of("postgresql://u:p@ss/w@db.example:5432/app", "postgresql://u:p@ss@db.example/app",
                "postgresql://u:p/ss@db.example:5432/app", "postgres://a@b:pw@db.example/app")) {
            UuidmigException e = assertThrows(UuidmigException.class, () -> resolve(url, null, null), url);
            assertEquals(ExitCode.USAGE_OR_CONNECTION, e.exitCode());
            assertTrue(e.getMessage().contains("%40") && e.getMessage().contains("%2F"), e.getMessage());
            assertTrue(!e.getMessage().contains("p@ss") && !e.getMessage().contains("p/ss") && !e.getMessage().contains("pw"),
                "password shown: " + e.getMessage());
        }
        ConnectionSettings s = resolve("postgresql://u:p%40ss%2Fw@db.example:5433/app", null, null);
        assertEquals("p@ss/w", s.password());
        assertEquals("db.example", s.host());
        assertEquals(5433, s.port());
        assertEquals("app", s.database());
        assertEquals("u", s.user());
    }

    /** The JDBC URL form keeps the password in the query string: '@' and '/' there are fine. */
    @Test
    void jdbcUrlPasswordWithAtAndSlashIsUnaffected() {
        ConnectionSettings s = resolve("jdbc:postgresql://db.example:5433/app?user=u&password=p@ss/w", null, null);
        assertEquals("p@ss/w", s.password());
        assertEquals("db.example", s.host());
        assertEquals("app", s.database());
        assertEquals("u", s.user());
    }

    /** A host name java.net.URI does not accept (db_primary) is still the host, not a silent localhost. */
    @Test
    void uriHostWithUnderscoreIsKept() {
        ConnectionSettings s = resolve("postgresql://u:pw@db_primary:5433/app", null, null);
        assertEquals("db_primary", s.host());
        assertEquals(5433, s.port());
        assertEquals("u", s.user());
        assertEquals("pw", s.password());
        assertEquals("app", s.database());
    }

    /**
     * pgjdbc's parseURL reads a password file itself (org.postgresql.pgpassfile, PGPASSFILE or
     * ~/.pgpass) when the URL has no password, whatever the file's permissions; the resolver must
     * not take that as "the password from the URL": a file others can read is ignored, as libpq does.
     */
    @Test
    void jdbcUrlDoesNotSmuggleInAPasswordFileOthersCanRead() throws IOException {
        Path file = home.resolve("shared-pgpass");
        Files.writeString(file, "*:*:*:*:leaked\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        env.put("PGPASSFILE", file.toString());
        String before = System.getProperty("org.postgresql.pgpassfile");
        System.setProperty("org.postgresql.pgpassfile", file.toString());
        try {
            ConnectionSettings s = resolve("jdbc:postgresql://db.example:5433/app?user=u", null, null);
            assertNull(s.password(), s.toString());
            assertTrue(warnings.stream().anyMatch(w -> w.contains("ignoring it")), warnings.toString());
            assertEquals("pw", resolve("jdbc:postgresql://db.example:5433/app?user=u&password=pw", null, null).password());
        } finally {
            if (before == null) {
                System.clearProperty("org.postgresql.pgpassfile");
            } else {
                System.setProperty("org.postgresql.pgpassfile", before);
            }
        }
    }

    private ConnectionSettings resolve(ConnectionResolver.Request r) {
        return new ConnectionResolver(env, home, "osuser", warnings::add).resolve(r, null);
    }

    private static ConnectionResolver.Request flags(String url, String host, String port, String dbname, String user) {
        return new ConnectionResolver.Request(url, host, port, dbname, user, null, null);
    }

    private Path serviceFile(String text) throws IOException {
        Path f = home.resolve("services.conf");
        Files.writeString(f, text);
        env.put("PGSERVICEFILE", f.toString());
        env.put("PGSYSCONFDIR", home.resolve("no-system-dir").toString());
        return f;
    }

    /** Each source in turn: -h/-p/-d/-U beat the connection string, which beats the service, which beats PG*, which beat defaults. */
    @Test
    void precedenceIsOptionThenConnectionStringThenServiceThenEnvironment() throws IOException {
        serviceFile("[svc]\nhost=svc-host\nport=6001\ndbname=svc-db\nuser=svc-user\n");
        env.put("PGHOST", "env-host");
        env.put("PGPORT", "6002");
        env.put("PGDATABASE", "env-db");
        env.put("PGUSER", "env-user");
        env.put("PGSERVICE", "svc");
        String url = "host=url-host port=6003 dbname=url-db user=url-user";

        ConnectionSettings s = resolve(flags(url, "opt-host", "6004", "opt-db", "opt-user"));
        assertEquals(List.of("opt-host", "6004", "opt-db", "opt-user"), List.of(s.host(), "" + s.port(), s.database(), s.user()));
        s = resolve(flags(url, null, null, null, null));
        assertEquals(List.of("url-host", "6003", "url-db", "url-user"), List.of(s.host(), "" + s.port(), s.database(), s.user()));
        s = resolve(flags("sslmode=disable", null, null, null, null));
        assertEquals(List.of("svc-host", "6001", "svc-db", "svc-user"), List.of(s.host(), "" + s.port(), s.database(), s.user()));
        env.remove("PGSERVICE");
        s = resolve(flags(null, null, null, null, null));
        assertEquals(List.of("env-host", "6002", "env-db", "env-user"), List.of(s.host(), "" + s.port(), s.database(), s.user()));
        // the explicit option wins over a URI too (jdbcUrlBeatsVariablesAndOptionBeatsUrl covers -U over a JDBC URL)
        s = resolve(flags("postgresql://u@url-host:6003/url-db", "opt-host", null, "opt-db", null));
        assertEquals(List.of("opt-host", "6003", "opt-db", "u"), List.of(s.host(), "" + s.port(), s.database(), s.user()));
    }

    /** As in psql, -d with a connection string in it is that string; with --url as well it is a usage error. */
    @Test
    void dashDMayHoldAConnectionString() {
        ConnectionSettings s = resolve(flags(null, null, "5999", "host=h1 dbname='app db' user=u", null));
        assertEquals(List.of("h1", "5999", "app db", "u"), List.of(s.host(), "" + s.port(), s.database(), s.user()));
        s = resolve(flags(null, null, null, "postgresql://u@h2:5433/shop", "other"));
        assertEquals(List.of("h2", "5433", "shop", "other"), List.of(s.host(), "" + s.port(), s.database(), s.user()));
        UuidmigException e = assertThrows(UuidmigException.class, () -> resolve(flags("host=a", null, null, "host=b", null)));
        assertEquals(ExitCode.USAGE_OR_CONNECTION, e.exitCode());
        assertTrue(e.getMessage().contains("-d/--dbname holds a connection string and --url gives one too"), e.getMessage());
        UuidmigException bad = assertThrows(UuidmigException.class, () -> resolve(flags(null, null, null, "host=h bogus=1", null)));
        assertTrue(bad.getMessage().startsWith("invalid -d/--dbname") && bad.getMessage().contains("\"bogus\""), bad.getMessage());
    }

    /** service= in the connection string beats PGSERVICE; a password from the service names it as the source. */
    @Test
    void serviceKeywordBeatsPgserviceAndSuppliesThePassword() throws IOException {
        Path f = serviceFile("[a]\nhost=a-host\n[b]\nhost=b-host\npassword=b-secret\nsslmode=require\n");
        env.put("PGSERVICE", "a");
        assertEquals("a-host", resolve(flags(null, null, null, null, null)).host());
        ConnectionSettings s = resolve(flags("service=b", null, null, null, null));
        assertEquals("b-host", s.host());
        assertEquals("b-secret", s.password());
        assertEquals("require", s.sslMode());
        assertEquals("service \"b\" in " + f, s.passwordSource());
        env.put("PGSERVICE", "nosuch");
        assertTrue(assertThrows(UuidmigException.class, () -> resolve(flags(null, null, null, null, null))).getMessage()
            .contains("definition of service \"nosuch\" not found"));
    }

    /** passfile= names the password file, as PGPASSFILE does, and wins over it. */
    @Test
    void passfileKeyword() throws IOException {
        Path file = home.resolve("pw");
        Files.writeString(file, "*:*:*:*:from-passfile\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        env.put("PGPASSFILE", home.resolve("absent").toString());
        ConnectionSettings s = resolve(flags("host=h passfile=" + file, null, null, null, null));
        assertEquals("from-passfile", s.password());
        assertEquals(file.toString(), s.passwordSource());
    }

    /** A bad value names where it came from. */
    @Test
    void badValuesNameTheirSource() {
        UuidmigException port = assertThrows(UuidmigException.class, () -> resolve(flags("port=1", null, "abc", null, null)));
        assertTrue(port.getMessage().contains("invalid port \"abc\" (from -p/--port)"), port.getMessage());
        env.put("PGSSLMODE", "verify-everything");
        UuidmigException ssl = assertThrows(UuidmigException.class, () -> resolve(flags(null, null, null, null, null)));
        assertTrue(ssl.getMessage().contains("invalid sslmode \"verify-everything\" (from PGSSLMODE)"), ssl.getMessage());
        env.remove("PGSSLMODE");
        UuidmigException socket = assertThrows(UuidmigException.class, () -> resolve(flags(null, "/var/run/postgresql", null, null, null)));
        assertTrue(socket.getMessage().contains("(from -h/--host) is a Unix socket directory"), socket.getMessage());
    }
}
