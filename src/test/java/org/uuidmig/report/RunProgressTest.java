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

    /** --throttle: the plain line ends with the throttle's state while it throttles, and says nothing of it otherwise. */
    @Test
    void thePlainLineShowsTheThrottleState() throws Exception {
        java.util.concurrent.atomic.AtomicReference<String> state = new java.util.concurrent.atomic.AtomicReference<>(
            "throttled (level 2 of 4): replica lag 12 s > 10 s");
        try (RunProgress p = RunProgress.lines(err, 20); BackfillProgress a = p.backfill("t.c", 1_000, 0, List::of)) {
            p.throttle(state::get);
            a.batch(100, 100);
            awaitLine(l -> l.endsWith("; throttled (level 2 of 4): replica lag 12 s > 10 s"));
            state.set(null);
            text.getBuffer().setLength(0);
            awaitLine(l -> l.startsWith("backfill: 100 of 1,000 rows (10%)"));
            assertTrue(lines().stream().noneMatch(l -> l.contains("throttled")), lines().toString());
        }
    }

    /** On a terminal the throttle's state is a status line of its own, above the bar, and goes when the throttle lifts. */
    @Test
    void theTerminalShowsTheThrottleStateAboveTheBar() throws Exception {
        java.io.ByteArrayOutputStream term = new java.io.ByteArrayOutputStream();
        LiveConsole console = new LiveConsole(term, java.nio.charset.StandardCharsets.UTF_8, 100, 10);
        java.util.concurrent.atomic.AtomicReference<String> state = new java.util.concurrent.atomic.AtomicReference<>(
            "throttled (level 1 of 4): probe latency 4.3x > 3x baseline");
        try (RunProgress p = RunProgress.on(console, err); BackfillProgress a = p.backfill("t.c", 1_000, 0, List::of)) {
            p.throttle(state::get);
            a.batch(100, 100);
            // a frame may be drawn between throttle() and batch(): wait for one that shows both
            List<String> frame = awaitFrame(term, f -> f.stream().anyMatch(l -> l.contains("throttled"))
                && f.stream().anyMatch(l -> l.startsWith("backfill  10%")));
            assertEquals("  throttled (level 1 of 4): probe latency 4.3x > 3x baseline", frame.get(frame.size() - 2), frame.toString());
            assertTrue(frame.get(frame.size() - 1).startsWith("backfill  10%"), frame.toString());
            state.set(null);
            frame = awaitFrame(term, f -> f.stream().noneMatch(l -> l.contains("throttled")));
            assertTrue(frame.get(frame.size() - 1).startsWith("backfill  10%"), frame.toString());
        }
    }

    private void awaitLine(java.util.function.Predicate<String> wanted) throws InterruptedException {
        long until = System.nanoTime() + 10_000_000_000L;
        while (lines().stream().noneMatch(wanted)) {
            assertTrue(System.nanoTime() < until, "no such line within 10 s: " + lines());
            Thread.sleep(10);
        }
    }

    /** The status lines last drawn: what follows the last erase. */
    private static List<String> awaitFrame(java.io.ByteArrayOutputStream term, java.util.function.Predicate<List<String>> wanted)
        throws InterruptedException {
        long until = System.nanoTime() + 10_000_000_000L;
        while (true) {
            String all = term.toString(java.nio.charset.StandardCharsets.UTF_8);
            int erase = all.lastIndexOf("\033[J");
            List<String> frame = (erase < 0 ? all : all.substring(erase + 3)).lines().toList();
            if (!frame.isEmpty() && wanted.test(frame)) {
                return frame;
            }
            assertTrue(System.nanoTime() < until, "no such frame within 10 s: " + frame);
            Thread.sleep(20);
        }
    }
}
