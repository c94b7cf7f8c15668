package org.uuidmig.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The bytes the console writes: status lines at the bottom, other lines above them, nothing wider than the terminal. */
class LiveConsoleTest {
    private static final String UP1 = "\033[1A";
    private static final String ERASE = "\033[J";

    private final ByteArrayOutputStream term = new ByteArrayOutputStream();
    private final LiveConsole console = new LiveConsole(term, StandardCharsets.UTF_8, 20, 5);

    private String written() {
        String s = term.toString(StandardCharsets.UTF_8);
        term.reset();
        return s;
    }

    @Test
    void statusLinesAreRedrawnInPlace() {
        console.show(List.of("  t.c  10%", "backfill  10%"));
        assertEquals("  t.c  10%\nbackfill  10%", written(), "the cursor stays at the end of the last line");
        console.show(List.of("backfill  50%"));
        assertEquals("\r" + UP1 + ERASE + "backfill  50%", written(), "back to the first line, erase down, draw");
        console.clear();
        assertEquals("\r" + ERASE, written());
        console.clear();
        assertEquals("", written(), "nothing to erase");
    }

    @Test
    void aLineGoesAboveTheStatusLinesAndTheyComeBackBelowIt() {
        console.show(List.of("  t.c  10%", "backfill  10%"));
        written();
        console.println("[INFO] a log line");
        assertEquals("\r" + UP1 + ERASE + "[INFO] a log line\n" + "  t.c  10%\nbackfill  10%", written());
    }

    @Test
    void statusLinesAreCutToTheWidthLessOneAndToTheHeightLessOne() {
        console.show(List.of("backfill 42% [=====>     ] 1,234/2,940 rows", "2", "3", "4", "5", "6"));
        assertEquals("backfill 42% [==...\n2\n3\n4", written(), "19 columns of 20; 4 lines of 5");
    }

    @Test
    void writesToSystemErrBecomeLinesAboveTheStatus() {
        PrintStream err = new PrintStream(console.lines(term), true, StandardCharsets.UTF_8);
        console.show(List.of("backfill  10%"));
        written();
        err.print("[INFO] one");
        err.flush();
        assertEquals("", written(), "half a line waits for its end while the status line is there");
        err.println(" line");
        err.println("[WARN] two");
        assertEquals("\r" + ERASE + "[INFO] one line\nbackfill  10%" + "\r" + ERASE + "[WARN] two\nbackfill  10%", written());
        console.clear();
        written();
        err.print("Password for user postgres: ");
        err.flush();
        assertEquals("Password for user postgres: ", written(), "a prompt shows at once when no status line is in the way");
        console.show(List.of("backfill  10%"));
        assertEquals("\nbackfill  10%", written(), "status lines start on a line of their own");
    }

    @Test
    void afterStopNothingIsDrawnAgain() {
        console.show(List.of("backfill  10%"));
        written();
        console.stop();
        assertEquals("\r" + ERASE, written());
        console.show(List.of("backfill  20%"));
        console.println("uuidmig migrate: interrupted during step backfill (t.c); rerun uuidmig migrate to continue");
        assertEquals("uuidmig migrate: interrupted during step backfill (t.c); rerun uuidmig migrate to continue\n", written());
    }
}
