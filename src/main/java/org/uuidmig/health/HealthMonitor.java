package org.uuidmig.health;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.uuidmig.config.HealthPolicy;
import org.uuidmig.db.Database;
import org.uuidmig.db.RunLock;
import org.uuidmig.db.SqlState;
import org.uuidmig.engine.StateStore;

/**
 * Samples the database's health about once a second while a migrate or rollback runs its steps, on a connection of its
 * own, on a daemon thread: {@link #latest()} is the last sample, an immutable {@link HealthSnapshot} with each signal, its
 * bound ({@link HealthPolicy}) and whether it is over it. The signals:
 * <ul>
 *   <li><b>latency</b>: a probe transaction, a one-row upsert into uuidmig.probe committed on its own (so it pays for CPU,
 *   locks and the WAL flush as the application's writes do), timed against a baseline: the median of
 *   {@value #BASELINE_PROBES} probes taken {@value #BASELINE_SPACING_MILLIS} ms apart when the monitor opens, before the
 *   steps. Between samples the monitor probes every {@value #PROBE_SPACING_MILLIS} ms; the signal is the 90th percentile
 *   of the probes of the last {@value #PROBE_WINDOW_MILLIS} ms over the baseline, so that it sees the slow commits of the
 *   application's tail but not one lone slow commit. It is over its bound only when that probe is also more than
 *   {@link HealthPolicy#latencyFloor()} slower than the baseline, and while some other session is busy
 *   ({@link HealthSnapshot#busySessions()}): with none, nobody's latency is at stake.</li>
 *   <li><b>replica lag</b>: pg_stat_replication.replay_lag of the slowest physical standby (a streaming standby without a
 *   measured lag has replayed everything: 0).</li>
 *   <li><b>slot WAL</b>: pg_current_wal_lsn() - restart_lsn of the most demanding replication slot.</li>
 *   <li><b>wraparound vacuum</b>: an autovacuum worker whose query says "to prevent wraparound", vacuuming (per
 *   pg_stat_progress_vacuum) one of the migrated tables; such a vacuum cannot be cancelled, and the backfill's locks and
 *   dead rows compete with it.</li>
 *   <li><b>long transaction</b>: the oldest transaction of the database that holds a snapshot or a transaction id (so the
 *   cleanup of the backfill's dead rows waits for it), from pg_stat_activity's client backends and pg_prepared_xacts;
 *   this process's own sessions (every connection uuidmig opened) are left out.</li>
 * </ul>
 * The monitor never touches an application table: it reads statistics views and writes only its rows in uuidmig.probe
 * and uuidmig.health. Its session has a statement_timeout of {@value #STATEMENT_TIMEOUT_MILLIS} ms and a short
 * lock_timeout, so it can never hang; a probe that times out counts as that slow. A view, column or privilege that is
 * missing (PostgreSQL 12 to 18; without pg_read_all_stats other roles' sessions are hidden) makes the signal unavailable,
 * which is logged once. A signal going over its bound is logged (warn), and coming back under it (info); nothing is
 * logged while it stays where it is. Each sample is written to uuidmig.health (at most once a second) for
 * {@code uuidmig status}; the row is deleted when the monitor stops.
 */
public final class HealthMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);
    /** How often the monitor samples. */
    public static final Duration INTERVAL = Duration.ofSeconds(1);
    /** Probes of the baseline (after one that warms the session up). */
    static final int BASELINE_PROBES = 5;
    /**
     * The pause before each probe of the baseline. Back-to-back commits of an otherwise idle session are several times
     * faster (0.2 ms against 1 ms on the project's machine) than the lone commit the monitor times once a second, whose
     * backend and walwriter have gone to sleep in between; 20 ms apart they already cost what a lone one does.
     */
    static final long BASELINE_SPACING_MILLIS = 25;
    /** Between two samples the monitor probes every this many ms, so that the window below holds enough probes to see a tail. */
    static final long PROBE_SPACING_MILLIS = 200;
    /** The latency signal reads the probes of the last this many ms ... */
    static final long PROBE_WINDOW_MILLIS = 2_000;
    /**
     * ... at this percentile. The application's slow commits under a backfill are its tail (a few percent of its writes
     * wait tens of ms for the WAL flush), which the median of one probe a second never saw: measured in
     * docs/performance.md ("Calibrating the throttle").
     */
    static final double PROBE_PERCENTILE = 0.9;
    /** Longest transactions a snapshot lists. */
    static final int TRANSACTIONS_SHOWN = 5;
    static final long STATEMENT_TIMEOUT_MILLIS = 5_000;
    private static final long LOCK_TIMEOUT_MILLIS = 1_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Work done on the monitor's connection after each sample (the metrics' progress reading), on its thread. */
    @FunctionalInterface
    public interface SampleListener {
        void sampled(Connection c, HealthSnapshot snapshot) throws SQLException;
    }

    private final Database db;
    private final String command;
    private final String schema;
    private final Set<String> tables;
    private final HealthPolicy policy;
    private final List<SampleListener> listeners = new CopyOnWriteArrayList<>();
    /** Guards the connection and everything a sample updates. */
    private final Object sampling = new Object();
    private final Object sleeping = new Object();
    private Connection conn;
    private PreparedStatement probeStatement;
    private Boolean privileged;
    private Duration baseline;
    private String baselineProblem;
    /** The probes of the last {@link #PROBE_WINDOW_MILLIS}: when each ended (nanoTime) and how long it took. */
    private final java.util.ArrayDeque<long[]> recent = new java.util.ArrayDeque<>();
    private final Map<SignalKind, Boolean> wasOver = new EnumMap<>(SignalKind.class);
    private final Map<SignalKind, String> saidUnavailable = new EnumMap<>(SignalKind.class);
    private final Set<String> saidOnce = new HashSet<>();
    private volatile HealthSnapshot latest;
    private volatile boolean stopped;
    private volatile Thread thread;

    private HealthMonitor(Database db, String command, String schema, List<String> tables, HealthPolicy policy) {
        this.db = db;
        this.command = command;
        this.schema = schema;
        this.tables = Set.copyOf(tables);
        this.policy = policy;
    }

    /**
     * Opens the monitor's connection and measures the probe's baseline; {@link #startSampling} then samples every
     * {@link #INTERVAL} on a daemon thread (until then, {@link #sampleNow} samples on the caller's). Never fails the run:
     * what cannot be measured is unavailable, and said so once.
     *
     * @param command the run ("migrate", "rollback"): its session is named "uuidmig COMMAND health"
     * @param schema  the application schema (the probe's and the health row's key)
     * @param tables  the migrated tables, "schema.table" unquoted, for the wraparound signal
     */
    public static HealthMonitor open(Database db, String command, String schema, List<String> tables, HealthPolicy policy) {
        HealthMonitor m = new HealthMonitor(db, command, schema, tables, policy);
        synchronized (m.sampling) {
            m.measureBaseline();
        }
        return m;
    }

    /** Starts sampling every {@link #INTERVAL} on a daemon thread, from now on (the first sample at once). */
    public HealthMonitor startSampling() {
        synchronized (sampling) {
            if (thread == null && !stopped) {
                thread = new Thread(this::loop, "uuidmig-health");
                thread.setDaemon(true);
                thread.start();
            }
        }
        return this;
    }

    /** Whether its thread samples (after {@link #startSampling}, until {@link #close}). */
    boolean sampling() {
        return thread != null && !stopped;
    }

    /** The last sample, or null before the first. */
    public HealthSnapshot latest() {
        return latest;
    }

    /** The probe's baseline, or null when it could not be measured. */
    public Duration baseline() {
        synchronized (sampling) {
            return baseline;
        }
    }

    public HealthPolicy policy() {
        return policy;
    }

    /** Adds work to do on the monitor's connection after each sample. */
    public void onSample(SampleListener listener) {
        listeners.add(listener);
    }

    /** Stops sampling, deletes the health row, closes the connection. */
    @Override
    public void close() {
        stopped = true;
        synchronized (sleeping) {
            sleeping.notifyAll();
        }
        if (thread != null) {
            try {
                thread.join(STATEMENT_TIMEOUT_MILLIS + 2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (sampling) {
            if (conn != null) {
                try (PreparedStatement ps = conn.prepareStatement("DELETE FROM uuidmig.health WHERE table_schema = ?")) {
                    ps.setString(1, schema);
                    ps.executeUpdate();
                } catch (SQLException e) {
                    LOG.debug("health: the sample row was not deleted: {}", e.getMessage());
                }
            }
            closeConnection();
        }
    }

    private void loop() {
        while (!stopped && !RunLock.interrupted()) {
            long next = System.nanoTime() + INTERVAL.toNanos();
            try {
                sampleNow();
            } catch (RuntimeException e) {
                once("sample", "health: a sample failed: " + e.getMessage());
                LOG.debug("health: sample failed", e);
            }
            // probes in between, every PROBE_SPACING_MILLIS, so that the latency signal sees more than one commit a second
            while (!stopped && !RunLock.interrupted()) {
                long toNext = next - System.nanoTime();
                long wait = Math.min(toNext, PROBE_SPACING_MILLIS * 1_000_000) / 1_000_000;
                if (wait > 0) {
                    synchronized (sleeping) {
                        try {
                            sleeping.wait(wait);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
                if (stopped || next - System.nanoTime() < PROBE_SPACING_MILLIS * 1_000_000 / 2) {
                    break;
                }
                probeBetween();
            }
        }
    }

    /** Takes one sample now (on the calling thread), records it as {@link #latest()} and returns it. */
    public HealthSnapshot sampleNow() {
        synchronized (sampling) {
            Connection c = connection();
            Instant at = Instant.now();
            Reading<Duration> probe = c == null ? Reading.unavailable("no monitor connection") : probe(c);
            Reading<List<HealthSnapshot.Standby>> standbys = read(c, "replication", HealthQueries::standbys);
            Reading<List<HealthSnapshot.Slot>> slots = read(c, "slots", HealthQueries::slots);
            Reading<List<HealthSnapshot.Vacuum>> vacuums = read(c, "wraparound",
                x -> HealthQueries.wraparound(x, tables, Boolean.TRUE.equals(privileged)));
            Reading<List<HealthSnapshot.Transaction>> xacts = read(c, "transactions",
                x -> HealthQueries.transactions(x, Database.ownBackendPids(), TRANSACTIONS_SHOWN));
            Reading<Integer> busy = read(c, "sessions", x -> HealthQueries.busySessions(x, Database.ownBackendPids()));
            List<Signal> signals = List.of(latencySignal(probe, busy.value), replicaSignal(standbys), slotSignal(slots), wraparoundSignal(vacuums),
                transactionSignal(xacts));
            HealthSnapshot s = new HealthSnapshot(at, baseline, probe.value, orEmpty(standbys), orEmpty(slots), orEmpty(vacuums),
                orEmpty(xacts), signals, busy.value);
            latest = s;
            report(s);
            if (c != null) {
                persist(c, s);
                for (SampleListener l : listeners) {
                    try {
                        l.sampled(c, s);
                    } catch (SQLException | RuntimeException e) {
                        once("listener " + l.getClass().getName(), "health: " + e.getMessage());
                        lost(e);
                    }
                }
            }
            return s;
        }
    }

    // --- the connection

    /** The monitor's connection, opened (again, after a loss) when needed; null when the server cannot be reached. */
    private Connection connection() {
        if (conn != null) {
            return conn;
        }
        if (RunLock.interrupted()) {
            return null; // SIGINT/SIGTERM: the run is ending its sessions and prints its one line; nothing to add
        }
        try {
            Connection c = db.connect(command + " health");
            try (Statement st = c.createStatement()) {
                st.execute("SET statement_timeout = " + STATEMENT_TIMEOUT_MILLIS);
                st.execute("SET lock_timeout = " + LOCK_TIMEOUT_MILLIS);
            }
            conn = c;
            if (privileged == null) {
                privileged = HealthQueries.privileged(c);
            }
            try {
                StateStore.ensureHealth(c);
            } catch (SQLException | RuntimeException e) {
                // the probe then says what is missing; a schema uuidmig that is not uuidmig's own is never written
                once("ensure", "health: no probe table: " + e.getMessage());
            }
            return c;
        } catch (SQLException | RuntimeException e) {
            once("connect", "health: cannot open the monitor's connection (" + e.getMessage() + "); the signals are not watched "
                + "until it can");
            closeConnection();
            return null;
        }
    }

    private void closeConnection() {
        Database.closeQuietly(probeStatement);
        probeStatement = null;
        Database.closeQuietly(conn);
        conn = null;
    }

    /** A lost connection is opened again at the next sample. */
    private void lost(Exception e) {
        if (e instanceof SQLException se && SqlState.isConnectionLost(se)) {
            closeConnection();
        }
    }

    // --- the probe

    private void measureBaseline() {
        Connection c = connection();
        if (c == null) {
            baselineProblem = "no monitor connection";
            return;
        }
        List<Duration> probes = new ArrayList<>();
        for (int i = 0; i <= BASELINE_PROBES; i++) {
            if (i > 0) {
                try {
                    Thread.sleep(BASELINE_SPACING_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    baselineProblem = "interrupted";
                    return;
                }
            }
            Reading<Duration> p = probe(c);
            if (p.unavailable != null) {
                baselineProblem = p.unavailable;
                return;
            }
            if (i > 0) { // the first one prepares the statement and warms the session up
                probes.add(p.value);
            }
        }
        baseline = median(probes);
        LOG.debug("health: probe baseline {} (median of {} probes)", baseline, BASELINE_PROBES);
    }

    /** A probe between two samples: it only joins the latency signal's window. */
    private void probeBetween() {
        synchronized (sampling) {
            Connection c = conn; // never opens one: the next sample does
            if (c != null && baseline != null) {
                Reading<Duration> p = probe(c);
                if (p.unavailable == null) {
                    remember(p.value);
                }
            }
        }
    }

    private void remember(Duration probe) {
        long now = System.nanoTime();
        recent.addLast(new long[] {now, probe.toNanos()});
        while (recent.size() > 1 && now - recent.peekFirst()[0] > PROBE_WINDOW_MILLIS * 1_000_000) {
            recent.removeFirst();
        }
    }

    /** The value at fraction {@code q} (0 to 1) of the sorted values, nearest rank. */
    static Duration percentile(List<Duration> values, double q) {
        List<Duration> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    /** One probe: its write and commit, timed. A probe that times out counts as that slow. */
    private Reading<Duration> probe(Connection c) {
        long t0 = System.nanoTime();
        try {
            if (probeStatement == null) {
                probeStatement = c.prepareStatement("""
                    INSERT INTO uuidmig.probe AS p (table_schema) VALUES (?)
                    ON CONFLICT (table_schema) DO UPDATE SET probes = p.probes + 1, probed_at = pg_catalog.now()""");
            }
            probeStatement.setString(1, schema);
            probeStatement.executeUpdate(); // auto-commit: the write and its commit in one round trip
            return Reading.of(Duration.ofNanos(System.nanoTime() - t0));
        } catch (SQLException e) {
            if (SqlState.QUERY_CANCELED.equals(e.getSQLState()) || SqlState.LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                return Reading.of(Duration.ofNanos(System.nanoTime() - t0));
            }
            lost(e);
            return Reading.unavailable("the probe failed: " + firstLine(e.getMessage()));
        }
    }

    /** @param busy the other sessions busy now (null: not known, taken as some) */
    private Signal latencySignal(Reading<Duration> probe, Integer busy) {
        double bound = policy.maxLatencyFactor();
        if (baseline == null) {
            return new Signal(SignalKind.LATENCY, null, bound, false, null, "no baseline: " + baselineProblem);
        }
        if (probe.unavailable != null) {
            return new Signal(SignalKind.LATENCY, null, bound, false, null, probe.unavailable);
        }
        remember(probe.value);
        List<Duration> window = recent.stream().map(x -> Duration.ofNanos(x[1])).toList();
        Duration typical = percentile(window, PROBE_PERCENTILE);
        double factor = typical.toNanos() / (double) Math.max(1, baseline.toNanos());
        Duration added = typical.minus(baseline);
        boolean floored = added.compareTo(policy.latencyFloor()) <= 0;
        boolean quiet = HealthSnapshot.noneBusy(busy);
        // a probe slowed by the run alone, with no other session busy, hurts nobody: the latency is only over its bound
        // while some application (or other client) is there to feel it
        boolean beyondFactor = factor > bound;
        boolean over = beyondFactor && !floored && !quiet;
        String detail = "p" + Math.round(PROBE_PERCENTILE * 100) + " of " + window.size() + " probes " + Signal.seconds(typical.toNanos() / 1e9)
            + " vs " + Signal.seconds(baseline.toNanos() / 1e9);
        if (beyondFactor && floored) {
            detail += "; " + Signal.seconds(Math.max(0, added.toNanos()) / 1e9) + " slower is within --latency-floor "
                + Signal.seconds(policy.latencyFloor().toNanos() / 1e9);
        } else if (beyondFactor && quiet) {
            detail += "; no other session is busy, so nobody to protect";
        }
        return new Signal(SignalKind.LATENCY, factor, bound, over, detail, null);
    }

    static Duration median(List<Duration> values) {
        List<Duration> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : sorted.get(n / 2 - 1).plus(sorted.get(n / 2)).dividedBy(2);
    }

    // --- replication

    private Signal replicaSignal(Reading<List<HealthSnapshot.Standby>> r) {
        double bound = policy.maxReplicaLag().toNanos() / 1e9;
        if (r.unavailable != null) {
            return new Signal(SignalKind.REPLICA_LAG, null, bound, false, null, r.unavailable);
        }
        HealthSnapshot.Standby worst = null;
        double lag = -1;
        List<String> waiting = new ArrayList<>();
        for (HealthSnapshot.Standby s : r.value) {
            if (!s.physical()) {
                continue;
            }
            Double l = s.replayLag() != null ? Double.valueOf(s.replayLag().toNanos() / 1e9) : "streaming".equals(s.state()) ? Double.valueOf(0) : null;
            if (l == null) {
                waiting.add(name(s) + " " + s.state());
            } else if (l > lag) {
                lag = l;
                worst = s;
            }
        }
        if (worst == null) {
            return new Signal(SignalKind.REPLICA_LAG, null, bound, false, waiting.isEmpty() ? "no standby"
                : "no lag measured yet: " + String.join(", ", waiting), null);
        }
        return new Signal(SignalKind.REPLICA_LAG, lag, bound, lag > bound, "standby " + name(worst) + ", " + worst.state(), null);
    }

    private static String name(HealthSnapshot.Standby s) {
        String n = s.name() == null || s.name().isEmpty() ? "?" : s.name();
        return "'" + n + "'" + (s.client() == null ? "" : " at " + s.client());
    }

    private Signal slotSignal(Reading<List<HealthSnapshot.Slot>> r) {
        double bound = policy.maxSlotWalBytes();
        if (r.unavailable != null) {
            return new Signal(SignalKind.SLOT_WAL, null, bound, false, null, r.unavailable);
        }
        if (r.value.isEmpty()) {
            return new Signal(SignalKind.SLOT_WAL, null, bound, false, "no replication slot", null);
        }
        HealthSnapshot.Slot worst = r.value.get(0);
        return new Signal(SignalKind.SLOT_WAL, (double) worst.retained(), bound, worst.retained() > bound,
            worst.type() + " slot '" + worst.name() + "', " + (worst.active() ? "active" : "inactive"), null);
    }

    // --- autovacuum and long transactions

    private static Signal wraparoundSignal(Reading<List<HealthSnapshot.Vacuum>> r) {
        if (r.unavailable != null) {
            return new Signal(SignalKind.WRAPAROUND_VACUUM, null, 0, false, null, r.unavailable);
        }
        String on = String.join(", ", r.value.stream().map(v -> v.table() + " (pid " + v.pid() + ")").toList());
        return new Signal(SignalKind.WRAPAROUND_VACUUM, (double) r.value.size(), 0, !r.value.isEmpty(), r.value.isEmpty() ? null : on, null);
    }

    private Signal transactionSignal(Reading<List<HealthSnapshot.Transaction>> r) {
        double bound = policy.maxXactAge().toNanos() / 1e9;
        if (r.unavailable != null) {
            return new Signal(SignalKind.LONG_TRANSACTION, null, bound, false, null, r.unavailable);
        }
        String partial = Boolean.TRUE.equals(privileged) ? "" : "; other roles' sessions are not visible without pg_read_all_stats";
        if (r.value.isEmpty()) {
            return new Signal(SignalKind.LONG_TRANSACTION, null, bound, false, "none holds back the cleanup" + partial, null);
        }
        HealthSnapshot.Transaction oldest = r.value.get(0);
        double age = oldest.age().toNanos() / 1e9;
        return new Signal(SignalKind.LONG_TRANSACTION, age, bound, age > bound, oldest.about() + partial, null);
    }

    // --- reporting

    /** Logs what changed: a signal over its bound, back under it, or unavailable (once per reason). */
    private void report(HealthSnapshot s) {
        if (RunLock.interrupted()) {
            return; // its sessions were ended: what the sample lost is no news
        }
        for (Signal sig : s.signals()) {
            if (sig.unavailable() != null) {
                if (!Objects.equals(saidUnavailable.put(sig.kind(), sig.unavailable()), sig.unavailable())) {
                    LOG.info("health: {} is not watched: {}", sig.kind().words(), sig.unavailable());
                }
                continue;
            }
            boolean was = wasOver.getOrDefault(sig.kind(), false);
            if (sig.over() && !was) {
                LOG.warn("health: {}, over its bound{}", sig.describe(),
                    sig.kind().option() == null ? "" : " (" + sig.kind().option() + ")");
            } else if (!sig.over() && was) {
                LOG.info("health: back within its bound: {}", sig.describe());
            }
            wasOver.put(sig.kind(), sig.over());
        }
    }

    /** The sample, in uuidmig.health: what status shows while the run is active. */
    private void persist(Connection c, HealthSnapshot s) {
        try (PreparedStatement ps = c.prepareStatement("""
            INSERT INTO uuidmig.health AS h (table_schema, command, sampled_at, snapshot) VALUES (?, ?, pg_catalog.now(), ?::jsonb)
            ON CONFLICT (table_schema) DO UPDATE
               SET command = excluded.command, sampled_at = excluded.sampled_at, snapshot = excluded.snapshot""")) {
            ps.setString(1, schema);
            ps.setString(2, command);
            ps.setString(3, JSON.writeValueAsString(s.document()));
            ps.executeUpdate();
        } catch (SQLException | JsonProcessingException e) {
            once("persist", "health: the sample is not recorded for uuidmig status: " + firstLine(e.getMessage()));
            if (e instanceof SQLException se) {
                lost(se);
            }
        }
    }

    /** Logs a problem once per key (at info), then at debug. */
    private void once(String key, String message) {
        if (RunLock.interrupted()) {
            LOG.debug(message);
        } else if (saidOnce.add(key)) {
            LOG.info(message);
        } else {
            LOG.debug(message);
        }
    }

    // --- readings

    @FunctionalInterface
    private interface Source<T> {
        T read(Connection c) throws SQLException;
    }

    /** What a source gave: a value, or why there is none. */
    private record Reading<T>(T value, String unavailable) {
        static <T> Reading<T> of(T value) {
            return new Reading<>(value, null);
        }

        static <T> Reading<T> unavailable(String why) {
            return new Reading<>(null, why);
        }
    }

    private <T> Reading<T> read(Connection c, String what, Source<T> source) {
        if (c == null || conn == null) {
            return Reading.unavailable("no monitor connection");
        }
        try {
            return Reading.of(source.read(c));
        } catch (SQLException e) {
            lost(e);
            return Reading.unavailable(e instanceof HealthQueries.Hidden ? e.getMessage() : what + ": " + firstLine(e.getMessage()));
        }
    }

    private static <T> List<T> orEmpty(Reading<List<T>> r) {
        return r.value == null ? List.of() : r.value;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
