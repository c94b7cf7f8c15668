package org.uuidmig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.ExitCode;
import org.uuidmig.engine.StepRunner;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TempDirs;
import org.uuidmig.testing.TestDb.CliResult;
import org.uuidmig.testing.TestDb;

/**
 * --quiet prints errors and the result only; --log-level chooses the log lines; they do not go together. The log
 * level is set before the first logger exists, so these run uuidmig in a JVM of its own.
 */
@ExtendWith(PostgresExtension.class)
class LogOptionsIT {

    /** {stdout, stderr} of uuidmig in its own JVM, after checking its exit code. */
    private static String[] run(int expectedExit, String... args) throws Exception {
        Path dir = TempDirs.create("uuidmig-log-");
        try {
            Path out = dir.resolve("out.txt");
            Path err = dir.resolve("err.txt");
            Process p = Subprocess.start(out, err, List.of(), args);
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "uuidmig did not finish");
            String[] r = {Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8)};
            assertEquals(expectedExit, p.exitValue(), "stdout:\n" + r[0] + "\nstderr:\n" + r[1]);
            return r;
        } finally {
            TempDirs.delete(dir);
        }
    }

    @Test
    void quietPrintsTheResultAndNothingOnStderr(TestDb db) throws Exception {
        db.loadFixture(1);
        // --throttle, the default, said so that the harness does not add --no-throttle: the throttle's start line is a
        // control line, which --quiet keeps off stderr
        String[] r = run(ExitCode.OK, "migrate", "--quiet", "--throttle", "--url", db.url());
        assertEquals("", r[1], "no target line, no progress, no log line");
        assertTrue(r[0].contains("migration complete in "), r[0]);
        assertEquals("done", db.queryString("SELECT step FROM uuidmig.columns WHERE table_name = 'chat_messages'"));
        assertEquals(1, db.queryLong("SELECT count(*) FROM uuidmig.events WHERE message LIKE 'applied: throttled (level 2): the start%'"),
            "the throttle's start was recorded for uuidmig status, not printed");

        // before the subcommand too, and its short form; an error is still printed, alone
        String[] missing = run(ExitCode.USAGE_OR_CONNECTION, "-q", "status", "--url", db.url(), "--schema", "no_such_schema");
        List<String> lines = missing[1].lines().toList();
        assertEquals(1, lines.size(), missing[1]);
        assertTrue(lines.get(0).startsWith("uuidmig: error: ") && lines.get(0).contains("no_such_schema"), missing[1]);
    }

    @Test
    void logLevelChoosesTheLogLines(TestDb db) throws Exception {
        db.loadFixture(1);
        String[] warn = run(ExitCode.OK, "migrate", "--log-level", "warn", "--url", db.url(), "--phase", "expand");
        assertFalse(warn[1].contains("[INFO]"), warn[1]);
        assertTrue(warn[1].startsWith("uuidmig migrate: target "), "the target line is not a log line: " + warn[1]);
        assertTrue(warn[1].lines().anyMatch(l -> l.startsWith("backfill: ") && l.contains("(100%)")), "progress is not either: " + warn[1]);

        String[] debug = run(ExitCode.OK, "--log-level=DEBUG", "migrate", "--url", db.url());
        assertTrue(debug[1].lines().anyMatch(l -> l.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[DEBUG\\] StepRunner - .*: starting$")), debug[1]);

        String[] info = run(ExitCode.OK, "status", "--url", db.url());
        assertTrue(info[1].startsWith("uuidmig status: target "), info[1]);
    }

    @Test
    void quietAndALogLevelContradictEachOther() {
        for (String[] args : List.of(new String[] {"status", "--quiet", "--log-level", "info"}, new String[] {"--verbose", "status", "-q"})) {
            CliResult r = CliResult.run(args);
            assertEquals(ExitCode.USAGE_OR_CONNECTION, r.exitCode(), r.toString());
            assertTrue(r.err().contains("--quiet cannot be combined with --log-level or --verbose"), r.toString());
        }
        CliResult bad = CliResult.run("status", "--log-level", "loud");
        assertEquals(ExitCode.USAGE_OR_CONNECTION, bad.exitCode(), bad.toString());
        assertTrue(bad.err().contains("--log-level"), bad.toString());
    }

    /** In-process too: --quiet drops the target line and validate-pre's scan lines, and keeps the report. */
    @Test
    void quietKeepsTheReport(TestDb db) throws Exception {
        db.loadFixture(1);
        CliResult r = db.run("validate-pre", "--quiet");
        assertEquals(ExitCode.OK, r.exitCode(), r.toString());
        assertEquals("", r.err(), r.toString());
        assertTrue(r.out().contains("checks:"), r.toString());
    }
}
