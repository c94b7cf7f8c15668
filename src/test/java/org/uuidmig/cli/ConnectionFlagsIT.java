package org.uuidmig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.uuidmig.ExitCode;
import org.uuidmig.testing.CatalogSnapshot;
import org.uuidmig.testing.ClosedPort;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.PostgresServer;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TempDirs;
import org.uuidmig.testing.TestDb;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * psql's connection flags: -h is the host (it used to print the help and exit 0, doing nothing), -p, -d (a name
 * or a whole connection string), -U; -? is the help. Connection strings in libpq's keyword/value form, services,
 * and an unknown parameter refused, on the real server.
 */
@ExtendWith(PostgresExtension.class)
class ConnectionFlagsIT {
    private static final List<String> COMMANDS = List.of("validate-pre", "plan", "migrate", "validate-post", "status", "demo", "rollback");

    /** -h, -p, -U (and the password, when the test server wants one) as psql takes them, before -d. */
    private static List<String> psqlFlags(PostgresServer s) {
        List<String> a = new ArrayList<>(List.of("-h", s.host(), "-p", Integer.toString(s.port()), "-U", s.user()));
        if (s.password() != null) {
            a.add("--password=" + s.password());
        }
        return a;
    }

    private static CliResult run(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return CliResult.run(all.toArray(new String[0]));
    }

    private static String targetOf(TestDb db) {
        return "target " + db.server().host() + ":" + db.server().port() + "/" + db.name() + " as " + db.server().user() + " (PostgreSQL ";
    }

    /** The issue's command: migrate -h HOST -U USER -d DB --dry-run prints the plan of that database and changes nothing. */
    @Test
    void migrateDryRunWithPsqlFlagsUsesTheNamedDatabase(TestDb db) throws Exception {
        db.loadFixture(1);
        List<String> catalog = CatalogSnapshot.of(db, "public");
        List<String> args = new ArrayList<>(List.of("migrate"));
        args.addAll(psqlFlags(db.server()));
        CliResult r = run(args, "-d", db.name(), "--dry-run");
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("uuidmig migrate: " + targetOf(db)), r.toString());
        assertTrue(r.out().startsWith("-- uuidmig migrate --dry-run: nothing is changed. Plan (9 columns):"), r.toString());
        assertTrue(r.out().contains("chat_messages.sender_id integer NULL"), r.toString());
        assertFalse(r.out().contains("Usage:"), r.toString());
        assertEquals(catalog, CatalogSnapshot.of(db, "public"));
        assertEquals(0, db.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'uuidmig'"));
    }

    /** Long forms, and -U's old spelling --user still works. */
    @Test
    void longFormsAndTheOldUserOption(TestDb db) {
        PostgresServer s = db.server();
        List<String> args = new ArrayList<>(List.of("status", "--host", s.host(), "--port", Integer.toString(s.port()),
            "--dbname", db.name(), "--user", s.user()));
        if (s.password() != null) {
            args.add("--password=" + s.password());
        }
        CliResult r = run(args);
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("uuidmig status: " + targetOf(db)), r.toString());
        CliResult username = run(List.of("status", "--url", db.url()), "--username", s.user());
        assertEquals(ExitCode.OK, username.exitCode(), username.toString());
    }

    /** An explicit flag beats --url: the URL names a closed port and another database, the flags the test database. */
    @Test
    void flagsWinOverTheUrl(TestDb db) throws Exception {
        try (ClosedPort closed = new ClosedPort()) {
            List<String> args = new ArrayList<>(List.of("status", "--url", "jdbc:postgresql://127.0.0.1:" + closed.port()
                + "/no_such_database?user=no_such_role"));
            args.addAll(psqlFlags(db.server()));
            CliResult r = run(args, "-d", db.name());
            assertEquals(ExitCode.OK, r.exitCode(), r.toString());
            assertTrue(r.err().startsWith("uuidmig status: " + targetOf(db)), r.toString());
        }
        // -d alone replaces the URL's database, the rest still comes from the URL
        CliResult r = CliResult.run("status", "--url", db.server().urlFor("postgres"), "-d", db.name());
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("uuidmig status: " + targetOf(db)), r.toString());
    }

    /** libpq's keyword/value form in --url, and in -d as psql takes it (a URI in -d too). */
    @Test
    void keywordValueConnectionStrings(TestDb db) {
        PostgresServer s = db.server();
        String conninfo = "host=" + s.host() + " port = " + s.port() + " dbname='" + db.name() + "' user=" + s.user()
            + (s.password() == null ? "" : " password='" + s.password().replace("\\", "\\\\").replace("'", "\\'") + "'");
        CliResult url = CliResult.run("status", "--url", conninfo);
        assertEquals(ExitCode.OK, url.exitCode(), url.toString());
        assertTrue(url.err().startsWith("uuidmig status: " + targetOf(db)), url.toString());

        CliResult d = CliResult.run("validate-pre", "-d", conninfo, "--format", "json");
        assertTrue(d.err().startsWith("uuidmig validate-pre: " + targetOf(db)), d.toString());
        assertTrue(d.out().startsWith("{"), "stdout is the JSON report only: " + d);

        String uri = "postgresql://" + s.user() + "@" + s.host() + ":" + s.port() + "/" + db.name();
        List<String> args = new ArrayList<>(List.of("status", "-d", uri));
        if (s.password() != null) {
            args.add("--password=" + s.password());
        }
        CliResult dUri = run(args);
        assertEquals(ExitCode.OK, dUri.exitCode(), dUri.toString());
        assertTrue(dUri.err().startsWith("uuidmig status: " + targetOf(db)), dUri.toString());
    }

    /** An unknown URI parameter (here a typo of sslmode) is exit 2 naming it, before any connection; it used to be dropped. */
    @Test
    void unknownParameterIsExitTwo(TestDb db) {
        PostgresServer s = db.server();
        CliResult r = CliResult.run("status", "--url", "postgresql://" + s.user() + "@" + s.host() + ":" + s.port() + "/" + db.name()
            + "?sslmdoe=disable");
        assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), r.toString());
        assertTrue(r.err().contains("unknown parameter \"sslmdoe\""), r.toString());
        assertFalse(r.err().contains(": target "), "it connected: " + r);
        CliResult kv = CliResult.run("status", "-d", "host=" + s.host() + " dbname=" + db.name() + " application_name=x");
        assertEquals(ExitCode.USAGE_OR_CONNECTION, kv.exitCode(), kv.toString());
        assertTrue(kv.err().contains("\"application_name\" is not supported by uuidmig"), kv.toString());
    }

    /** -? and --help print the help and exit 0, for every command; the help lists -h as the host. */
    @ParameterizedTest
    @ValueSource(strings = {"validate-pre", "plan", "migrate", "validate-post", "status", "demo", "rollback", "cleanup", "pause", "resume", "set",
        "hold-swap", "release-swap"})
    void questionMarkIsHelp(String command) {
        for (String help : List.of("-?", "--help")) {
            CliResult r = CliResult.run(command, help);
            assertEquals(ExitCode.OK, r.exitCode(), r.toString());
            assertTrue(r.out().contains("Usage: uuidmig " + command), r.toString()); // after the one-line header
            assertTrue(r.out().contains("-?, --help") && r.out().contains("-h, --host=HOST") && r.out().contains("-p, --port=PORT")
                && r.out().contains("-d, --dbname=DBNAME") && r.out().contains("-U, --user, --username=ROLE"), r.out());
        }
        CliResult version = CliResult.run(command, "--version");
        assertEquals(ExitCode.OK, version.exitCode(), version.toString());
        assertTrue(version.out().startsWith("uuidmig "), "subcommands print the version too: " + version);
    }

    @Test
    void topLevelHelpAndVersion() {
        CliResult r = CliResult.run("-?");
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("Usage: uuidmig") && r.out().contains("-?, --help"), r.out());
        assertTrue(COMMANDS.stream().allMatch(r.out()::contains), r.out());
        CliResult h = CliResult.run("-h");
        assertEquals(ExitCode.USAGE_OR_CONNECTION, h.exitCode(), h.toString());
        assertTrue(h.err().contains("Unknown option: '-h'"), h.toString());
    }

    /** -h without a value is a usage error (exit 2), not the help with exit 0 that a script reads as success. */
    @ParameterizedTest
    @ValueSource(strings = {"validate-pre", "plan", "migrate", "validate-post", "status", "demo", "rollback", "cleanup", "pause", "resume", "set",
        "hold-swap", "release-swap"})
    void dashHWithoutAValueIsAUsageError(String command) {
        CliResult r = CliResult.run(command, "-h");
        assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("Missing required parameter for option '--host' (HOST)"), r.toString());
        assertEquals("", r.out(), r.toString());
    }

    /** demo starts no server of its own when -h names one: with --local-server that is a usage error. */
    @Test
    void demoCountsTheNewFlagsAsNamingAServer() {
        for (List<String> flag : List.of(List.of("-h", "127.0.0.1"), List.of("-p", "5432"), List.of("-d", "postgres"))) {
            CliResult r = run(List.of("demo", "--local-server"), flag.toArray(new String[0]));
            assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), flag + ": " + r);
            assertTrue(r.err().contains("--local-server runs on a throwaway server of its own"), r.toString());
        }
    }

    /**
     * PGSERVICE with a service file (PGSERVICEFILE; the system directory PGSYSCONFDIR empty), and service= in -d: the
     * service names host, port, database and user; no PG* variable is set. In a JVM of its own, for its environment.
     */
    @Test
    void serviceFromPgserviceAndFromDashD(TestDb db) throws Exception {
        PostgresServer s = db.server();
        Path dir = TempDirs.create("uuidmig-service-");
        try {
            Path file = dir.resolve("pg_service.conf");
            Files.writeString(file, "# test services\n[uuidmig_it]\nhost=" + s.host() + "\nport=" + s.port() + "\ndbname=" + db.name()
                + "\nuser=" + s.user() + "\n" + (s.password() == null ? "" : "password=" + s.password() + "\n")
                + "[other]\nhost=nowhere.invalid\n");
            Map<String, String> env = new HashMap<>();
            for (String v : List.of("PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSSLMODE", "PGSERVICE")) {
                env.put(v, null);
            }
            env.put("PGSERVICEFILE", file.toString());
            env.put("PGSYSCONFDIR", dir.resolve("empty").toString());
            env.put("PGSERVICE", "uuidmig_it");
            Subprocess.Result r = Subprocess.run(env, List.of(), "status");
            assertEquals(ExitCode.OK, r.exitCode(), r.output());
            assertTrue(r.output().contains("uuidmig status: " + targetOf(db)), r.output());

            env.put("PGSERVICE", null);
            Subprocess.Result d = Subprocess.run(env, List.of(), "status", "-d", "service=uuidmig_it");
            assertEquals(ExitCode.OK, d.exitCode(), d.output());
            assertTrue(d.output().contains("uuidmig status: " + targetOf(db)), d.output());

            env.put("PGSERVICE", "no_such_service");
            Subprocess.Result missing = Subprocess.run(env, List.of(), "status");
            assertEquals(ExitCode.USAGE_OR_CONNECTION, missing.exitCode(), missing.output());
            assertTrue(missing.output().contains("definition of service \"no_such_service\" not found"), missing.output());
        } finally {
            TempDirs.delete(dir);
        }
    }
}
