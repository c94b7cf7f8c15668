package org.uuidmig.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** What the run's progress counts: rows covered (NULLs included), every column of the run in one total, once. */
class RunProgressTest {
    private final StringWriter text = new StringWriter();
    private final PrintWriter err = new PrintWriter(text, true);

    private List<String> lines() {
        return text.toString().lines().toList();
    }

    @Test
    void aNullableColumnReaches100PercentAndTheRunEndsWithOneLine() {
        AtomicInteger reads = new AtomicInteger();
        try (RunProgress p = RunProgress.of(RunProgress.Mode.LINES, err)) {
            List<RunProgress.Pending> pending = List.of(new RunProgress.Pending("chat_messages.sender_id", 30_015, 0),
                new RunProgress.Pending("user_roles.user_id", 3_000, 1_000));
            try (BackfillProgress a = p.backfill("chat_messages.sender_id", 30_015, 0, () -> {
                reads.incrementAndGet();
                return pending;
            })) {
                a.batch(950, 1_000); // 50 NULLs in the range: covered, not updated
                a.batch(27_565, 29_015);
                a.finish();
            }
            assertEquals(List.of(), lines(), "no line before the last column is done");
            try (BackfillProgress b = p.backfill("user_roles.user_id", 3_000, 1_000, () -> {
                reads.incrementAndGet();
                return pending;
            })) {
                b.batch(2_000, 0);
                b.finish();
            }
        }
        assertEquals(1, reads.get(), "the columns still to do are read once, by the first backfill");
        List<String> l = lines();
        assertEquals(1, l.size(), l.toString());
        assertTrue(l.get(0).startsWith("backfill: 33,015 of 33,015 rows (100%), 2 columns done in "), l.toString());
    }

    @Test
    void aRunThatStopsSaysWhereTheBackfillsStood() {
        try (RunProgress p = RunProgress.of(RunProgress.Mode.LINES, err);
             BackfillProgress a = p.backfill("t.c", 1_000, 0, () -> {
                 throw new SQLException("no state");
             })) {
            a.batch(400, 0);
            a.batch(0, 2_000); // an estimate beyond the total: not done until it says so
        }
        assertEquals(List.of("backfill: stopped at 99% (999 of 1,000 rows)"), lines());
    }

    @Test
    void quietShowsNothing() {
        try (RunProgress p = RunProgress.of(RunProgress.Mode.OFF, err); BackfillProgress a = p.backfill("t.c", 10, 0, List::of)) {
            a.batch(10, 10);
            a.finish();
        }
        assertEquals("", text.toString());
    }

    @Test
    void withoutAConsoleTheTerminalModeFallsBackToLines() {
        // in-process (tests): Main has installed no console, so there is no terminal to draw on
        try (RunProgress p = RunProgress.of(RunProgress.Mode.TERMINAL, err)) {
            assertEquals(RunProgress.Mode.LINES, p.mode());
        }
    }
}
