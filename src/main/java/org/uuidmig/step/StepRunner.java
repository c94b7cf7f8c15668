package org.uuidmig.step;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * Neighbouring steps that declare a {@link MigrationStep#parallelGroup()} (the backfills) run
 * with up to --jobs workers, each on a connection of its own; the steps of one group (one table)
 * stay in order on one worker. The first failure stops the other workers after their current
 * batch and is the one reported.
 */
public final class StepRunner {
    private static final Logger LOG = LoggerFactory.getLogger(StepRunner.class);

    /** Thrown inside a worker that was told to stop because another one failed. */
    static final class Stopped extends SQLException {
        Stopped(String message) {
            super(message);
        }
    }

    private final StepContext ctx;
    private final Map<String, Long> millisByTarget = new LinkedHashMap<>();
    private final List<StepDone> done = new ArrayList<>();

    public StepRunner(StepContext ctx) {
        this.ctx = ctx;
    }

    public void run(List<MigrationStep> steps) throws SQLException {
        for (int i = 0; i < steps.size(); ) {
            int end = i;
            while (end < steps.size() && steps.get(end).parallelGroup() != null) {
                end++;
            }
            if (end > i + 1 && ctx.settings().backfill().jobs() > 1) {
                runParallel(steps.subList(i, end));
                i = end;
            } else {
                runOne(steps.get(i), ctx);
                i++;
            }
        }
    }

    private void runOne(MigrationStep step, StepContext c) throws SQLException {
        String name = step.id() + (step.target().isEmpty() ? "" : " " + step.target());
        if (step.isDone(c)) {
            LOG.debug("{}: already done", name);
            FaultInjection.stepDone();
            return;
        }
        LOG.debug("{}: starting", name);
        FaultInjection.beforeStep(step);
        long t0 = System.nanoTime();
        String running = CurrentSteps.name(step);
        CurrentSteps.started(running);
        // a backfill shows its own line (its rows), any other step a line with its name while it runs
        boolean ownLine = !step.id().equals(Steps.BACKFILL);
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
        FaultInjection.stepDone();
        FaultInjection.afterStep(step);
    }

    private void runParallel(List<MigrationStep> steps) throws SQLException {
        Map<String, List<MigrationStep>> groups = new LinkedHashMap<>();
        for (MigrationStep s : steps) {
            groups.computeIfAbsent(s.parallelGroup(), k -> new ArrayList<>()).add(s);
        }
        Deque<List<MigrationStep>> queue = new ArrayDeque<>(groups.values());
        int workers = Math.min(ctx.settings().backfill().jobs(), queue.size());
        LOG.info("{} steps over {} tables, {} at a time", steps.size(), queue.size(), workers);
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "uuidmig-job");
            t.setDaemon(true);
            return t;
        });
        String purpose = workerPurpose(ctx.conn());
        AtomicReference<Throwable> first = new AtomicReference<>();
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            futures.add(pool.submit(() -> {
                try (Connection conn = ctx.db().connect(purpose)) {
                    // the workers share the run's progress display: one bar for all of them
                    StepContext wc = new StepContext(ctx.db(), conn, ctx.schema(), ctx.users(), ctx.columns(), ctx.settings(),
                        ctx.serverVersionNum(), ctx.progress());
                    while (true) {
                        List<MigrationStep> group;
                        synchronized (queue) {
                            group = queue.poll();
                        }
                        if (group == null || Thread.currentThread().isInterrupted()) {
                            return null;
                        }
                        for (MigrationStep s : group) {
                            runOne(s, wc);
                        }
                    }
                } catch (Throwable t) {
                    if (first.compareAndSet(null, t)) {
                        pool.shutdownNow(); // the other workers stop after their current batch
                    }
                    throw t;
                }
            }));
        }
        pool.shutdown();
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                // the first failure is in `first`; the others are workers told to stop
            } catch (InterruptedException e) {
                pool.shutdownNow();
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for the backfill workers", e);
            }
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
    public static List<DryRun.Step> dryRun(StepContext ctx, List<MigrationStep> steps) {
        List<DryRun.Step> out = new ArrayList<>();
        for (MigrationStep step : steps) {
            out.add(new DryRun.Step(out.size() + 1, step.id(), step.target(),
                step.statements(ctx).stream().map(s -> new DryRun.Statement(s.lock(), s.sql())).toList()));
        }
        return out;
    }
}
