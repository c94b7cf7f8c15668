package org.uuidmig.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.uuidmig.testing.PostgresExtension;
import org.uuidmig.testing.Subprocess;
import org.uuidmig.testing.TempDirs;
import org.uuidmig.testing.TerminalScreen;
import org.uuidmig.testing.TestDb;

/**
 * migrate on a real terminal of 80 columns (a pseudo-terminal, driven by util-linux {@code script}): one overall bar
 * that fits, reaches 100% (nullable columns included), shows whole rows/s, and log lines that go above it, never into it.
 */
@ExtendWith(PostgresExtension.class)
class ProgressTerminalIT {
    private static final int COLUMNS = 80;
    /** About 45,000 rows in all, 31,000 in the three tables planned here. */
    private static final int SCALE = 10;
    private static final Pattern BAR = Pattern.compile("^backfill +(\\d+)% \\[[=> ]+\\]");
    private static final Pattern FULL_BAR = Pattern.compile("^backfill 100% \\[=+\\] ([\\d,]+)/([\\d,]+) rows");
    private static final Pattern COLUMN_LINE = Pattern.compile("^  \\S+\\.\\S+ +\\d+%  [\\d,]+/[\\d,]+ rows$");
    private static final Pattern LOG_MARK = Pattern.compile("\\[(ERROR|WARN|INFO|DEBUG)\\] ");

    /** With the default --jobs 2; --jobs 1 is the slow suite's. */
    @ParameterizedTest(name = "--jobs {0}")
    @ValueSource(ints = {2})
    void oneBarFitsEightyColumnsAndLogLinesGoAboveIt(int jobs, TestDb db) throws Exception {
        oneBarFitsEightyColumns(jobs, db);
    }

    @Tag("slow")
    @ParameterizedTest(name = "--jobs {0}")
    @ValueSource(ints = {1})
    void oneBarFitsEightyColumnsWithOneJob(int jobs, TestDb db) throws Exception {
        oneBarFitsEightyColumns(jobs, db);
    }

    private void oneBarFitsEightyColumns(int jobs, TestDb db) throws Exception {
        db.loadFixture(SCALE);
        long nullable = db.queryLong("SELECT count(*) FROM chat_messages WHERE sender_id IS NULL");
        assertTrue(nullable > 0, "the fixture has NULLs in a nullable column: " + nullable);
        // three columns (two nullable) keep the run short; their backfills take about 60 batches of 500 rows, with
        // a pause of 20 ms after each (the bar is on screen for at least 0.7 s, about seven frames)
        String stream = runOnTerminal("migrate", "--url", db.url(), "--column", "chat_messages.sender_id",
            "--column", "message_read_states.user_id", "--column", "service_request_notes.created_by", "--jobs", String.valueOf(jobs),
            "--batch-size", "500", "--max-batch-time", "0", "--batch-delay", "20ms");
        TerminalScreen screen = TerminalScreen.replay(stream, COLUMNS); // fails on any escape sequence it does not know
        String context = "what the terminal shows:\n" + String.join("\n", screen.rows());

        List<String> segments = TerminalScreen.segments(stream);
        List<Integer> percents = new ArrayList<>();
        for (String s : segments) {
            Matcher bar = BAR.matcher(s);
            boolean status = bar.find() || s.startsWith("  ");
            if (status) {
                assertTrue(s.length() < COLUMNS, "a status line fits in " + (COLUMNS - 1) + " columns: [" + s + "]\n" + context);
            }
            if (bar.find(0)) {
                percents.add(Integer.parseInt(bar.group(1)));
            }
            Matcher log = LOG_MARK.matcher(s);
            if (log.find()) {
                assertEquals(0, log.start(), "a log line starts a line of its own, not after a status line: [" + s + "]\n" + context);
                assertFalse(BAR.matcher(s.substring(log.end())).find() || s.contains("rows/s"),
                    "no bar inside a log line: [" + s + "]\n" + context);
            }
        }
        // several updates, in order, up to 100%
        assertTrue(percents.stream().filter(p -> p < 100).collect(Collectors.toCollection(TreeSet::new)).size() >= 3,
            "the bar moved through several values: " + percents + "\n" + context);
        for (int i = 1; i < percents.size(); i++) {
            assertTrue(percents.get(i) >= percents.get(i - 1), "the bar never goes back: " + percents);
        }
        assertEquals(100, percents.get(percents.size() - 1), "the bar reaches 100%: " + percents);
        // speeds: whole numbers with thousands separators, never "?" or "71250.0"
        Matcher speed = Pattern.compile("(\\S+) rows/s").matcher(stream);
        int speeds = 0;
        while (speed.find()) {
            speeds++;
            assertTrue(speed.group(1).matches("\\d{1,3}(,\\d{3})*"), "rows/s as a whole number: " + speed.group() + "\n" + context);
        }
        assertTrue(speeds > 0, "the speed is shown: " + context);

        // what stays on the screen: the full bar once, every row (nullable columns too), no stale status line
        List<String> rows = screen.rows();
        List<String> bars = rows.stream().filter(r -> r.startsWith("backfill ")).toList();
        assertEquals(1, bars.size(), "one bar remains, the full one: " + bars + "\n" + context);
        Matcher full = FULL_BAR.matcher(bars.get(0));
        assertTrue(full.find(), context);
        assertEquals(full.group(1), full.group(2), "every row of every column is counted as done: " + bars.get(0));
        long fixtureRows = db.queryLong("SELECT sum(base_rows) FROM uuidmig.tables");
        assertEquals(fixtureRows, Long.parseLong(full.group(2).replace(",", "")), "the total is every planned table's rows");
        assertTrue(rows.stream().noneMatch(r -> COLUMN_LINE.matcher(r).matches() || r.matches("^  (index|verify|swap|reindex) .*")),
            "no status line is left among the log lines:\n" + context);
        assertTrue(rows.stream().filter(r -> r.contains("[INFO] ")).allMatch(r -> r.startsWith("[INFO] ")),
            "log lines start at the left margin, without a time stamp on a terminal:\n" + context);
        assertTrue(rows.stream().anyMatch(r -> r.startsWith("[INFO] backfill chat_messages.sender_id: ")),
            "log lines from the backfill workers are shown: " + context);
        assertTrue(rows.stream().anyMatch(r -> r.startsWith("migration complete in ")), context);
        assertTrue(screen.wrappedRows().stream().noneMatch(r -> BAR.matcher(r).find() || r.startsWith("  ")),
            "no status line wrapped: " + screen.wrappedRows());
        assertEquals("done", db.queryString("SELECT step FROM uuidmig.columns WHERE table_name = 'chat_messages'"));
    }

    /**
     * Runs uuidmig on a pseudo-terminal of 80 x 24 (stdout and stderr both on it, as in an interactive shell), and
     * returns what it wrote to the terminal. Fails if uuidmig does not exit 0.
     */
    private static String runOnTerminal(String... args) throws IOException, InterruptedException {
        Path dir = TempDirs.create("uuidmig-tty-");
        try {
            Path out = dir.resolve("terminal.out");
            String command = "stty cols " + COLUMNS + " rows 24 && exec " + Subprocess.command(List.of(), args).stream()
                .map(ProgressTerminalIT::shellQuoted).collect(Collectors.joining(" "));
            ProcessBuilder pb = new ProcessBuilder("script", "-q", "-e", "-c", command, "/dev/null");
            pb.environment().put("TERM", "xterm");
            pb.environment().remove("COLUMNS");
            pb.environment().remove("LINES");
            Process p;
            try {
                p = pb.redirectInput(new File("/dev/null")).redirectOutput(out.toFile()).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new AssertionError("util-linux script (package util-linux / bsdutils) is needed to test the terminal mode: " + e, e);
            }
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("uuidmig on a terminal did not finish in 5 minutes");
            }
            String stream = Files.readString(out, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), "uuidmig's exit code (script -e passes it on):\n" + stream);
            return stream;
        } finally {
            TempDirs.delete(dir);
        }
    }

    private static String shellQuoted(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
