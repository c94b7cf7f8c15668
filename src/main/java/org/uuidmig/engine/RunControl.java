package org.uuidmig.engine;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.uuidmig.config.BackfillPolicy;

/**
 * A run's live control: what the operator asked for in uuidmig.control ({@link ControlTable}), read at most once a
 * second by whichever of the run's threads comes to a point where it may wait (before a backfill batch, before a
 * step, in the backfill dispatcher, before the swap), on that thread's own connection, outside any transaction.
 * Every change the run sees is applied at once, printed on stderr, logged, and recorded in uuidmig.events
 * ("applied: ...").
 * <ul>
 *   <li><b>paused</b>: no new backfill batch and no new step starts; the threads wait, polling, until resumed.</li>
 *   <li><b>hold_swap</b>: the swap (and a rollback's swap back) waits at its start, before it takes any lock.</li>
 *   <li><b>jobs, max_batch_time, batch_delay</b>: override the run's options from the next batch on. A lower jobs
 *   makes the backfill workers beyond it wait before their next batch (or step) until a running table finishes; a
 *   higher one lets the dispatcher start the next table within about a second.</li>
 * </ul>
 * The knobs a batch reads are {@link Knobs}, computed in one place ({@link #effective}): the run's options, replaced by
 * the operator's overrides. An automatic controller would plug in there, below the operator's overrides.
 */
public final class RunControl {
    private static final Logger LOG = LoggerFactory.getLogger(RunControl.class);
    /** How often the control row is read, at most. */
    static final Duration POLL_INTERVAL = Duration.ofSeconds(1);

    /**
     * The backfill's knobs as they apply now.
     *
     * @param jobs         backfill workers (tables) at a time
     * @param maxBatchTime target duration of one batch (0: fixed batches of --batch-size)
     * @param batchDelay   pause after each batch
     */
    public record Knobs(int jobs, Duration maxBatchTime, Duration batchDelay) {
        static Knobs of(BackfillPolicy p) {
            return new Knobs(p.jobs(), p.maxBatchTime(), p.batchDelay());
        }
    }

    private final String schema;
    private final String command;
    private final Knobs options;
    private final PrintWriter err;
    private final Object lock = new Object();
    /** Guarded by lock: the state last read, the knobs it gives, when to read again, whether a read is under way. */
    private ControlTable.State state = ControlTable.State.NONE;
    private Knobs knobs;
    private long nextPoll;
    private boolean polling;
    private long pausedAt;
    /** Guarded by lock: the backfill workers running now, oldest first; a worker's rank decides whether it fits in jobs. */
    private final List<Thread> workers = new ArrayList<>();

    /** The health controller, when the run throttles (--throttle); set once, before the steps start. */
    private volatile Throttle throttle;

    /**
     * Lets the health controller adjust the knobs from the next poll on (below the operator's overrides); that poll is
     * due at once, so that the first batch already runs at the throttle's start level.
     */
    public void throttle(Throttle t) {
        this.throttle = t;
        synchronized (lock) {
            nextPoll = System.nanoTime();
        }
    }

    /** Why the run is throttled now, or null. */
    public String throttledBy() {
        Throttle t = throttle;
        return t == null ? null : t.reason();
    }

    /** The throttle's state as the progress display shows it ({@link Throttle#state}), or null when it is not throttling. */
    public String throttleState() {
        Throttle t = throttle;
        return t == null ? null : t.state();
    }

    private RunControl(String schema, String command, BackfillPolicy options, PrintWriter err) {
        this.schema = schema;
        this.command = command;
        this.options = Knobs.of(options);
        this.err = err;
        this.knobs = this.options;
    }

    /** Control that reads no table: the options, as given (--dry-run, and steps run outside a migrate or rollback). */
    public static RunControl fixed(BackfillPolicy options) {
        return new RunControl(null, null, options, null);
    }

    /**
     * The control of a run of {@code command} ("migrate", "rollback") on {@code schema}: reads the schema's row now, and
     * announces (stderr, log, event) what it asks for from the start, such as a pause set while no run was active.
     */
    public static RunControl open(Connection c, String schema, String command, BackfillPolicy options, PrintWriter err)
        throws SQLException {
        RunControl rc = new RunControl(schema, command, options, err);
        ControlTable.State now = ControlTable.read(c, schema);
        List<String> lines = new ArrayList<>();
        synchronized (rc.lock) {
            rc.nextPoll = System.nanoTime() + POLL_INTERVAL.toNanos();
            if (now.asksAnything()) {
                rc.state = now;
                rc.knobs = effective(rc.options, now);
                if (now.paused()) {
                    rc.pausedAt = System.nanoTime();
                    lines.add("starts paused by operator" + by(now) + ": no backfill batch or step starts until uuidmig resume");
                }
                if (now.holdSwap()) {
                    lines.add("the swap is held by operator" + by(now) + ": the run will wait before the swap until uuidmig release-swap");
                }
                for (String o : now.overrides()) {
                    lines.add("operator override " + o + by(now) + " replaces the run's option (uuidmig set " + o.substring(0, o.indexOf('='))
                        + "=default clears it)");
                }
            }
        }
        for (String line : lines) {
            rc.report(c, "applied at the start of the run: " + line);
        }
        return rc;
    }

    /** The run's options replaced by the operator's overrides. */
    static Knobs effective(Knobs options, ControlTable.State s) {
        return new Knobs(s.jobs() != null ? s.jobs() : options.jobs(),
            s.maxBatchTime() != null ? s.maxBatchTime() : options.maxBatchTime(),
            s.batchDelay() != null ? s.batchDelay() : options.batchDelay());
    }

    /** The knobs as they apply now. */
    public Knobs knobs() {
        synchronized (lock) {
            return knobs;
        }
    }

    boolean paused() {
        synchronized (lock) {
            return state.paused();
        }
    }

    /**
     * Reads the control row when the last read is {@link #POLL_INTERVAL} old (or at once with {@code force}), unless
     * another thread is reading it right now, and applies what changed.
     */
    void poll(Connection c, boolean force) throws SQLException {
        if (schema == null) {
            return;
        }
        synchronized (lock) {
            long now = System.nanoTime();
            if (polling || (!force && now - nextPoll < 0)) {
                return;
            }
            polling = true;
            nextPoll = now + POLL_INTERVAL.toNanos();
        }
        ControlTable.State read;
        try {
            read = ControlTable.read(c, schema);
        } finally {
            synchronized (lock) {
                polling = false;
            }
        }
        List<String> applied = new ArrayList<>();
        Throttle t = throttle;
        String decision = t == null ? null : t.evaluate();
        synchronized (lock) {
            ControlTable.State was = state;
            Knobs before = knobs;
            state = read;
            knobs = effective(t == null ? options : t.apply(options), read);
            if (decision != null) {
                applied.add(decision + "; jobs " + knobs.jobs() + ", max-batch-time " + ControlTable.show(knobs.maxBatchTime())
                    + ", batch-delay " + ControlTable.show(knobs.batchDelay()) + " (an operator's uuidmig set wins over these)");
            }
            if (read.paused() != was.paused()) {
                if (read.paused()) {
                    pausedAt = System.nanoTime();
                    applied.add("paused by operator" + by(read) + ": no new backfill batch or step starts until uuidmig resume");
                } else {
                    applied.add(String.format(java.util.Locale.ROOT, "resumed by operator%s after %.1f s paused", by(read),
                        (System.nanoTime() - pausedAt) / 1e9));
                }
            }
            if (read.holdSwap() != was.holdSwap()) {
                applied.add(read.holdSwap()
                    ? "swap hold set by operator" + by(read) + ": the run will wait before the swap until uuidmig release-swap"
                    : "swap hold released by operator" + by(read));
            }
            if (decision == null) {
                knobChange(applied, "jobs", before.jobs(), knobs.jobs(), read.jobs() == null, read.changedBy());
                knobChange(applied, "max-batch-time", before.maxBatchTime(), knobs.maxBatchTime(), read.maxBatchTime() == null, read.changedBy());
                knobChange(applied, "batch-delay", before.batchDelay(), knobs.batchDelay(), read.batchDelay() == null, read.changedBy());
            }
            lock.notifyAll();
        }
        for (String line : applied) {
            report(c, "applied: " + line);
        }
    }

    private static void knobChange(List<String> out, String name, Object before, Object after, boolean option, String role) {
        if (!Objects.equals(before, after)) {
            out.add(name + " " + ControlTable.show(before) + " -> " + ControlTable.show(after)
                + (option ? " (override cleared: the run's --" + name + ")"
                    : " (operator override" + (role == null ? "" : ", role " + role) + ")")
                + (name.equals("jobs") ? ": from the next batch, workers beyond it wait and the next table starts when there is room"
                    : ": from the next batch"));
        }
    }

    /** " (role R)": who last changed the row, for the lines of the run. */
    private static String by(ControlTable.State s) {
        return s.changedBy() == null ? "" : " (role " + s.changedBy() + ")";
    }

    /**
     * A line of the run: on the run's stderr writer, where its log lines go too (logged at debug level then, so the
     * line is not there twice; at info without a writer), and an event of the schema.
     */
    private void report(Connection c, String message) throws SQLException {
        if (err != null) {
            err.println("uuidmig " + command + ": " + message);
            err.flush();
            LOG.debug("control: {}", message);
        } else {
            LOG.info("control: {}", message);
        }
        StateStore.event(c, ControlTable.EVENT_STEP, schema, message, null);
    }

    /** Before a backfill batch: waits while paused, or while this worker is beyond jobs; returns the knobs for the batch. */
    public Knobs beforeBatch(Connection c, String what) throws SQLException {
        return beforeBatch(c, what, false);
    }

    /**
     * Before a backfill batch: waits while paused; a worker beyond jobs waits too, unless it is a {@code helper} of a
     * split backfill, which gets null instead (it gives its range back and ends, so jobs is not exceeded and the range
     * goes on at once on a worker within jobs). Returns the knobs for the batch.
     */
    public Knobs beforeBatch(Connection c, String what, boolean helper) throws SQLException {
        poll(c, false);
        return await(c, what, false, helper) ? knobs() : null;
    }

    /** Before a step that is not done: waits while paused (or while this worker is beyond jobs). */
    void beforeStep(Connection c, String what) throws SQLException {
        poll(c, false);
        await(c, what, false, false);
    }

    /**
     * At the start of the swap (or swap back), before it takes any lock: reads the control row at once, and waits while
     * the swap is held or the run paused, saying once (stderr, log, event) that it waits and why. The waiting thread
     * has no transaction open and holds no lock on any table; Ctrl-C/SIGTERM ends it as anywhere else (exit 4).
     */
    public void beforeSwap(StepContext ctx, String what) throws SQLException {
        poll(ctx.conn(), true);
        await(ctx.conn(), what, true, false);
    }

    /**
     * Waits while something holds this thread back, polling the control row on {@code c}. Returns true once nothing
     * does; false at once for a {@code helper} held back only by jobs.
     */
    private boolean await(Connection c, String what, boolean swap, boolean helper) throws SQLException {
        boolean announced = false;
        while (true) {
            String why;
            long waitMillis;
            synchronized (lock) {
                why = blockedBy(Thread.currentThread(), swap);
                if (helper && why != null && !state.paused()) {
                    LOG.debug("{}: {}; this helper gives its range back", what, why);
                    return false;
                }
                waitMillis = Math.max(10, (nextPoll - System.nanoTime()) / 1_000_000 + 1);
            }
            if (why == null) {
                if (announced && swap) {
                    report(c, "the swap goes on: " + what);
                }
                return true;
            }
            if (!announced) {
                announced = true;
                if (swap) {
                    report(c, "waiting before " + what + ": " + why + "; no lock is held meanwhile");
                } else {
                    LOG.debug("{} waits: {}", what, why);
                }
                FaultInjection.controlWait(what);
            }
            try {
                synchronized (lock) {
                    lock.wait(waitMillis);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StepRunner.Stopped(what + " stopped while waiting (" + why + ")");
            }
            poll(c, false);
        }
    }

    /** Why the thread must wait now, or null. Called with the lock held. */
    private String blockedBy(Thread t, boolean swap) {
        if (swap && state.holdSwap()) {
            return "the swap is held by operator (uuidmig release-swap lets it go)";
        }
        if (state.paused()) {
            return "paused by operator (uuidmig resume continues)";
        }
        int rank = workers.indexOf(t);
        if (rank >= knobs.jobs()) {
            return "jobs=" + knobs.jobs() + ": waits for a running backfill worker to finish its table";
        }
        return null;
    }

    /** A backfill worker starts (on the current thread): it counts against jobs until {@link #workerEnded}. */
    void workerStarted() {
        synchronized (lock) {
            workers.add(Thread.currentThread());
        }
    }

    void workerEnded() {
        synchronized (lock) {
            workers.remove(Thread.currentThread());
            lock.notifyAll();
        }
    }

    /** Split backfills running now whose ranges helpers may share (guarded by lock). */
    private final List<SharedWork> shares = new ArrayList<>();

    /** A split backfill offers its ranges to helpers, which the dispatcher starts while jobs leaves room. */
    public void share(SharedWork s) {
        synchronized (lock) {
            shares.add(s);
        }
    }

    public void unshare(SharedWork s) {
        synchronized (lock) {
            shares.remove(s);
        }
    }

    /** The dispatcher's view: a split backfill with a range a helper could take now, or null. */
    SharedWork wantingHelp() {
        List<SharedWork> now;
        synchronized (lock) {
            now = List.copyOf(shares);
        }
        for (SharedWork s : now) {
            if (s.wantsHelp()) {
                return s;
            }
        }
        return null;
    }

    /** The dispatcher's view: how many workers may run now (reading the control row when due, on {@code c}). */
    int jobs(Connection c) throws SQLException {
        poll(c, false);
        return knobs().jobs();
    }
}
