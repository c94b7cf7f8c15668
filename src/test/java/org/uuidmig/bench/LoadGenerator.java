package org.uuidmig.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.uuidmig.engine.StepRunner;

/**
 * A fixed-rate application workload for the benchmark (scripts/bench.sh), not shipped in the jar.
 *
 * <pre>
 * LoadGenerator run    --url JDBC --out DIR [--rate 100] [--threads 8] [--duration S | --stop-file F] [--warmup 3]
 * LoadGenerator report --tx DIR/tx.csv [--from MS --to MS] [--label L] [--steps-log uuidmig.err] [--locks DIR/locks.csv]
 *                      [--env-out F --env-prefix P]
 * LoadGenerator verify --url JDBC --written DIR/written.csv [--env-out F --env-prefix P]
 * </pre>
 *
 * <p>Open loop: transaction i is due at start + i/rate, whatever happened before; several
 * worker threads take the next due transaction. Latency is measured from the due time, not
 * from when a worker got to it, so a stall shows up in full (no coordinated omission): a
 * worker blocked for 2 s makes the transactions queued behind it late, and they count as late.
 *
 * <p>The workload writes integers while a user column is integer and uuids once it is uuid.
 * It learns the change the way a deployed application would: a statement fails with a type
 * error (42804 datatype_mismatch, 42883 undefined_function, 22P02, or 0A000 "cached plan must
 * not change result type"), the transaction is rolled back, the column types are re-read from
 * pg_attribute, and only if a column the transaction used really changed type is it retried
 * (once more at most) with the new types. Such a transaction is counted as a type-switch
 * retry, with the retry's time in its latency, and not as a failure; any other error, or a
 * type error without a type change, is a failure.
 */
public final class LoadGenerator {
    static final Set<String> SWITCH_STATES = Set.of("42804", "42883", "22P02", "0A000");
    private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private LoadGenerator() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
            System.exit(2);
        }
        Map<String, String> o = options(args);
        int rc = switch (args[0]) {
            case "run" -> new Run(o).call(true);
            case "report" -> report(o);
            case "verify" -> verify(o);
            default -> {
                usage();
                yield 2;
            }
        };
        System.out.flush();
        System.exit(rc);
    }

    private static void usage() {
        System.err.println("usage: LoadGenerator run|report|verify [--option value]... (see the class Javadoc)");
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String k = args[i].substring(2);
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                o.put(k, args[++i]);
            } else {
                o.put(k, "true");
            }
        }
        return o;
    }

    static Connection connect(String url, String appName) throws SQLException {
        Properties p = new Properties();
        p.setProperty("ApplicationName", appName);
        p.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(url, p);
    }

    static String hms(long epochMs) {
        return LocalTime.ofInstant(Instant.ofEpochMilli(epochMs), ZoneId.systemDefault()).format(HMS);
    }

    private static void appendEnv(Map<String, String> o, String text) throws IOException {
        if (o.containsKey("env-out")) {
            Files.writeString(Path.of(o.get("env-out")), text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    /** The run: workers, lock sampler, stop conditions, output files. */
    static final class Run {
        private final String url;
        private final double rate;
        private final int threads;
        private final double duration;
        private final Path stopFile;
        private final Path out;
        private final double warmup;
        private final long seed;
        private final double maxDuration;
        private final double drainTimeout;
        private final boolean quiet;

        private final ColumnTypes types = new ColumnTypes();
        private final List<LatencyStats.Tx> txs = Collections.synchronizedList(new ArrayList<>());
        private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        private final List<String> switches = Collections.synchronizedList(new ArrayList<>());
        private final AtomicLong next = new AtomicLong();
        private final CountDownLatch finished = new CountDownLatch(1);
        private volatile long stopAtNanos = Long.MAX_VALUE;
        private volatile boolean signalled;
        private long t0Nanos;
        private long t0EpochMs;
        private long intervalNanos;

        Run(Map<String, String> o) {
            url = require(o, "url");
            out = Path.of(require(o, "out"));
            rate = Double.parseDouble(o.getOrDefault("rate", "100"));
            threads = Integer.parseInt(o.getOrDefault("threads", "8"));
            duration = Double.parseDouble(o.getOrDefault("duration", "0"));
            stopFile = o.containsKey("stop-file") ? Path.of(o.get("stop-file")) : null;
            warmup = Double.parseDouble(o.getOrDefault("warmup", "3"));
            seed = Long.parseLong(o.getOrDefault("seed", "42"));
            maxDuration = Double.parseDouble(o.getOrDefault("max-duration", "3600"));
            drainTimeout = Double.parseDouble(o.getOrDefault("drain-timeout", "60"));
            quiet = o.containsKey("quiet");
            if (duration <= 0 && stopFile == null) {
                throw new IllegalArgumentException("give --duration or --stop-file");
            }
        }

        private static String require(Map<String, String> o, String k) {
            String v = o.get(k);
            if (v == null) {
                throw new IllegalArgumentException("--" + k + " is required");
            }
            return v;
        }

        /** Runs until a stop condition; with signalHook, SIGTERM also stops it and still writes the files. */
        int call(boolean signalHook) throws Exception {
            Files.createDirectories(out);
            Workload.Universe universe;
            try (Connection c = connect(url, "loadgen-setup")) {
                universe = Workload.Universe.load(c);
                types.refresh(c);
            }
            List<Worker> workers = new ArrayList<>();
            AtomicLong markers = new AtomicLong(System.currentTimeMillis() * 1000L);
            for (int i = 0; i < threads; i++) {
                workers.add(new Worker(i, universe, markers));
            }
            LockSampler sampler = new LockSampler(connect(url, "bench-lock-sampler"));
            Thread samplerThread = new Thread(sampler, "lock-sampler");
            samplerThread.setDaemon(true);

            if (signalHook) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    signalled = true;
                    requestStop();
                    try {
                        finished.await(70, TimeUnit.SECONDS);
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                }, "stop-on-signal"));
            }

            intervalNanos = (long) (1_000_000_000L / rate);
            t0Nanos = System.nanoTime() + 50_000_000L;
            t0EpochMs = System.currentTimeMillis() + 50;
            samplerThread.start();
            List<Thread> threadList = new ArrayList<>();
            for (Worker w : workers) {
                Thread t = new Thread(w, "loadgen-" + w.index);
                t.setDaemon(true);
                t.start();
                threadList.add(t);
            }
            if (!quiet) {
                System.out.printf(Locale.ROOT, "loadgen: %d users, %.0f tx/s on %d threads, started %s%n", universe.userCount(), rate,
                    threads, hms(t0EpochMs));
            }
            // stop conditions: duration, stop file, max duration, signal
            while (stopAtNanos == Long.MAX_VALUE) {
                double elapsed = (System.nanoTime() - t0Nanos) / 1e9;
                if ((duration > 0 && elapsed >= duration) || elapsed >= maxDuration || (stopFile != null && Files.exists(stopFile))) {
                    requestStop();
                    break;
                }
                Thread.sleep(50);
            }
            long stopEpochMs = t0EpochMs + (stopAtNanos - t0Nanos) / 1_000_000;
            long drainDeadline = System.nanoTime() + (long) (drainTimeout * 1e9);
            int unfinished = 0;
            for (Thread t : threadList) {
                long left = Math.max(1, (drainDeadline - System.nanoTime()) / 1_000_000);
                t.join(left);
                if (t.isAlive()) {
                    unfinished++;
                }
            }
            sampler.stop();
            samplerThread.join(2000);
            sampler.close();
            for (Worker w : workers) {
                w.close();
            }
            long due = Math.max(0, (stopAtNanos - t0Nanos + intervalNanos - 1) / intervalNanos);
            long notRun = Math.max(0, due - txs.size() - unfinished);

            List<LatencyStats.Tx> all;
            synchronized (txs) {
                all = new ArrayList<>(txs);
            }
            all.sort(Comparator.comparingLong(LatencyStats.Tx::dueMs));
            List<String> lines = new ArrayList<>();
            lines.add(LatencyStats.CSV_HEADER);
            all.forEach(t -> lines.add(t.csv()));
            Files.write(out.resolve("tx.csv"), lines);
            Map<String, Workload.Written> written = new LinkedHashMap<>();
            for (Worker w : workers) {
                synchronized (w.written) {
                    for (Workload.Written x : w.written) {
                        written.put(x.table() + "/" + x.key(), x);
                    }
                }
            }
            WriteVerifier.write(out.resolve("written.csv"), written.values());
            sampler.write(out.resolve("locks.csv"));
            synchronized (failures) {
                Files.write(out.resolve("failures.log"), failures);
            }
            synchronized (switches) {
                Files.write(out.resolve("switches.log"), switches);
            }
            long fromMs = t0EpochMs + (long) (warmup * 1000);
            List<LatencyStats.Tx> measured = LatencyStats.window(all, fromMs, stopEpochMs);
            LatencyStats s = LatencyStats.of(measured);
            double seconds = Math.max(0, (stopEpochMs - fromMs) / 1000.0);
            String text = s.text(String.format(Locale.ROOT, "workload %s .. %s (after %.0f s warm-up)", hms(fromMs), hms(stopEpochMs), warmup),
                seconds) + "  not run           " + notRun + "\n  unfinished        " + unfinished + "   (still waiting at exit)\n"
                + "  rows recorded     " + written.size() + "\n";
            Files.writeString(out.resolve("summary.txt"), text);
            Files.writeString(out.resolve("summary.json"), String.format(Locale.ROOT,
                "{\"rate\":%s,\"threads\":%d,\"start_epoch_ms\":%d,\"stop_epoch_ms\":%d,\"warmup_s\":%s,\"not_run\":%d,\"unfinished\":%d,"
                    + "\"rows_recorded\":%d,\"latency\":%s}%n", rate, threads, t0EpochMs, stopEpochMs, warmup, notRun, unfinished,
                written.size(), s.json()));
            Files.writeString(out.resolve("run.env"), "LOADGEN_START_MS=" + t0EpochMs + "\nLOADGEN_STOP_MS=" + stopEpochMs
                + "\nLOADGEN_NOT_RUN=" + notRun + "\nLOADGEN_UNFINISHED=" + unfinished + "\n");
            if (!quiet) {
                System.out.print(text);
            }
            finished.countDown();
            if (signalled) {
                return 0;
            }
            return s.failed() == 0 && unfinished == 0 && notRun == 0 ? 0 : 1;
        }

        private synchronized void requestStop() {
            if (stopAtNanos == Long.MAX_VALUE) {
                stopAtNanos = System.nanoTime();
            }
        }

        /** One application connection; takes the next due transaction, runs it, records it. */
        final class Worker implements Runnable {
            final int index;
            final List<Workload.Written> written = new ArrayList<>();
            private final Workload.Universe universe;
            private final AtomicLong markers;
            private Connection conn;
            private Workload workload;

            Worker(int index, Workload.Universe universe, AtomicLong markers) throws SQLException {
                this.index = index;
                this.universe = universe;
                this.markers = markers;
                open();
            }

            void close() {
                try {
                    conn.close();
                } catch (SQLException ignored) {
                    // at exit
                }
            }

            private void open() throws SQLException {
                conn = connect(url, "loadgen-" + index);
                conn.setAutoCommit(false);
                workload = new Workload(conn, universe, index, threads, markers);
            }

            @Override
            public void run() {
                while (true) {
                    long i = next.getAndIncrement();
                    long due = t0Nanos + i * intervalNanos;
                    while (true) {
                        if (due >= stopAtNanos) {
                            return;
                        }
                        long now = System.nanoTime();
                        if (now >= due) {
                            break;
                        }
                        LockSupport.parkNanos(Math.min(due - now, 20_000_000L));
                    }
                    long txSeed = seed * 1_000_003L + i;
                    Workload.Kind kind = Workload.pick(new SplittableRandom(txSeed).nextInt(100));
                    LatencyStats.Outcome outcome = LatencyStats.Outcome.OK;
                    String state = null;
                    Map<String, Boolean> assumed = types.snapshot();
                    for (int attempt = 0; ; attempt++) {
                        try {
                            List<Workload.Written> w = workload.run(kind, assumed, txSeed);
                            synchronized (written) {
                                written.addAll(w);
                            }
                            break;
                        } catch (SQLException e) {
                            String s = e.getSQLState();
                            if (attempt < 2 && s != null && SWITCH_STATES.contains(s) && switched(assumed, kind, e)) {
                                outcome = LatencyStats.Outcome.SWITCHED;
                                assumed = types.snapshot();
                                continue;
                            }
                            outcome = LatencyStats.Outcome.FAILED;
                            state = s == null ? "?" : s;
                            long dueMs = t0EpochMs + (due - t0Nanos) / 1_000_000;
                            failures.add(hms(System.currentTimeMillis()) + " due " + hms(dueMs) + " worker " + index + " " + kind + " "
                                + state + ": " + oneLine(e));
                            if (s == null || s.startsWith("08") || isClosed()) {
                                reopen();
                            }
                            break;
                        } catch (RuntimeException e) {
                            outcome = LatencyStats.Outcome.FAILED;
                            state = "java";
                            failures.add(hms(System.currentTimeMillis()) + " worker " + index + " " + kind + ": " + e);
                            break;
                        }
                    }
                    long end = System.nanoTime();
                    long dueMs = t0EpochMs + (due - t0Nanos) / 1_000_000;
                    txs.add(new LatencyStats.Tx(dueMs, (end - due) / 1000, kind.name().toLowerCase(Locale.ROOT), outcome, index, state));
                }
            }

            /** After a type error: re-read the column types; true when one this kind uses really changed. */
            private boolean switched(Map<String, Boolean> assumed, Workload.Kind kind, SQLException e) {
                try {
                    Map<String, Boolean> fresh = types.refresh(conn);
                    boolean changed = ColumnTypes.changed(assumed, fresh, Workload.TABLES.get(kind));
                    if (changed) {
                        switches.add(hms(System.currentTimeMillis()) + " worker " + index + " " + kind + " " + e.getSQLState() + ": "
                            + oneLine(e) + " -> retried with " + fresh);
                    }
                    return changed;
                } catch (SQLException again) {
                    return false;
                }
            }

            private boolean isClosed() {
                try {
                    return conn.isClosed();
                } catch (SQLException e) {
                    return true;
                }
            }

            private void reopen() {
                try {
                    conn.close();
                } catch (SQLException ignored) {
                    // replaced below
                }
                try {
                    open();
                } catch (SQLException e) {
                    failures.add(hms(System.currentTimeMillis()) + " worker " + index + " cannot reconnect: " + oneLine(e));
                    LockSupport.parkNanos(500_000_000L);
                }
            }
        }
    }

    static String oneLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        return m.replace('\n', ' ');
    }

    /** A step of the uuidmig log, in milliseconds of the day. */
    record StepSpan(String name, String group, long fromMsOfDay, long toMsOfDay) {
    }

    private static final Pattern STEP_LINE = Pattern.compile(
        "^(\\d\\d):(\\d\\d):(\\d\\d)\\.(\\d{3}) \\[INFO\\] StepRunner - (.+): (starting|done in (\\d+) ms)$");

    static List<StepSpan> steps(Path log) throws IOException {
        List<StepSpan> out = new ArrayList<>();
        Map<String, Long> started = new HashMap<>();
        for (String line : Files.readAllLines(log)) {
            Matcher m = STEP_LINE.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            long t = ((Long.parseLong(m.group(1)) * 60 + Long.parseLong(m.group(2))) * 60 + Long.parseLong(m.group(3))) * 1000
                + Long.parseLong(m.group(4));
            String name = m.group(5);
            if (m.group(6).equals("starting")) {
                started.put(name, t);
            } else {
                long from = started.getOrDefault(name, t - Long.parseLong(m.group(7)));
                out.add(new StepSpan(name, name.split(" ")[0], from, t));
            }
        }
        out.sort(Comparator.comparingLong(StepSpan::fromMsOfDay));
        return out;
    }

    static long msOfDay(long epochMs) {
        return LocalTime.ofInstant(Instant.ofEpochMilli(epochMs), ZoneId.systemDefault()).toNanoOfDay() / 1_000_000;
    }

    static String stepOf(List<StepSpan> spans, long epochMs) {
        long t = msOfDay(epochMs);
        for (StepSpan s : spans) {
            if (t >= s.fromMsOfDay() && t <= s.toMsOfDay()) {
                return s.name();
            }
        }
        if (!spans.isEmpty() && t < spans.get(0).fromMsOfDay()) {
            return "(before the steps: validate-pre, flyway)";
        }
        return "(between/after steps)";
    }

    static int report(Map<String, String> o) throws IOException {
        List<LatencyStats.Tx> all = LatencyStats.read(Path.of(o.get("tx")));
        long from = Long.parseLong(o.getOrDefault("from", "0"));
        long to = Long.parseLong(o.getOrDefault("to", String.valueOf(Long.MAX_VALUE)));
        List<LatencyStats.Tx> w = LatencyStats.window(all, from, to);
        double seconds = w.isEmpty() ? 0 : (Math.min(to, w.get(w.size() - 1).dueMs()) - Math.max(from, w.get(0).dueMs())) / 1000.0;
        LatencyStats s = LatencyStats.of(w);
        StringBuilder sb = new StringBuilder(s.text(o.getOrDefault("label", "workload"), seconds));
        List<StepSpan> spans = o.containsKey("steps-log") ? steps(Path.of(o.get("steps-log"))) : List.of();
        if (!spans.isEmpty()) {
            sb.append("  by uuidmig step (transactions by due time; (before) = JVM start, validate-pre, Flyway set-up;\n"
                + "  (between) = between steps and after the last one):\n");
            sb.append(String.format(Locale.ROOT, "    %-12s %9s %6s %9s %9s %6s%n", "step", "time s", "tx", "p99 ms", "max ms", ">200ms"));
            Map<String, List<LatencyStats.Tx>> byGroup = new LinkedHashMap<>();
            Map<String, Long> groupMs = new LinkedHashMap<>();
            for (StepSpan sp : spans) {
                byGroup.computeIfAbsent(sp.group(), k -> new ArrayList<>());
                groupMs.merge(sp.group(), sp.toMsOfDay() - sp.fromMsOfDay(), Long::sum);
            }
            byGroup.put("(before)", new ArrayList<>());
            byGroup.put("(between)", new ArrayList<>());
            long firstStep = spans.get(0).fromMsOfDay();
            if (from > 0) {
                groupMs.put("(before)", Math.max(0, firstStep - msOfDay(from)));
            }
            for (LatencyStats.Tx t : w) {
                String step = stepOf(spans, t.dueMs());
                String g = step.startsWith("(before") ? "(before)" : step.startsWith("(") ? "(between)" : step.split(" ")[0];
                byGroup.get(g).add(t);
            }
            byGroup.forEach((g, list) -> {
                LatencyStats gs = LatencyStats.of(list);
                sb.append(String.format(Locale.ROOT, "    %-12s %9.1f %6d %9s %9s %6d%n", g, groupMs.getOrDefault(g, 0L) / 1000.0,
                    gs.count(), LatencyStats.ms(gs.p99Us()), LatencyStats.ms(gs.maxUs()), gs.over200ms()));
            });
        }
        int slowest = Integer.parseInt(o.getOrDefault("slowest", "8"));
        if (slowest > 0 && !w.isEmpty()) {
            List<LatencyStats.Tx> sorted = new ArrayList<>(w);
            sorted.sort(Comparator.comparingLong(LatencyStats.Tx::latencyUs).reversed());
            sb.append("  slowest transactions (due time, latency, kind, outcome").append(spans.isEmpty() ? "" : ", uuidmig step").append("):\n");
            for (LatencyStats.Tx t : sorted.subList(0, Math.min(slowest, sorted.size()))) {
                sb.append(String.format(Locale.ROOT, "    %s %9s ms  %-8s %-8s %s%n", hms(t.dueMs()), LatencyStats.ms(t.latencyUs()), t.kind(),
                    t.outcome().name().toLowerCase(Locale.ROOT) + (t.sqlState() == null ? "" : " " + t.sqlState()),
                    spans.isEmpty() ? "" : stepOf(spans, t.dueMs())));
            }
        }
        if (o.containsKey("locks") && Files.exists(Path.of(o.get("locks")))) {
            sb.append(LockSampler.summary(Path.of(o.get("locks")), from, to, Integer.parseInt(o.getOrDefault("lock-top", "8"))));
        }
        System.out.print(sb);
        if (o.containsKey("env-prefix")) {
            appendEnv(o, s.env(o.get("env-prefix")));
        }
        return 0;
    }

    static int verify(Map<String, String> o) throws Exception {
        try (Connection c = connect(o.get("url"), "loadgen-verify")) {
            List<WriteVerifier.Result> r = WriteVerifier.verify(c, Path.of(o.get("written")));
            System.out.print(WriteVerifier.text(r));
            if (o.containsKey("env-prefix")) {
                appendEnv(o, WriteVerifier.env(o.get("env-prefix"), r));
            }
            return r.stream().allMatch(x -> x.lost() + x.wrong() + x.resurrected() == 0) ? 0 : 1;
        }
    }
}
