package org.uuidmig.step;

import java.util.ArrayList;
import java.util.List;

/**
 * The steps running right now (several with --jobs), for the one line an interrupted run prints
 * (see {@link org.uuidmig.db.RunLock}): "step backfill (public.chat_messages.sender_id)".
 */
public final class CurrentSteps {
    private static final List<String> RUNNING = new ArrayList<>();

    private CurrentSteps() {
    }

    static synchronized void started(String step) {
        RUNNING.add(step);
    }

    static synchronized void ended(String step) {
        RUNNING.remove(step);
    }

    /** "step a (x), step b (y)", or null when no step is running. */
    public static synchronized String describe() {
        if (RUNNING.isEmpty()) {
            return null;
        }
        return String.join(", ", RUNNING);
    }

    /** How a step is named in that line. */
    static String name(MigrationStep step) {
        return "step " + step.id() + (step.target().isEmpty() ? "" : " (" + step.target() + ")");
    }
}
