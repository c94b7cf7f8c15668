package org.uuidmig.step;

import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs steps in order: a step the catalog shows as done is skipped, any other is run, logged
 * with its duration and recorded in uuidmig.events. Stops at the first failure; because every
 * step is idempotent, running the list again continues where it stopped.
 */
public final class StepRunner {
    private static final Logger LOG = LoggerFactory.getLogger(StepRunner.class);

    private final StepContext ctx;
    private final Map<String, Long> millisByTarget = new LinkedHashMap<>();

    public StepRunner(StepContext ctx) {
        this.ctx = ctx;
    }

    public void run(List<MigrationStep> steps) throws SQLException {
        for (MigrationStep step : steps) {
            String name = step.id() + (step.target().isEmpty() ? "" : " " + step.target());
            if (step.isDone(ctx)) {
                LOG.debug("{}: already done", name);
                FaultInjection.stepDone();
                continue;
            }
            LOG.info("{}: starting", name);
            long t0 = System.nanoTime();
            step.run(ctx);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            millisByTarget.merge(step.target(), ms, Long::sum);
            LOG.info("{}: done in {} ms", name, ms);
            StateStore.event(ctx.conn(), step.id(), step.target(), "done", ms);
            FaultInjection.stepDone();
        }
    }

    /** Milliseconds spent per step target in this run (table, column, or "" for global steps). */
    public Map<String, Long> millisByTarget() {
        return millisByTarget;
    }

    /** Prints every step's statements with their locks, in order, for --dry-run. */
    public static void printDryRun(StepContext ctx, List<MigrationStep> steps, PrintWriter out) {
        int n = 1;
        for (MigrationStep step : steps) {
            out.println("-- step " + n++ + ": " + step.id() + (step.target().isEmpty() ? "" : " " + step.target()));
            for (MigrationStep.PlannedStatement s : step.statements(ctx)) {
                out.println("--   lock: " + s.lock());
                out.println(s.sql() + ";");
            }
            out.println();
        }
        out.flush();
    }
}
