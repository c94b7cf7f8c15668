package org.uuidmig.steps;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.uuidmig.engine.StepIds.*;

import org.uuidmig.config.MigrationSettings.Phase;
import org.uuidmig.engine.MigrationStep;
import org.uuidmig.engine.StepIds;
import org.uuidmig.engine.StepPlan;
import org.uuidmig.plan.IndexInfo;
import org.uuidmig.plan.PlannedColumn;

/** The ordered stages of steps for a plan (the forward direction); the ids are {@link StepIds}. */
public final class Steps {
    private Steps() {
    }

    /**
     * Every step for the columns, as stages, for the given phase. Tables already swapped get no expand-phase step:
     * their shadow columns, triggers and checks are gone by design, and must not be made again. Two stages run
     * tables side by side (--jobs): the backfill stage (per table: its backfills, its reindex, its index copies) and
     * verify.
     */
    public static StepPlan forPlan(List<PlannedColumn> all, java.util.Set<String> swappedTables, Phase phase,
                                   boolean swapPerTable, boolean reindex) {
        List<PlannedColumn> columns = all.stream().filter(c -> !swappedTables.contains(c.ref().table())).toList();
        Map<String, List<PlannedColumn>> byTable = new LinkedHashMap<>();
        for (PlannedColumn c : columns) {
            byTable.computeIfAbsent(c.ref().table(), k -> new ArrayList<>()).add(c);
        }
        StepPlan.Builder plan = new StepPlan.Builder().then(PREPARE, List.of(new PrepareStateStep()));
        if (phase != Phase.CONTRACT) {
            plan.then(EXPAND, byTable.entrySet().stream().map(e -> new ExpandStep(Direction.FORWARD, e.getKey(), e.getValue())).toList());
            plan.then(COUNT, byTable.keySet().stream().map(CountRowsStep::new).toList());
            List<MigrationStep> perTable = new ArrayList<>();
            // largest tables first, so that with --jobs the last one to finish is a small one
            columns.stream().sorted(java.util.Comparator.comparingLong((PlannedColumn c) -> -c.table().estimatedRows()))
                .forEach(c -> perTable.add(new BackfillStep(c, !reindex)));
            if (reindex) {
                // each table's reindex joins its backfill's group (same worker, right after it)
                byTable.keySet().forEach(t -> perTable.add(new ReindexStep(t)));
            }
            for (PlannedColumn c : columns) {
                for (IndexInfo idx : c.indexes()) {
                    perTable.add(new CreateIndexCopyStep(c, idx));
                }
            }
            plan.together(BACKFILL, perTable);
            plan.then(USERS_KEY, List.of(new SecureUsersKeyStep()));
            plan.then(NOT_NULL, columns.stream().filter(PlannedColumn::notNull).map(AddNotNullCheckStep::new).toList());
            plan.then(FOREIGN_KEY, columns.stream().map(AddForeignKeyStep::new).toList());
            plan.together(VERIFY, byTable.entrySet().stream().map(e -> new VerifyStep(e.getKey(), e.getValue())).toList());
            if (phase == Phase.EXPAND && !byTable.isEmpty()) {
                plan.then(WINDOW, List.of(new OpenWindowStep(byTable)));
            }
        }
        if (phase != Phase.EXPAND) {
            if (byTable.isEmpty()) {
                // every table swapped already: only the clean-up may remain
            } else if (swapPerTable) {
                plan.then(SWAP, byTable.keySet().stream().map(t -> new SwapStep(Direction.FORWARD, List.of(t))).toList());
            } else {
                plan.then(SWAP, List.of(new SwapStep(Direction.FORWARD, List.copyOf(byTable.keySet()))));
            }
            plan.then(CLEANUP, List.of(new CleanupStep()));
        }
        return plan.build();
    }
}
