package org.uuidmig.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The progress display's words and numbers: speeds as whole rows/s with separators, ETAs, and lines that fit their width. */
class ProgressTextTest {

    @Test
    void countsAndSpeedsAreWholeNumbersWithThousandsSeparators() {
        assertEquals("0", ProgressText.count(0));
        assertEquals("1,234,567", ProgressText.count(1_234_567));
        assertEquals("71,250 rows/s", ProgressText.rate(71_250.0)); // was "71250.0 rows/s"
        assertEquals("1,000 rows/s", ProgressText.rate(999.6));
        assertEquals("0 rows/s", ProgressText.rate(0.3));
        assertEquals("0 rows/s", ProgressText.rate(-5));
    }

    @Test
    void percentReaches100OnlyWhenDone() {
        assertEquals(0, ProgressText.percent(0, 30_015));
        assertEquals(95, ProgressText.percent(28_515, 30_015));
        assertEquals(99, ProgressText.percent(99_999, 100_000), "not rounded up to 100 before the end");
        assertEquals(100, ProgressText.percent(30_015, 30_015));
        assertEquals(100, ProgressText.percent(30_100, 30_015), "more rows than counted (inserts) is done, not 100+");
        assertEquals(100, ProgressText.percent(0, 0), "an empty table is done");
    }

    @Test
    void durationsReadAsAPersonWritesThem() {
        assertEquals("0s", ProgressText.duration(0));
        assertEquals("0s", ProgressText.duration(-3));
        assertEquals("45s", ProgressText.duration(45.2));
        assertEquals("1m 00s", ProgressText.duration(59.6));
        assertEquals("2m 05s", ProgressText.duration(125));
        assertEquals("59m 59s", ProgressText.duration(3599));
        assertEquals("1h 02m", ProgressText.duration(3720));
        assertEquals("23h 59m", ProgressText.duration(86_399));
        assertEquals("3d 04h", ProgressText.duration(3 * 86_400 + 4 * 3600 + 59));
        assertEquals("0.4s", ProgressText.elapsed(0.43));
        assertEquals("12.0s", ProgressText.elapsed(12));
        assertEquals("1m 30s", ProgressText.elapsed(90));
    }

    @Test
    void barsHaveExactlyTheirWidth() {
        assertEquals("[>         ]", ProgressText.bar(0, 12));
        assertEquals("[=====>    ]", ProgressText.bar(0.5, 12));
        assertEquals("[=========>]", ProgressText.bar(0.95, 12));
        assertEquals("[==========]", ProgressText.bar(1, 12));
        assertEquals("[==========]", ProgressText.bar(1.7, 12));
        for (int w = 2; w <= 60; w++) {
            for (double f : new double[] {0, 0.01, 0.33, 0.5, 0.999, 1}) {
                assertEquals(w, ProgressText.bar(f, w).length(), "width " + w + ", fraction " + f);
            }
        }
    }

    @Test
    void overallLineOn80Columns() {
        // 79: the display leaves the last column free, so that no line wraps
        String line = ProgressText.overall(1_234_567, 2_940_000, 12_345.4, 79);
        assertEquals("backfill  41% [====>      ] 1,234,567/2,940,000 rows  12,345 rows/s  ETA 2m 18s", line);
        assertTrue(line.length() <= 79, line);
        // before the speed is known: no "? rows/s", no ETA
        assertEquals("backfill   0% [>                                       ] 0/30,015 rows",
            ProgressText.overall(0, 30_015, -1, 79));
        // done: no ETA
        String done = ProgressText.overall(30_015, 30_015, 5000, 79);
        assertTrue(done.startsWith("backfill 100% [====") && done.endsWith("] 30,015/30,015 rows  5,000 rows/s"), done);
    }

    @Test
    void everyLineFitsEveryWidth() {
        long[][] cases = {{0, 1}, {28_515, 30_015}, {1_234_567, 2_940_000}, {12_345_678_901L, 98_765_432_109L}, {5, 5}};
        String longName = "a_table_whose_name_is_sixty_three_characters_long_like_postgres.a_column_name_that_is_long_too";
        for (int w = 1; w <= 200; w++) {
            for (long[] c : cases) {
                for (double rate : new double[] {-1, 0.5, 71_250, 9_876_543_210.0}) {
                    String o = ProgressText.overall(c[0], c[1], rate, w);
                    assertTrue(o.length() <= w, "overall at " + w + ": " + o);
                }
                String col = ProgressText.column(longName, longName.length(), c[0], c[1], w);
                assertTrue(col.length() <= w, "column at " + w + ": " + col);
                String shortCol = ProgressText.column("t.c", 30, c[0], c[1], w);
                assertTrue(shortCol.length() <= w, "column at " + w + ": " + shortCol);
                String done = ProgressText.overallDone(c[1], 3.2, c[1], w);
                assertTrue(done.length() <= w, "done at " + w + ": " + done);
            }
            String step = ProgressText.step("index " + longName + " ix_" + longName, 3725, w);
            assertTrue(step.length() <= w, "step at " + w + ": " + step);
        }
    }

    @Test
    void onAnyUsualWidthTheBarKeepsItsNumbers() {
        for (int w = 60; w <= 200; w++) {
            String o = ProgressText.overall(1_234_567, 2_940_000, 12_345, w);
            Matcher m = Pattern.compile("^backfill  41% (\\[[=> ]+\\]) 1,234,567/2,940,000 rows").matcher(o);
            assertTrue(m.find(), "width " + w + ": " + o);
            assertTrue(m.group(1).length() >= ProgressText.MIN_BAR && m.group(1).length() <= ProgressText.MAX_BAR, o);
        }
        // 60 columns: the speed gives way first, the ETA stays
        assertEquals("backfill  41% [=====>       ] 1,234,567/2,940,000 rows  ETA 2m 18s",
            ProgressText.overall(1_234_567, 2_940_000, 12_345, 66));
    }

    @Test
    void columnLinesLineUpAndCutLongNames() {
        String a = ProgressText.column("chat_messages.sender_id", 27, 18_900, 30_015, 79);
        String b = ProgressText.column("message_read_states.user_id", 27, 100, 24_025, 79);
        assertEquals("  chat_messages.sender_id       62%  18,900/30,015 rows", a);
        assertEquals("  message_read_states.user_id    0%  100/24,025 rows", b);
        assertEquals(a.indexOf('%'), b.indexOf('%'), "the percents line up");
        String cut = ProgressText.column("a_very_long_table_name_of_an_application.a_very_long_column_name", 64, 5, 10, 40);
        assertEquals("  a_very_long_table_...   50%  5/10 rows", cut);
        assertEquals(40, cut.length());
    }

    @Test
    void stepLinesShowTheirTimeOnceItCounts() {
        assertEquals("  verify chat_messages", ProgressText.step("verify chat_messages", 0.4, 79));
        assertEquals("  verify chat_messages  2m 05s", ProgressText.step("verify chat_messages", 125, 79));
        assertEquals("  swap a, b, c, d, e, f, g, h, i, j, k, l, m, n, ...  3s",
            ProgressText.step("swap a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t", 3, 56));
    }

    @Test
    void plainLinesAreOneLineForTheRunWithoutControlCharacters() {
        String line = ProgressText.plain(1_234_567, 2_940_000, 12_345, List.of("chat_messages.sender_id 63%", "user_sessions.user_id 12%"));
        assertEquals("backfill: 1,234,567 of 2,940,000 rows (41%), 12,345 rows/s, ETA 2m 18s; "
            + "in progress: chat_messages.sender_id 63%, user_sessions.user_id 12%", line);
        assertEquals("backfill: 0 of 30,015 rows (0%)", ProgressText.plain(0, 30_015, -1, List.of()));
        assertEquals("backfill: 89,050 of 89,050 rows (100%), 9 columns done in 0.9s, 98,944 rows/s",
            ProgressText.finished(89_050, 9, 0.9, 89_050));
        assertEquals("backfill: 10 of 10 rows (100%), 1 column done in 0.0s", ProgressText.finished(10, 1, 0.01, 10));
        assertEquals("backfill: stopped at 41% (1,234,567 of 2,940,000 rows)", ProgressText.stopped(1_234_567, 2_940_000));
        for (String s : List.of(line, ProgressText.finished(5, 2, 3, 5))) {
            assertFalse(s.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f), s);
        }
    }

    @Test
    void theBarThatStaysSaysHowLongItTook() {
        assertEquals("backfill 100% [====================] 89,050/89,050 rows  98,944 rows/s  in 0.9s",
            ProgressText.overallDone(89_050, 0.9, 89_050, 79));
    }
}
