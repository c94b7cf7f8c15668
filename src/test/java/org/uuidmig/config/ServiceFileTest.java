package org.uuidmig.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;

/** The connection service file, read as libpq reads it: the user's file first, then the system's; errors name file and line. */
class ServiceFileTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static UuidmigException refused(String name, List<Path> files) {
        UuidmigException e = assertThrows(UuidmigException.class, () -> ServiceFile.lookup(name, files));
        assertEquals(ExitCode.USAGE_OR_CONNECTION, e.exitCode());
        return e;
    }

    /** Comments, blank lines and indentation are skipped; the service ends at the next [section]; the value is taken as it stands. */
    @Test
    void readsTheNamedServiceOnly() throws IOException {
        Path f = write("user.conf", """
            # shared services
            [other]
            host=elsewhere
            bogus line that libpq never reads
            [prod]
              host=db.example
            port=5433

            dbname=servicecatalog
            user=app
            password='not a quote'=x
            host=ignored, the first setting wins
            [next]
            host=never
            """);
        ServiceFile.Service s = ServiceFile.lookup("prod", List.of(f));
        assertEquals(f, s.file());
        assertEquals(Map.of("host", "db.example", "port", "5433", "dbname", "servicecatalog", "user", "app",
            "password", "'not a quote'=x"), s.values());
    }

    /** The system file is read only when the user's file does not define the service; a missing file is skipped. */
    @Test
    void userFileFirstThenSystemFile() throws IOException {
        Path user = write("user.conf", "[a]\nhost=from-user\n");
        Path system = write("system.conf", "[a]\nhost=from-system\n[b]\nhost=b-from-system\n");
        assertEquals("from-user", ServiceFile.lookup("a", List.of(user, system)).values().get("host"));
        assertEquals("b-from-system", ServiceFile.lookup("b", List.of(user, system)).values().get("host"));
        assertEquals(system, ServiceFile.lookup("b", List.of(dir.resolve("missing.conf"), system)).file());
    }

    @Test
    void undefinedServiceNamesTheFilesLookedIn() throws IOException {
        Path user = write("user.conf", "[a]\nhost=h\n");
        Path system = dir.resolve("no-such-dir").resolve("pg_service.conf");
        UuidmigException e = refused("prod", List.of(user, system));
        assertTrue(e.getMessage().contains("definition of service \"prod\" not found") && e.getMessage().contains(user.toString())
            && e.getMessage().contains(system.toString()), e.getMessage());
        // "[a]" is not "[ab]": libpq compares the whole name
        refused("ab", List.of(user));
    }

    /** In the service asked for, an unknown keyword is an error naming file, line and keyword, as in libpq. */
    @Test
    void unknownKeywordIsAnErrorWithFileAndLine() throws IOException {
        Path f = write("user.conf", "[prod]\nhost=h\nsslmdoe=require\n");
        UuidmigException e = refused("prod", List.of(f));
        assertTrue(e.getMessage().contains(f + ", line 3") && e.getMessage().contains("unknown parameter \"sslmdoe\""), e.getMessage());
        Path g = write("g.conf", "[prod]\nhost = h\n");
        UuidmigException spaced = refused("prod", List.of(g));
        assertTrue(spaced.getMessage().contains("\"host \"") && spaced.getMessage().contains("no space around '='"), spaced.getMessage());
        Path h = write("h.conf", "[prod]\nsslrootcert=/etc/ca.pem\n");
        assertTrue(refused("prod", List.of(h)).getMessage().contains("\"sslrootcert\" is not supported by uuidmig"));
    }

    @Test
    void syntaxErrorsAndNestedServices() throws IOException {
        Path f = write("user.conf", "[prod]\nhost\n");
        assertTrue(refused("prod", List.of(f)).getMessage().contains("line 2") );
        Path g = write("g.conf", "[prod]\nservice=other\n");
        assertTrue(refused("prod", List.of(g)).getMessage().contains("nested service"));
    }

    /** PGSERVICEFILE replaces ~/.pg_service.conf; PGSYSCONFDIR holds the system file. */
    @Test
    void locationsFollowTheEnvironment() {
        Path home = Path.of("/home/someone");
        assertEquals(List.of(home.resolve(".pg_service.conf"), Path.of(ServiceFile.DEFAULT_SYSCONFDIR, "pg_service.conf")),
            ServiceFile.locations(Map.of(), home));
        assertEquals(List.of(Path.of("/x/services"), Path.of("/etc/pg/pg_service.conf")),
            ServiceFile.locations(Map.of("PGSERVICEFILE", "/x/services", "PGSYSCONFDIR", "/etc/pg"), home));
    }
}
