package org.uuidmig.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.uuidmig.ExitCode;
import org.uuidmig.UuidmigException;
import org.uuidmig.report.DryRun;
import org.uuidmig.report.StepDone;

/**
 * Runs steps in order: a step the catalog shows as done is skipped, any other is run, logged
 * with its duration and recorded in uuidmig.events. Stops at the first failure; because every
 * step is idempotent, running the list again continues where it stopped.
 * <p>
 * The steps of a parallel {@link StepPlan.Stage} (the backfills with their reindex and index copies; verify) run
 * with up to --jobs workers, each on a connection of its own; the steps of one group (one table)
 * stay in order on one worker. The first failure stops the other workers after their current
 * batch and is the one reported. The number of workers follows the run's live control
 * ({@link RunControl}: {@code uuidmig set jobs=N}), and a paused run starts no step.
 */
public final class StepRunner {
    private static final Logger LOG = LoggerFactory.getLogger(StepRunner.class);

    /** Thrown inside a worker that was told to stop because another one failed. */
    public static final class Stopped extends SQLException {
        public Stopped(String message) {
            super(message);
        }
    }

    private final StepContext ctx;
    private final Map<String, Long> millisByTarget = new LinkedHashMap<>();
    private final List<StepDone> done = new ArrayList<>();

    public StepRunner(StepContext ctx) {
        this.ctx = ctx;
    }

    /** Runs the plan stage by stage: a parallel stage through the worker dispatcher, the others step by step. */
    public void run(StepPlan plan) throws SQLException {
        for (StepPlan.Stage stage : plan.stages()) {
            if (stage.parallel() && (stage.steps().stream().map(MigrationStep::parallelGroup).distinct().count() > 1
                || stage.steps().stream().anyMatch(MigrationStep::sharesWork))) {
                // through the dispatcher whatever --jobs is: `uuidmig set jobs=N` may raise it while the stage runs, and
                // one table's split backfill gets its helpers from it
                runParallel(stage.steps());
            } else {
                for (MigrationStep step : stage.steps()) {
                    runOne(step, ctx);
                }
            }
        }
    }

    private void runOne(MigrationStep step, StepContext c) throws SQLException {
        String name = StepPlan.name(step);
        if (step.isDone(c)) {
            LOG.debug("{}: already done", name);
            FaultInjection.stepDone(name);
            return;
        }
        c.control().beforeStep(c.conn(), "step " + name); // paused by operator: no new step starts
        LOG.debug("{}: starting", name);
        FaultInjection.stepStarting(name);
        FaultInjection.beforeStep(step);
        long t0 = System.nanoTime();
        String running = CurrentSteps.name(step);
        CurrentSteps.started(running);
        // a backfill shows its own line (its rows), any other step a line with its name while it runs
        boolean ownLine = !step.id().equals(StepIds.BACKFILL);
        if (ownLine) {
            c.progress().stepStarted(name);
        }
        try {
            step.run(c);
        } finally {
            CurrentSteps.ended(running);
            if (ownLine) {
                c.progress().stepEnded(name);
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        synchronized (millisByTarget) {
            millisByTarget.merge(step.target(), ms, Long::sum);
            done.add(new StepDone(step.id(), step.target(), ms));
        }
        LOG.info("{}: done in {} ms", name, ms);
        StateStore.event(c.conn(), step.id(), step.target(), "done", ms);
        FaultInjection.stepDone(name);
        FaultInjection.afterStep(step);
    }

    /**
     * The dispatcher: starts one worker per group (a table's steps, in order, on a connection of its own) while fewer
     * than the live jobs ({@link RunControl#jobs}) run and the run is not paused, and waits for one to end, reading the
     * control row about once a second meanwhile on the main connection. A lower jobs makes the workers beyond it wait
     * before their next batch or step ({@link RunControl}); a higher one starts the next group within about a second.
     * The first failure stops the others after their current batch (they are interrupted) and is the one reported.
     */
    private void runParallel(List<MigrationStep> steps) throws SQLException {
        Map<String, List<MigrationStep>> groups = new LinkedHashMap<>();
        for (MigrationStep s : steps) {
            groups.computeIfAbsent(s.parallelGroup(), k -> new ArrayList<>()).add(s);
        }
        Deque<List<MigrationStep>> queue = new ArrayDeque<>(groups.values());
        RunControl control = ctx.control();
        LOG.info("{} steps over {} tables, {} at a time", steps.size(), queue.size(), control.knobs().jobs());
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "uuidmig-job");
            t.setDaemon(true);
            return t;
        });
        CompletionService<Void> ended = new ExecutorCompletionService<>(pool);
        String purpose = workerPurpose(ctx.conn());
        AtomicReference<Throwable> first = new AtomicReference<>();
        int running = 0;
        try {
            while (running > 0 || (!queue.isEmpty() && first.get() == null)) {
                if (first.get() == null) {
                    try {
                        int jobs = control.jobs(ctx.conn());
                        while (running < jobs && !queue.isEmpty() && !control.paused()) {
                            List<MigrationStep> group = queue.poll();
                            // the workers share the run's progress display: one bar for all of them
                            ended.submit(() -> runGroup(group, purpose, first), null);
                            running++;
                        }
                        // every table has its worker: room left goes to helpers of split backfills, a range each to start
                        SharedWork share;
                        SharedWork.Part range;
                        while (running < jobs && queue.isEmpty() && !control.paused() && (share = control.wantingHelp()) != null
                            && (range = share.claim()) != null) {
                            SharedWork s = share;
                            SharedWork.Part r = range;
                            ended.submit(() -> runHelper(s, r, purpose, first), null);
                            running++;
                        }
                        if (running == 0 && !queue.isEmpty()) {
                            control.beforeStep(ctx.conn(), "the next table's steps"); // paused: nothing to wait for but resume
                        }
                    } catch (SQLException | RuntimeException e) {
                        first.compareAndSet(null, e); // the main connection failed: stop the workers, then report it
                    }
                }
                if (first.get() != null) {
                    pool.shutdownNow(); // the other workers stop after their current batch
                }
                if (running > 0 && ended.poll(RunControl.POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS) != null) {
                    running--; // its failure, if any, is in `first`
                }
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for the backfill workers", e);
        } finally {
            pool.shutdownNow();
        }
        Throwable t = first.get();
        if (t instanceof SQLException e) {
            throw e;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new UuidmigException(ExitCode.UNEXPECTED, "backfill worker failed: " + t, t);
        }
    }

    /** One worker: a group's steps in order, on a connection of its own; the first failure of any worker goes to {@code first}. */
    private void runGroup(List<MigrationStep> group, String purpose, AtomicReference<Throwable> first) {
        ctx.control().workerStarted();
        try (Connection conn = ctx.db().connect(purpose)) {
            StepContext wc = ctx.on(conn);
            for (MigrationStep s : group) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new Stopped("stopped before " + s.id() + " " + s.target() + ": another worker failed");
                }
                runOne(s, wc);
            }
        } catch (Throwable t) {
            first.compareAndSet(null, t);
        } finally {
            ctx.control().workerEnded();
        }
    }

    /**
     * A helper of a split backfill: the ranges it takes ({@code first}, claimed for it, then the next ones), on a
     * connection of its own, counted in jobs like any worker; it ends when no range is left to take or jobs has no room
     * for it. Its failure stops the run as any worker's does.
     */
    private void runHelper(SharedWork share, SharedWork.Part first, String purpose, AtomicReference<Throwable> failed) {
        ctx.control().workerStarted();
        boolean working = false;
        try (Connection conn = ctx.db().connect(purpose)) {
            LOG.debug("backfill {}: a helper joins", share.name());
            working = true;
            share.help(ctx.on(conn), first);
        } catch (Throwable t) {
            if (!working) {
                share.giveBack(first); // not started: the column's own worker must not wait for it
            }
            failed.compareAndSet(null, t);
        } finally {
            ctx.control().workerEnded();
        }
    }

    /** Workers carry the main connection's application_name plus " job" (e.g. "uuidmig migrate job"), so DBAs see whose they are. */
    private static String workerPurpose(Connection main) {
        try {
            String name = main.getClientInfo("ApplicationName");
            if (name != null && name.startsWith("uuidmig ")) {
                return name.substring("uuidmig ".length()) + " job";
            }
        } catch (SQLException e) {
            LOG.debug("application_name not available: {}", e.getMessage());
        }
        return "job";
    }

    /** Milliseconds spent per step target in this run (table, column, or "" for global steps). */
    public Map<String, Long> millisByTarget() {
        return millisByTarget;
    }

    /**
     * The steps this runner ran to their end so far, in the order they ended (a step it found done is not one).
     * Safe to call from another thread while it runs: the shutdown hook of an interrupted run reports them.
     */
    public List<StepDone> stepsDone() {
        synchronized (millisByTarget) {
            return List.copyOf(done);
        }
    }

    /** Every step's statements with their locks, in order, numbered from 1, for --dry-run. */
    public static List<DryRun.Step> dryRun(StepContext ctx, StepPlan plan) throws SQLException {
        List<MigrationStep> steps = plan.steps();
        List<DryRun.Step> out = new ArrayList<>();
        for (MigrationStep step : steps) {
            out.add(new DryRun.Step(out.size() + 1, step.id(), step.target(),
                step.statements(ctx).stream().map(s -> new DryRun.Statement(s.lock(), s.sql(), s.note())).toList()));
        }
        return out;
    }
}
