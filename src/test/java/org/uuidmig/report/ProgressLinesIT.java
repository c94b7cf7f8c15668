package org.uuidmig.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.uuidmig.engine.StepRunner;
import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TempDirs;
import org.uuidmig.testing.TestDb;

/**
 * migrate with stderr in a file (CI, a pipe): one plain line for the whole run at each interval, no control
 * characters, ending at 100% with nullable columns counted, and log lines with their time.
 */
@ExtendWith(PostgresExtension.class)
class ProgressLinesIT {
    private static final Pattern LINE = Pattern.compile(
        "^backfill: ([\\d,]+) of ([\\d,]+) rows \\((\\d+)%\\)(, \\d{1,3}(,\\d{3})* rows/s(, ETA \\S+( \\S+)?)?)?(; in progress: .+)?$");
    private static final Pattern LAST = Pattern.compile(
        "^backfill: ([\\d,]+) of \\1 rows \\(100%\\), 3 columns done in [\\d.]+s, \\d{1,3}(,\\d{3})* rows/s$");

    @Test
    void oneLineForTheRunAtEachIntervalUpTo100Percent(TestDb db) throws Exception {
        db.loadFixture(10);
        Path dir = TempDirs.create("uuidmig-lines-");
        try {
            Path out = dir.resolve("out.txt");
            Path err = dir.resolve("err.txt");
            // a short interval, so that a run of a second or two prints several lines
            Process p = Subprocess.start(out, err, List.of("-Duuidmig.progress.intervalMillis=100"), "migrate", "--url", db.url(),
                "--column", "chat_messages.sender_id", "--column", "message_read_states.user_id",
                "--column", "service_request_notes.created_by", "--jobs", "2", "--batch-size", "500", "--max-batch-time", "0",
                "--batch-delay", "20ms");
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "migrate did not finish");
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            String context = "stderr:\n" + stderr;
            assertEquals(0, p.exitValue(), context);
            assertFalse(stderr.chars().anyMatch(c -> c == '\r' || c == '\033' || c == '\b'), "no control characters: " + context);

            List<String> progress = stderr.lines().filter(l -> l.startsWith("backfill: ")).toList();
            assertTrue(progress.size() >= 3, "several lines, then the last one: " + context);
            long total = Long.parseLong(db.queryString("SELECT sum(base_rows) FROM uuidmig.tables"));
            long lastDone = -1;
            for (String l : progress.subList(0, progress.size() - 1)) {
                Matcher m = LINE.matcher(l);
                assertTrue(m.matches(), "one line for the run: [" + l + "]\n" + context);
                assertEquals(total, parse(m.group(2)), "the total is the run's, not a column's: " + l);
                long done = parse(m.group(1));
                assertTrue(done >= lastDone, "never goes back: " + context);
                lastDone = done;
            }
            Matcher last = LAST.matcher(progress.get(progress.size() - 1));
            assertTrue(last.matches(), "the last line says 100%, with every row counted: " + context);
            assertEquals(total, parse(last.group(1)));
            assertTrue(stderr.lines().noneMatch(l -> l.matches("^\\s+backfill \\S+: [\\d,]+/[\\d,]+ rows.*")),
                "no line per column: " + context);
            assertTrue(stderr.lines().anyMatch(l -> l.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[INFO\\] StepRunner - backfill .*")),
                "log lines carry their time in a file: " + context);
        } finally {
            TempDirs.delete(dir);
        }
    }

    private static long parse(String count) {
        return Long.parseLong(count.replace(",", ""));
    }
}
