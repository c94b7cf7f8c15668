package org.uuidmig.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The steps of a run as stages: what may run together is said here, not left to which steps happen to be neighbours.
 * A sequential stage runs its steps one after another on the run's connection. A parallel stage runs one worker per
 * {@link MigrationStep#parallelGroup()} (a table: its backfills, its reindex and its index copies stay in that order
 * on the worker), up to --jobs at once; the stage ends when every worker has.
 */
public record StepPlan(List<Stage> stages) {
    /** One stage: a name for logs and docs, whether its groups run side by side, and its steps in order. */
    public record Stage(String name, boolean parallel, List<MigrationStep> steps) {
        public Stage {
            steps = List.copyOf(steps);
            if (parallel && steps.stream().anyMatch(s -> s.parallelGroup() == null)) {
                throw new IllegalArgumentException("stage " + name + ": a parallel stage's every step needs a parallel group");
            }
        }
    }

    public StepPlan {
        stages = List.copyOf(stages);
    }

    /** A plan of one sequential stage (rollback before the swap: every step in order). */
    public static StepPlan sequential(String name, List<MigrationStep> steps) {
        return new StepPlan(List.of(new Stage(name, false, steps)));
    }

    /** Every step, in the order the stages run them (--dry-run, and the names of the fault points). */
    public List<MigrationStep> steps() {
        List<MigrationStep> out = new ArrayList<>();
        stages.forEach(s -> out.addAll(s.steps()));
        return out;
    }

    /**
     * Every step's name, in the order {@link #steps()} gives: its id, and its target after a space when it has one
     * ({@code "backfill chat_messages.sender_id"}), as the log and the fault points ({@code -Duuidmig.fault.haltAfter})
     * name it.
     */
    public List<String> names() {
        return steps().stream().map(StepPlan::name).toList();
    }

    /** A step's name: see {@link #names()}. */
    public static String name(MigrationStep step) {
        return step.id() + (step.target().isEmpty() ? "" : " " + step.target());
    }

    /** Collects stages, leaving out empty ones. */
    public static final class Builder {
        private final List<Stage> stages = new ArrayList<>();

        public Builder then(String name, List<? extends MigrationStep> steps) {
            return add(name, false, steps);
        }

        public Builder together(String name, List<? extends MigrationStep> steps) {
            return add(name, true, steps);
        }

        private Builder add(String name, boolean parallel, List<? extends MigrationStep> steps) {
            if (!steps.isEmpty()) {
                stages.add(new Stage(name, parallel, List.copyOf(steps)));
            }
            return this;
        }

        public StepPlan build() {
            return new StepPlan(stages);
        }
    }
}
