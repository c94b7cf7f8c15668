package org.uuidmig.report;

import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The progress of one migrate or rollback run, shared by its backfill workers: one overall bar for the rows of
 * every column to backfill, with the speed and an ETA, and one short line per running step.
 * <ul>
 * <li>{@link Mode#TERMINAL}: the bar and the step lines are the status lines of the {@link LiveConsole} at the
 * bottom of the terminal, redrawn every {@value #TICK_MILLIS} ms; log lines go above them.</li>
 * <li>{@link Mode#LINES} (stderr is a file or a pipe): one plain line for the whole run every
 * {@value #DEFAULT_INTERVAL_MILLIS} ms while backfills run ({@code -Duuidmig.progress.intervalMillis=N} changes
 * that, for tests), no control characters.</li>
 * <li>{@link Mode#OFF} ({@code --quiet}): nothing.</li>
 * </ul>
 * In every mode but OFF, one line says when the backfills are all done, or where they stood if the run stops first.
 * A column counts the rows its batches covered, not the rows they changed: NULLs stay NULL and are not updated,
 * and a column with 5% NULLs must still reach 100%.
 */
public final class RunProgress implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RunProgress.class);
    static final long TICK_MILLIS = 100;
    static final long DEFAULT_INTERVAL_MILLIS = 10_000;
    /** The speed is measured over this much of the recent past. */
    private static final long RATE_WINDOW_NANOS = 10_000_000_000L;
    private static final long SAMPLE_NANOS = 250_000_000L;

    /** Where progress goes. */
    public enum Mode { TERMINAL, LINES, OFF }

    /** A column whose backfill is still to do, as the state records it when the first backfill of the run starts. */
    public record Pending(String column, long total, long done) {
    }

    private static final BackfillProgress NOTHING = new BackfillProgress() {
        @Override
        public void batch(long updated, long scanned) {
        }

        @Override
        public void finish() {
        }

        @Override
        public void close() {
        }
    };

    private final Mode mode;
    private final PrintWriter lines;
    private final LiveConsole console;
    private final long intervalNanos;

    private final Map<String, Column> columns = new LinkedHashMap<>();
    private final Map<String, Long> steps = new LinkedHashMap<>();
    private final Deque<long[]> samples = new ArrayDeque<>();
    private boolean pendingRead;
    private long firstStart = -1;
    private long coveredAtStart;
    private long lastPlain;
    private boolean ended;
    private boolean closed;
    private List<String> lastFrame = List.of();
    private ScheduledExecutorService ticker;
    /** The throttle's state ("throttled (level 2 of 4): replica lag 12 s > 10 s"), or null while it does not throttle. */
    private volatile Supplier<String> throttle = () -> null;

    private RunProgress(Mode mode, PrintWriter lines, LiveConsole console, long intervalMillis) {
        this.mode = mode;
        this.lines = lines;
        this.console = console;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, intervalMillis));
    }

    /** Progress on {@code console} (TERMINAL), for tests. */
    static RunProgress on(LiveConsole console, PrintWriter err) {
        return new RunProgress(Mode.TERMINAL, err, console, DEFAULT_INTERVAL_MILLIS);
    }

    /** Plain lines on {@code err} every {@code intervalMillis}, for tests. */
    static RunProgress lines(PrintWriter err, long intervalMillis) {
        return new RunProgress(Mode.LINES, err, null, intervalMillis);
    }

    /**
     * Where the throttle's state comes from (--throttle): while it gives a text, the terminal shows it as a status line
     * above the bar, and the plain progress line ends with it.
     */
    public void throttle(Supplier<String> state) {
        this.throttle = state == null ? () -> null : state;
    }

    /** Progress that shows nothing. */
    public static RunProgress off() {
        return new RunProgress(Mode.OFF, null, null, DEFAULT_INTERVAL_MILLIS);
    }

    /**
     * Progress in the given mode: TERMINAL draws on the installed {@link LiveConsole} (LINES when there is none),
     * LINES prints to {@code err}.
     */
    public static RunProgress of(Mode mode, PrintWriter err) {
        long interval = Long.getLong("uuidmig.progress.intervalMillis", DEFAULT_INTERVAL_MILLIS);
        if (mode == Mode.TERMINAL && LiveConsole.current() != null) {
            return new RunProgress(Mode.TERMINAL, err, LiveConsole.current(), interval);
        }
        return mode == Mode.OFF ? off() : new RunProgress(Mode.LINES, err, null, interval);
    }

    public Mode mode() {
        return mode;
    }

    /**
     * A column's backfill starts.
     *
     * @param column  its name, table.column
     * @param total   its rows (as counted at the start of the migration)
     * @param done    rows done by an earlier run
     * @param pending every column of the run still to backfill: read once, by the first backfill to start, for the
     *                overall total; a failure to read it leaves the total to the columns that start
     */
    public BackfillProgress backfill(String column, long total, long done, Callable<List<Pending>> pending) {
        synchronized (this) {
            if (mode == Mode.OFF) {
                return NOTHING;
            }
            if (!pendingRead) {
                pendingRead = true;
                try {
                    for (Pending p : pending.call()) {
                        columns.putIfAbsent(p.column(), new Column(p.column(), p.total(), p.done()));
                    }
                } catch (Exception e) {
                    LOG.debug("progress: the columns still to backfill are not known ({}); the bar counts those that start", e.toString());
                }
            }
            Column c = columns.computeIfAbsent(column, k -> new Column(column, total, done));
            c.total = Math.max(total, 0);
            c.covered = c.capped(done);
            c.active = true;
            c.finished = false;
            long now = System.nanoTime();
            if (firstStart < 0) {
                firstStart = now;
                lastPlain = now;
                coveredAtStart = covered();
                ended = false;
            }
            startTicker();
            return c;
        }
    }

    /** A step other than a backfill starts: on a terminal it has a line while it runs. */
    public synchronized void stepStarted(String label) {
        if (mode == Mode.TERMINAL) {
            steps.put(label, System.nanoTime());
            startTicker();
        }
    }

    public synchronized void stepEnded(String label) {
        steps.remove(label);
    }

    /** Stops the display: prints where the backfills stood if they did not all finish, and erases the status lines. */
    @Override
    public void close() {
        ScheduledExecutorService t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            t = ticker;
        }
        if (t != null) {
            t.shutdownNow();
            try {
                t.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            if (firstStart >= 0 && !ended && mode != Mode.OFF) {
                ended = true;
                println(ProgressText.stopped(covered(), total()));
            }
            if (mode == Mode.TERMINAL) {
                console.clear();
            }
        }
    }

    // --- the display, under this object's lock

    private void startTicker() {
        if (ticker != null || closed || mode == Mode.OFF) {
            return;
        }
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread th = new Thread(r, "uuidmig-progress");
            th.setDaemon(true);
            return th;
        });
        long period = mode == Mode.TERMINAL ? TICK_MILLIS : Math.min(500, Math.max(10, intervalNanos / 4_000_000));
        ticker.scheduleAtFixedRate(this::tick, 0, period, TimeUnit.MILLISECONDS);
    }

    private synchronized void tick() {
        if (closed) {
            return;
        }
        try {
            long now = System.nanoTime();
            sample(now);
            if (mode == Mode.TERMINAL) {
                List<String> frame = frame(now);
                if (!frame.equals(lastFrame)) {
                    lastFrame = frame;
                    console.show(frame);
                }
            } else if (backfilling() && now - lastPlain >= intervalNanos) {
                lastPlain = now;
                String t = throttleState();
                println(ProgressText.plain(covered(), total(), rate(now), activeColumns()) + (t == null ? "" : "; " + t));
            }
        } catch (RuntimeException e) {
            LOG.debug("progress display: {}", e.toString());
        }
    }

    /** The status lines: a line per running step and per active column, then the overall bar while backfills run. */
    private List<String> frame(long now) {
        int width = console.width() - 1;
        List<String> out = new ArrayList<>();
        int nameWidth = 0;
        for (Column c : columns.values()) {
            if (c.active) {
                nameWidth = Math.max(nameWidth, c.name.length());
            }
        }
        for (Column c : columns.values()) {
            if (c.active) {
                out.add(ProgressText.column(c.name, nameWidth, c.covered, c.total, width));
            }
        }
        for (Map.Entry<String, Long> s : steps.entrySet()) {
            out.add(ProgressText.step(s.getKey(), (now - s.getValue()) / 1e9, width));
        }
        String t = throttleState();
        if (t != null) {
            out.add(ProgressText.step(t, 0, width));
        }
        if (backfilling()) {
            out.add(ProgressText.overall(covered(), total(), rate(now), width));
        }
        return out;
    }

    /** The throttle's state, or null; a failure to read it shows nothing. */
    private String throttleState() {
        try {
            return throttle.get();
        } catch (RuntimeException e) {
            LOG.debug("progress: throttle state not known: {}", e.toString());
            return null;
        }
    }

    private boolean backfilling() {
        return firstStart >= 0 && !ended;
    }

    private void sample(long now) {
        if (!backfilling()) {
            return;
        }
        if (samples.isEmpty() || now - samples.peekLast()[0] >= SAMPLE_NANOS) {
            samples.addLast(new long[] {now, covered()});
        }
        while (samples.size() > 2 && now - samples.peekFirst()[0] > RATE_WINDOW_NANOS) {
            samples.removeFirst();
        }
    }

    /** Rows per second over the last ten seconds (since the start, before there are two samples); -1 in the first second. */
    private double rate(long now) {
        if (firstStart < 0 || now - firstStart < 1_000_000_000L) {
            return -1;
        }
        long covered = covered();
        long[] oldest = samples.peekFirst();
        if (oldest == null || now - oldest[0] < 500_000_000L) {
            return (covered - coveredAtStart) / ((now - firstStart) / 1e9);
        }
        return (covered - oldest[1]) / ((now - oldest[0]) / 1e9);
    }

    private long covered() {
        long sum = 0;
        for (Column c : columns.values()) {
            sum += c.covered;
        }
        return sum;
    }

    private long total() {
        long sum = 0;
        for (Column c : columns.values()) {
            sum += c.total;
        }
        return sum;
    }

    private List<String> activeColumns() {
        List<String> out = new ArrayList<>();
        for (Column c : columns.values()) {
            if (c.active) {
                out.add(c.name + " " + ProgressText.percent(c.covered, c.total) + "%");
            }
        }
        return out;
    }

    /** A line that stays: above the status lines on a terminal, else on err. */
    private void println(String line) {
        if (mode == Mode.TERMINAL) {
            console.println(line);
        } else if (mode == Mode.LINES && lines != null) {
            lines.println(line);
            lines.flush();
        }
    }

    /** When the last column is done: the line that ends the backfills, and the bar goes. */
    private void columnFinished() {
        if (ended || columns.values().stream().anyMatch(c -> !c.finished)) {
            return;
        }
        ended = true;
        long now = System.nanoTime();
        long thisRun = covered() - coveredAtStart;
        double seconds = (now - firstStart) / 1e9;
        if (mode == Mode.TERMINAL) {
            console.show(List.of()); // the line that stays replaces the bar, which is not drawn again below it
        }
        // on a terminal the bar itself stays, full; in a log, one plain line
        println(mode == Mode.TERMINAL ? ProgressText.overallDone(total(), seconds, thisRun, console.width() - 1)
            : ProgressText.finished(total(), columns.size(), seconds, thisRun));
        if (mode == Mode.TERMINAL && !closed) {
            lastFrame = frame(now);
            console.show(lastFrame);
        }
    }

    /** One column: what the bar counts for it. Its methods are called by the worker that backfills it. */
    private final class Column implements BackfillProgress {
        private final String name;
        private long total;
        private long covered;
        private boolean active;
        private boolean finished;

        Column(String name, long total, long done) {
            this.name = name;
            this.total = Math.max(total, 0);
            this.covered = capped(done);
        }

        /** Rows covered, short of the total until the column is done: 100% means done, not "the last batch is running". */
        long capped(long rows) {
            return Math.max(0, Math.min(rows, total - 1));
        }

        @Override
        public void batch(long updated, long scanned) {
            synchronized (RunProgress.this) {
                covered = capped(covered + Math.max(Math.max(updated, scanned), 0));
            }
        }

        @Override
        public void finish() {
            synchronized (RunProgress.this) {
                covered = total;
                finished = true;
                active = false;
                columnFinished();
            }
        }

        @Override
        public void close() {
            synchronized (RunProgress.this) {
                active = false;
            }
        }
    }
}
