package org.uuidmig.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.uuidmig.config.ColumnRef;
import org.uuidmig.config.MigrationSettings.Phase;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.StepPlan;
import org.uuidmig.plan.ColumnState;
import org.uuidmig.plan.IndexInfo;
import org.uuidmig.plan.PlannedColumn;
import org.uuidmig.plan.TableInfo;

/** The plan says what runs together: stages, in order, and which of them run tables side by side. */
class StepPlanTest {
    private static PlannedColumn column(String table, long rows, boolean notNull) {
        TableInfo t = new TableInfo(rows, "public", table, 'r', false, "owner", List.of("id"), List.of("integer"), rows, 8192);
        IndexInfo idx = new IndexInfo("ix_" + table, "CREATE INDEX ix_" + table + " ON public." + table + " USING btree (user_id)",
            false, false, true, null, ' ', false, false, 1, List.of(0), false, false, false, List.of(0), List.of("user_id"), null, false);
        return new PlannedColumn(new ColumnRef(table, "user_id"), ColumnState.INTEGER, t, 2, "integer", notNull, null, null,
            List.of(), List.of(), List.of(idx), List.of());
    }

    private static String describe(StepPlan plan) {
        StringBuilder sb = new StringBuilder();
        for (StepPlan.Stage s : plan.stages()) {
            sb.append(s.name()).append(s.parallel() ? "*" : "").append(s.steps().stream().map(m -> m.id()).toList()).append(' ');
        }
        return sb.toString().trim();
    }

    @Test
    void migrateRunsBackfillAndIndexesAndVerifyTableBesideTable() {
        StepPlan plan = Steps.forPlan(List.of(column("small", 10, false), column("big", 1000, true)), Set.of(), Phase.ALL, false, true);
        assertEquals("prepare[prepare] expand[expand, expand] count[count, count] "
            + "backfill*[backfill, backfill, reindex, reindex, index, index] users_key[users_key] not_null[not_null] "
            + "foreign_key[foreign_key, foreign_key] verify*[verify, verify] swap[swap] cleanup[cleanup]", describe(plan));
        // the largest table's backfill first; each step of the parallel stage names its table's group
        StepPlan.Stage backfill = plan.stages().get(3);
        assertEquals("big", backfill.steps().get(0).parallelGroup());
        assertEquals(List.of("big", "small", "small", "big", "small", "big"),
            backfill.steps().stream().map(MigrationStep::parallelGroup).toList());
        assertEquals(plan.steps().size(), plan.stages().stream().mapToInt(s -> s.steps().size()).sum());
    }

    @Test
    void expandOpensTheWindowAndContractOnlySwaps() {
        List<PlannedColumn> cols = List.of(column("a", 1, false));
        List<StepPlan.Stage> expand = Steps.forPlan(cols, Set.of(), Phase.EXPAND, false, false).stages();
        assertEquals("window", expand.get(expand.size() - 1).name());
        assertEquals("prepare[prepare] swap[swap] cleanup[cleanup]", describe(Steps.forPlan(cols, Set.of(), Phase.CONTRACT, false, false)));
    }

    /** The names the log and the fault points use: id, and target after a space when there is one, in plan order. */
    @Test
    void stepsAreNamedByIdAndTarget() {
        StepPlan plan = Steps.forPlan(List.of(column("a", 1, true)), Set.of(), Phase.ALL, false, false);
        assertEquals(List.of("prepare", "expand a", "count a", "backfill a.user_id", "index a.user_id ix_a", "users_key", "not_null a.user_id",
            "foreign_key a.user_id", "verify a", "swap a", "cleanup"), plan.names());
    }

    @Test
    void aParallelStageNeedsAGroupForEveryStep() {
        assertThrows(IllegalArgumentException.class, () -> new StepPlan.Stage("x", true, List.of(new PrepareStateStep())));
    }
}
