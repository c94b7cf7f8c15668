package org.uuidmig.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;

/** Connection strings split as libpq splits them; a parameter uuidmig does not take is exit 2 naming it, never dropped. */
class ConnectionStringTest {

    private static Map<String, String> parse(String s) {
        return ConnectionString.parse(s, "--url");
    }

    private static UuidmigException refused(String s) {
        UuidmigException e = assertThrows(UuidmigException.class, () -> parse(s), s);
        assertEquals(ExitCode.USAGE_OR_CONNECTION, e.exitCode(), e.getMessage());
        return e;
    }

    /** libpq's quoting: single quotes around a value with spaces, a backslash escapes the next character in or out of quotes. */
    @Test
    void keywordValueWithLibpqQuoting() {
        Map<String, String> m = parse("host=db.example port = 5433\tdbname='my db' user=o\\'brien password='it\\'s a \\\\ secret'");
        assertEquals(Map.of("host", "db.example", "port", "5433", "dbname", "my db", "user", "o'brien",
            "password", "it's a \\ secret"), m);
        assertEquals(Map.of("dbname", "a b"), parse("dbname=a\\ b"));
        assertEquals(Map.of("dbname", "x=y"), parse("dbname=x=y"), "only the first '=' separates");
    }

    /** As in libpq: a later keyword replaces an earlier one; an empty value ('' or nothing) leaves the setting unset. */
    @Test
    void laterKeywordWinsAndEmptyIsUnset() {
        assertEquals(Map.of("host", "second"), parse("host=first host=second"));
        assertEquals(Map.of("dbname", "app"), parse("host='' dbname=app"));
        // libpq skips blanks after '=', so the next word is the value: host= port=1 sets host to "port=1"
        assertEquals(Map.of("host", "port=1"), parse("host= port=1"));
    }

    @Test
    void keywordValueSyntaxErrors() {
        assertTrue(refused("host=db dbname").getMessage().contains("missing \"=\" after \"dbname\""));
        UuidmigException e = refused("host=db password='unterminated secret");
        assertTrue(e.getMessage().contains("unterminated quoted string"), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), "password shown: " + e.getMessage());
    }

    /** A typo is "unknown"; a libpq keyword uuidmig would not honour is named as such; both exit 2, naming it. */
    @Test
    void unknownOrUnsupportedKeywordIsRefused() {
        UuidmigException typo = refused("host=db sslmdoe=verify-full");
        assertTrue(typo.getMessage().contains("unknown parameter \"sslmdoe\""), typo.getMessage());
        assertTrue(typo.getMessage().contains("uuidmig takes host, port, dbname, user, password, sslmode, service, passfile"),
            typo.getMessage());
        UuidmigException libpq = refused("host=db sslrootcert=/etc/ca.pem");
        assertTrue(libpq.getMessage().contains("the libpq parameter \"sslrootcert\" is not supported by uuidmig"), libpq.getMessage());
        assertTrue(refused("host=db ssl=true").getMessage().contains("unknown parameter \"ssl\""), "ssl= is URI-only in libpq");
    }

    /** A URI query parameter uuidmig does not know used to be dropped silently: now exit 2 naming it. */
    @Test
    void unknownUriParameterIsRefused() {
        UuidmigException e = refused("postgresql://app:pw@db.example/shop?sslmode=require&foo=bar");
        assertTrue(e.getMessage().contains("unknown parameter \"foo\""), e.getMessage());
        assertFalse(e.getMessage().contains(":pw@"), "password shown: " + e.getMessage());
        assertTrue(refused("postgresql://db.example/shop?connect_timeout=10").getMessage()
            .contains("\"connect_timeout\" is not supported by uuidmig"));
        assertTrue(refused("postgresql://db.example/shop?sslmode").getMessage().contains("missing \"=\""));
    }

    @Test
    void uriKeywordsAndLibpqSslAlias() {
        assertEquals(Map.of("host", "h2", "port", "6000", "dbname", "other", "user", "u", "sslmode", "verify-full", "service", "svc",
                "passfile", "/tmp/pw"),
            parse("postgresql://u@h/shop?host=h2&port=6000&dbname=other&sslmode=verify-full&service=svc&passfile=%2Ftmp%2Fpw"));
        assertEquals("require", parse("postgres://h/db?ssl=true").get("sslmode"), "libpq reads ssl=true as sslmode=require");
        assertTrue(refused("postgres://h/db?ssl=false").getMessage().contains("\"ssl\""));
    }

    /** A JDBC URL: pgjdbc's names; anything but user, password, sslmode, ssl, service is refused (ssl=true alone used to be dropped). */
    @Test
    void jdbcUrlParameters() {
        assertEquals(Map.of("host", "h", "port", "5433", "dbname", "db", "user", "u", "password", "p", "sslmode", "require"),
            parse("jdbc:postgresql://h:5433/db?user=u&password=p&sslmode=require"));
        assertEquals("verify-full", parse("jdbc:postgresql://h/db?ssl=true").get("sslmode"), "pgjdbc's meaning of ssl=true");
        assertEquals("disable", parse("jdbc:postgresql://h/db?ssl=true&sslmode=disable").get("sslmode"));
        assertEquals("svc", parse("jdbc:postgresql://h/db?service=svc").get("service"), "read by uuidmig, not by pgjdbc");
        UuidmigException e = refused("jdbc:postgresql://h/db?user=u&ApplicationName=x");
        assertTrue(e.getMessage().contains("unsupported parameter \"ApplicationName\""), e.getMessage());
    }

    @Test
    void severalHostsAreRefused() {
        assertTrue(refused("host=a,b dbname=x").getMessage().contains("several hosts"));
        assertTrue(refused("postgresql://a,b/x").getMessage().contains("several hosts"));
    }

    /** psql's -d rule: a URI or anything with '=' is a connection string, the rest a database name. */
    @ParameterizedTest
    @ValueSource(strings = {"postgresql://h/db", "postgres://h", "host=h", "dbname=x user=y", "jdbc:postgresql://h/db"})
    void connectionStrings(String s) {
        assertTrue(ConnectionString.isConnectionString(s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"shop", "my db", "servicecatalog_prod"})
    void databaseNames(String s) {
        assertFalse(ConnectionString.isConnectionString(s));
    }

    @Test
    void notAConnectionStringIsRefused() {
        assertTrue(refused("mysql://x/y").getMessage().contains("expected a connection string"));
    }

    @Test
    void redactHidesKeywordValuePasswords() {
        String r = ConnectionString.redact("host=h password='a b\\'c' user=u");
        assertEquals("host=h password=*** user=u", r);
        assertEquals("host=h password=*** user=u", ConnectionString.redact("host=h password=s\\ ecret user=u"));
        assertFalse(ConnectionString.redact("postgresql://u:topsecret@h/db").contains("topsecret"));
    }
}
